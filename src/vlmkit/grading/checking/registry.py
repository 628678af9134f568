"""Where checks are defined and how a check id is resolved.

A check id is `<question>.<name>`, e.g. `q5.quantize.floor`. Its definition, a `Check`, lives in
one of two places:
- visible checks: `vlmkit/checks/<question>.py` (`CHECKS`), shipped to learners;
- hidden checks: `autograder/hidden/<question>.py` (`CHECKS`), instructor-only, loaded by the
  grader from a file path and never imported inside a learner's kernel.
Both kinds name a *probe* from `vlmkit/checks/<question>.py` (`PROBES`): the code that runs the
learner's functions on the check's inputs and returns plain data. The judge, which compares that
data with a reference, runs in the grader's process.
"""

import ast
import importlib
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from vlmkit.grading.checking.python_parse import parse

# Judges return None when the output is right, else the message shown to the learner.
Judge = Callable[[dict, Any], Optional[str]]
# Measures return the numbers the output reached and those the kit's reference reaches on the same
# case, as {"reached": {name: value}, "reference": {name: value}}, or None when the output has none.
# They are stored with the verdict for the class report and never decide it.
Measure = Callable[[dict, Any], Optional[dict]]

CHECK_CALL = re.compile(r"""\bcheck\(\s*["']([A-Za-z0-9_.\-]+)["']""")


@dataclass(frozen=True)
class Check:
    id: str
    probe: str  # a key of PROBES in vlmkit.checks.<question>
    judge: Judge
    case: dict = field(default_factory=dict)  # the probe's inputs: JSON-safe, never the answer
    measure: Optional[Measure] = None
    # Why this check's failing values cannot name the mistake (judges.bare_message), written where
    # no diagnosis is possible; tests/checks/test_failure_messages.py holds every other check to one.
    no_diagnosis: Optional[str] = None


def question_of(check_id: str) -> str:
    return check_id.split(".", 1)[0]


def checks_called_in(source: str) -> list[str]:
    """Check ids that a test cell's source calls, in order (the cell's contract)."""
    return CHECK_CALL.findall(source)


def subjects_checked_in(source: str) -> tuple:
    """The names a test cell hands to `check(...)` as the learner's objects, sorted."""
    try:
        tree = parse(source)
    except SyntaxError:
        return ()
    return tuple(sorted({arg.id for node in ast.walk(tree) if isinstance(node, ast.Call)
                         and isinstance(node.func, ast.Name) and node.func.id == "check"
                         for arg in node.args[1:] if isinstance(arg, ast.Name)}))


def _question_module(question: str):
    if not re.fullmatch(r"[a-z][a-z0-9_]*", question):
        raise KeyError(f"not a question id: {question!r}")
    return importlib.import_module(f"vlmkit.checks.{question}")


def probe(question: str, name: str):
    return _question_module(question).PROBES[name]


def declared(question: str, name: str) -> dict:
    """A question's declaration about its learner functions in checks/<question>.py (BATCHWISE,
    REPLAYED_ONCE, UPDATES_IN_PLACE: see grading/checking/contracts.py), {} where it makes none."""
    try:
        return dict(getattr(_question_module(question), name, {}))
    except (KeyError, ModuleNotFoundError):
        return {}


def visible_checks(question: str) -> dict[str, Check]:
    try:
        module = _question_module(question)
    except (KeyError, ModuleNotFoundError):
        return {}
    return {c.id: c for c in module.CHECKS}


def hidden_checks(question: str, hidden_dir: Path) -> dict[str, Check]:
    path = Path(hidden_dir) / f"{question}.py"
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location(f"vlmkit_hidden_{question}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {c.id: c for c in module.CHECKS}


def all_checks(question: str, hidden_dir: Optional[Path] = None) -> dict[str, Check]:
    checks = visible_checks(question)
    if hidden_dir is not None:
        checks.update(hidden_checks(question, hidden_dir))
    return checks
