"""The heavy imports a notebook will make, done by its kernel before the notebook is handed over.

    entries = imports_of(source_notebook, "q4")  # the grader: (("torch", ()), ("transformers", ("LlavaConfig",)), ...)
    kernel_line(entries)                         # the kernel's start-up line (runner.py, IPKernelApp.exec_lines)

A sandbox started ahead (prestart.py) boots its kernel while the notebook before it runs; with
these entries it also imports the libraries its notebook imports (torch alone is a second and a
half) and the question's probes (checks/<question>.py, which its check() calls import), so they
are no longer on the critical path. Only packages of `PRELOADED` count, and a
kernel only *imports* them: no name is bound in the learner's namespace, so a notebook that
forgets `import torch` still fails as it would in a fresh kernel. A library imported earlier is
the same library: nothing a check can see changes (tests/grading/sandbox/test_sandbox.py proves the NameError and
the verdicts). An import that fails is left for the notebook to meet.
"""

import ast
import importlib
import json
from pathlib import Path

from vlmkit.grading.checking.python_parse import parse

PRELOADED = ("torch", "numpy", "matplotlib", "PIL", "transformers", "open_clip", "vlmkit")


def imports_of(notebook: Path, question: str) -> tuple:
    """((module, (names imported from it, ...)), ...) of the notebook's code cells, sorted, for
    the modules of PRELOADED packages, and the question's probes; only those for a notebook that
    cannot be read."""
    found = {f"vlmkit.checks.{question}": set()}
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        cells = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        for node in _import_nodes(source):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.setdefault(alias.name, set())
            elif node.module and not node.level:
                found.setdefault(node.module, set()).update(a.name for a in node.names if a.name != "*")
    return tuple((module, tuple(sorted(names))) for module, names in sorted(found.items())
                 if module.split(".")[0] in PRELOADED)


def _import_nodes(source: str) -> list:
    # IPython's magics and shell escapes are not Python: those lines are left out of the parse.
    python = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    try:
        tree = parse(python)
    except SyntaxError:  # a learner's unfinished cell: its imports are not preloaded
        return []
    return [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]


def kernel_line(entries) -> str:
    """One line for the kernel's start-up that preloads `entries` and evaluates to None (so IPython
    neither displays nor stores anything)."""
    entries = [[module, list(names)] for module, names in entries]
    return f"__import__('vlmkit.grading.sandbox.kernel_preload', fromlist=['preload']).preload({entries!r})"


def preload(entries) -> None:
    """In the kernel: import each module and look up each name (a lazy package such as transformers
    loads a class's module on that lookup). Binds nothing; a failure is the notebook's to meet."""
    for module, names in entries:
        try:
            loaded = importlib.import_module(module)
            for name in names:
                if not hasattr(loaded, name):  # a submodule not imported yet (`from PIL import Image`)
                    importlib.import_module(f"{module}.{name}")
        except Exception:  # noqa: BLE001 - the notebook's own import reports it, in its own cell
            continue
