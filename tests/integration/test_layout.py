"""The package layout's import rule, read from the source (no module is imported).

Each stage imports only the ones before it: world → models → pipeline → evaluation; grading
imports none of them; checks may use all; commands may use anything. Lazy imports inside
functions count too. No module imports another module's private (`_name`) names.
Run: .venv/bin/pytest tests/integration/test_layout.py
"""

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "vlmkit"
BASE = {"vlmkit", "vlmkit.errors", "vlmkit.paths"}  # `vlmkit` itself only for __version__
ALLOWED = {
    "errors": set(),
    "paths": set(),
    "course": BASE,
    "world": BASE,
    "models": BASE | {"vlmkit.world"},
    "pipeline": BASE | {"vlmkit.world", "vlmkit.models"},
    "evaluation": BASE | {"vlmkit.world", "vlmkit.models", "vlmkit.pipeline"},
    "grading": BASE | {"vlmkit.course"},
    "hub": BASE | {"vlmkit.course", "vlmkit.grading"},
    "checks": BASE | {"vlmkit.world", "vlmkit.models", "vlmkit.pipeline", "vlmkit.evaluation",
                      "vlmkit.grading", "vlmkit.course"},
    "commands": None,  # anything
    "__init__": {"vlmkit.pipeline"},  # the lazy `from vlmkit import Pipeline`
    "__main__": {"vlmkit.commands"},
}
# Names `vlmkit` resolves lazily (its __getattr__): importing one imports the stage behind it.
LAZY = {"Pipeline": "vlmkit.pipeline"}
TOP_LEVEL_MODULES = {"__init__", "__main__", "course", "errors", "paths"}
STAGES = {name for name in ALLOWED if not name.startswith("__")}


def kit_imports(tree) -> list[tuple[int, str]]:
    """(line, imported module) for every import of a vlmkit module, at any depth;
    `from vlmkit import paths` counts as `vlmkit.paths`, `from vlmkit import __version__` as `vlmkit`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "vlmkit"]
        elif isinstance(node, ast.ImportFrom) and node.module == "vlmkit":
            found += [(node.lineno, LAZY.get(a.name) or (f"vlmkit.{a.name}" if a.name in STAGES else "vlmkit"))
                      for a in node.names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("vlmkit."):
            found.append((node.lineno, node.module))
    return found


def stage_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE).parts
    return rel[0] if len(rel) > 1 else Path(rel[0]).stem


def within(module: str, prefixes) -> bool:
    """module is one of prefixes or inside one (the root `vlmkit` only matches itself)."""
    return any(module == p or (p != "vlmkit" and module.startswith(p + ".")) for p in prefixes)


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_stage_with_a_rule():
    assert {stage_of(p) for p in SOURCES} <= set(ALLOWED)
    assert {p.stem for p in PACKAGE.glob("*.py")} <= TOP_LEVEL_MODULES


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_stage_rule(path):
    stage, own = stage_of(path), "vlmkit." + stage_of(path)
    allowed = ALLOWED[stage]
    if allowed is None:
        return
    wrong = [f"line {line}: {module}" for line, module in kit_imports(ast.parse(path.read_text()))
             if not within(module, allowed | {own})]
    assert not wrong, f"{stage}/ may import only {sorted(allowed)}; found {wrong}"


# grading/ by concern, lowest first: a module imports its own subpackage and those before it.
GRADING = PACKAGE / "grading"
GRADING_ORDER = ["checking", "nbgrader_io", "sandbox", "engine", "outputs", "workflows", "authoring"]
GRADING_SOURCES = sorted(GRADING.rglob("*.py"))


def grading_layer(module: str):
    """Where a grading module sits in GRADING_ORDER; None outside grading. The package itself
    (`from vlmkit.grading import check`) is the check API, so it sits with checking."""
    parts = module.split(".")
    if parts[:2] != ["vlmkit", "grading"]:
        return None
    return GRADING_ORDER.index(parts[2]) if len(parts) > 2 else 0


def against_the_order(path: Path, tree) -> list[str]:
    rel = path.relative_to(GRADING).parts
    own = GRADING_ORDER.index(rel[0]) if len(rel) > 1 else 0
    return [f"line {line}: {module}" for line, module in kit_imports(tree)
            if (layer := grading_layer(module)) is not None and layer > own]


def test_grading_is_its_subpackages_and_nothing_else():
    entries = sorted(p.name for p in GRADING.iterdir() if p.name != "__pycache__")
    assert entries == sorted(["__init__.py", *GRADING_ORDER]), entries
    assert len(entries) <= 8


@pytest.mark.parametrize("path", GRADING_SOURCES, ids=lambda p: str(p.relative_to(GRADING)))
def test_grading_imports_follow_the_order_of_its_subpackages(path):
    rel = path.relative_to(GRADING).parts
    allowed = GRADING_ORDER[:GRADING_ORDER.index(rel[0]) + 1] if len(rel) > 1 else GRADING_ORDER[:1]
    wrong = against_the_order(path, ast.parse(path.read_text()))
    assert not wrong, f"grading/{'/'.join(rel)} may import only grading's {allowed}; found {wrong}"


PRIVATE_SCAN = SOURCES + sorted((ROOT / "autograder").rglob("*.py"))


def private_uses(tree) -> list[str]:
    """Private names of kit modules that this module imports or reads as attributes."""
    modules = {}  # local name -> kit module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update({a.asname or a.name: a.name for a in node.names if a.name.startswith("vlmkit")})
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("vlmkit"):
            modules.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
    private = [f"line {node.lineno}: from {node.module} import {a.name}"
               for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("vlmkit")
               for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    private += [f"line {node.lineno}: {node.value.id}.{node.attr}"
                for node in ast.walk(tree)
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in modules and node.attr.startswith("_") and not node.attr.startswith("__")]
    return private


@pytest.mark.parametrize("path", PRIVATE_SCAN, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_names_cross_modules(path):
    private = private_uses(ast.parse(path.read_text()))
    assert not private, f"private names of other modules used: {private}"


def test_the_checkers_catch_violations():
    """The checkers themselves: a world module importing a model, a private name used across modules."""
    bad = "from vlmkit.models import TinyCLIP\n\ndef f():\n    import vlmkit.grading.engine.grade\n"
    found = [m for _, m in kit_imports(ast.parse(bad)) if not within(m, ALLOWED["world"] | {"vlmkit.world"})]
    assert found == ["vlmkit.models", "vlmkit.grading.engine.grade"]
    lazy = [m for _, m in kit_imports(ast.parse("from vlmkit import Pipeline, __version__\n"))]
    assert lazy == ["vlmkit.pipeline", "vlmkit"]  # the lazy name counts as the stage it comes from
    upward = ast.parse("from vlmkit.grading.outputs.results import load_graded\nfrom vlmkit.grading import check\n")
    assert against_the_order(GRADING / "checking" / "verdict.py", upward) == ["line 1: vlmkit.grading.outputs.results"]
    private = "from vlmkit.checks.toy_clip import _number\nfrom vlmkit import evaluation\nevaluation._name('x')\n"
    assert private_uses(ast.parse(private)) == ["line 1: from vlmkit.checks.toy_clip import _number",
                                                 "line 3: evaluation._name"]


IMPORT_SCAN = PRIVATE_SCAN + sorted((ROOT / "tests").rglob("*.py")) + sorted((ROOT / "benchmarks").rglob("*.py"))


def module_file(module: str):
    """The file of a kit module (a package's __init__.py), None for anything else."""
    base = ROOT / "src" / Path(*module.split("."))
    return next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.exists()), None)


