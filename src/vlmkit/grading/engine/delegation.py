"""Own work: does a learner's function delegate to the reference it is graded against?

    found = find_delegation(merged_notebook, references=("open_clip",))
    found.tainted   # {"clip_loss": "open_clip.loss.ClipLoss", ...}
    found.unresolved  # {"clip_loss": "importlib.import_module with a computed name", ...}

The checks compare learner code with trusted references that are installed where the learner's
code runs (open_clip, transformers, the kit's own harness). Each question declares in the manifest
the references its learner must not call (`"references": [...]`, dotted prefixes). This module
decides from the *source* of the learner's cells, in the grader's process — a forged record
cannot hide a call — whether a learner function reaches one: imports and aliases, attribute
chains, `importlib.import_module`, `__import__` and `getattr` with constant names, and calls of
other learner functions that do. What the course's own locked cells import is provided, so it is
never a reference. Dynamic names it cannot resolve are reported, not passed silently.
"""

import ast
import warnings
from dataclasses import dataclass, field

from vlmkit.grading.checking.python_parse import parse
from vlmkit.grading.nbgrader_io.cells import nbgrader_meta

OPAQUE = {"eval", "exec", "compile"}  # code from a string: nothing to read


@dataclass
class Delegation:
    tainted: dict = field(default_factory=dict)  # learner name -> the reference it reaches
    unresolved: dict = field(default_factory=dict)  # learner name -> what could not be resolved


def _dotted(node):
    """`a.b.c` as a string, or None when the chain does not start at a plain name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _constant(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


class _Scan(ast.NodeVisitor):
    """What one piece of code binds by import, and which dotted names and dynamic lookups it uses."""

    def __init__(self):
        self.aliases, self.used, self.dynamic, self.computed = {}, set(), set(), set()

    def visit_Import(self, node):
        for a in node.names:
            self.aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            self.used.add(a.name)

    def visit_ImportFrom(self, node):
        if node.level == 0 and node.module:
            for a in node.names:
                self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"
                self.used.add(f"{node.module}.{a.name}")

    def visit_Attribute(self, node):
        name = _dotted(node)
        if name:
            self.used.add(name)
        else:
            self.generic_visit(node)

    def visit_Name(self, node):
        self.used.add(node.id)

    def visit_Call(self, node):
        name = _dotted(node.func) or ""
        first = _constant(node.args[0]) if node.args else None
        if name.split(".")[-1] in ("import_module", "__import__"):
            self.used.add(first) if first else self.dynamic.add(f"{name}() with a computed name")
        elif name == "getattr" and len(node.args) >= 2:
            base, attr = _dotted(node.args[0]), _constant(node.args[1])
            if base and attr:
                self.used.add(f"{base}.{attr}")
            elif base:  # judged later: only a computed name on a reference is a question
                self.computed.add(base)
        elif name in OPAQUE:
            self.dynamic.add(f"{name}()")
        self.generic_visit(node)

    def visit_Subscript(self, node):
        if _dotted(node.value) == "sys.modules":
            self.dynamic.add("sys.modules[...]")
        self.generic_visit(node)


def _definitions(tree):
    """Top-level (names bound, statement) pairs: defs, classes, assignments, other statements."""
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield {stmt.name}, stmt
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            yield {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}, stmt
        else:
            yield set(), stmt


def _resolve(name, aliases):
    head, _, rest = name.partition(".")
    if head not in aliases:
        return None
    return f"{aliases[head]}.{rest}" if rest else aliases[head]


def _matches(name, references):
    return next((r for r in references if name == r or name.startswith(r + ".")), None)


def _parse(source):
    try:
        with warnings.catch_warnings():  # the learner's invalid escapes are the kernel's to report
            warnings.simplefilter("ignore")
            return parse(source)
    except SyntaxError:  # a cell that does not parse defines nothing; the kernel says so
        return None


def _is_learners(cell) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("solution")) or not meta.get("grade_id")


def find_delegation(nb, references) -> Delegation:
    """Which learner-defined names reach a declared reference, directly or through each other."""
    found = Delegation()
    if not references:
        return found
    provided, provided_targets, learner_aliases, uses, dynamic, computed = set(), set(), {}, {}, {}, {}
    for cell in nb.cells:
        tree = _parse(cell.source) if cell.cell_type == "code" else None
        if tree is None:
            continue
        if not _is_learners(cell):
            scan = _Scan()
            scan.visit(tree)
            provided |= set(scan.aliases)  # the course binds these: never a learner's delegation
            provided_targets |= set(scan.aliases.values())
            continue
        for names, stmt in _definitions(tree):
            scan = _Scan()
            scan.visit(stmt)
            learner_aliases.update(scan.aliases)
            for name in names:  # a statement that binds nothing cannot be what a check calls
                uses.setdefault(name, set()).update(scan.used)
                dynamic.setdefault(name, set()).update(scan.dynamic)
                computed.setdefault(name, set()).update(scan.computed)
    aliases = {k: v for k, v in learner_aliases.items() if k not in provided}

    def reference_of(dotted):
        if dotted.split(".")[0] in provided:
            return None
        full = _resolve(dotted, aliases) or dotted
        if _matches(full, provided_targets):  # what the course imports, reached another way
            return None
        return full if _matches(full, references) else None

    for name, used in uses.items():
        hit = next((r for r in map(reference_of, sorted(used)) if r), None)
        if hit:
            found.tainted[name] = hit
        on_reference = sorted(f"getattr on {r} with a computed name"
                              for r in map(reference_of, computed[name]) if r)
        if dynamic[name] or on_reference:
            found.unresolved[name] = sorted(dynamic[name] | set(on_reference))[0]
    changed = True
    while changed:  # a function calling a delegating function delegates too
        changed = False
        for name, used in uses.items():
            via = next((u for u in sorted(used) if u.split(".")[0] in found.tainted), None)
            if name not in found.tainted and via:
                found.tainted[name] = found.tainted[via.split(".")[0]]
                changed = True
    return found