def defined_names(tree) -> set[str]:
    """What a module binds itself, at any depth but inside functions and classes: not what it imports."""
    names, stack = set(), list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.With)):
            names |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        stack += [child for field in ("body", "orelse", "handlers", "finalbody") for child in getattr(node, field, [])
                  if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    return names


@functools.lru_cache(maxsize=None)
def names_defined_in(source: Path) -> frozenset:
    """defined_names of a kit module, parsed once however many files import from it."""
    return frozenset(defined_names(ast.parse(source.read_text())))


def borrowed_imports(tree) -> list[str]:
    """Names imported from a kit module that only imported them itself (a package's __init__, which
    gathers its package's public names, excepted)."""
    borrowed = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("vlmkit")):
            continue
        source = module_file(node.module)
        if source is None or source.name == "__init__.py":
            continue
        own = names_defined_in(source)
        borrowed += [f"line {node.lineno}: {a.name} from {node.module}" for a in node.names
                     if a.name not in own and module_file(f"{node.module}.{a.name}") is None]
    return borrowed


@pytest.mark.parametrize("path", IMPORT_SCAN, ids=lambda p: str(p.relative_to(ROOT)))
def test_names_are_imported_from_the_module_that_defines_them(path):
    """One definition, one address: `Limits` comes from sandbox/limits.py, never through a module
    that happens to import it."""
    borrowed = borrowed_imports(ast.parse(path.read_text()))
    assert not borrowed, f"import these from the module that defines them: {borrowed}"


def test_the_borrowed_import_checker_catches_one():
    tree = ast.parse("from vlmkit.grading.sandbox.run import Limits, run_notebook\n"
                     "from vlmkit.world import load_samples\n")
    assert borrowed_imports(tree) == ["line 1: Limits from vlmkit.grading.sandbox.run"]


def ast_parse_calls(tree) -> list[int]:
    """Lines that call `ast.parse` directly."""
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == "parse"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "ast"]


def test_the_grader_parses_python_only_through_the_lock():
    """Grading threads parse at once, which CPython 3.11 < 3.11.5 does not survive (python_parse.py):
    every parse in the package goes through `python_parse.parse`."""
    shared = GRADING / "checking" / "python_parse.py"
    direct = [f"{p.relative_to(ROOT)}:{line}" for p in sorted(PACKAGE.rglob("*.py")) if p != shared
              for line in ast_parse_calls(ast.parse(p.read_text()))]
    assert not direct, f"ast.parse called directly (use vlmkit.grading.checking.python_parse.parse): {direct}"
    assert ast_parse_calls(ast.parse("import ast\nast.parse('x')\n")) == [2]
