"""The behavioural contracts (grading/checking/contracts.py) reach every learner function the checks call.

Each solution is graded on the fast path, hidden checks included, and its kernel's records kept:
- coverage: every subject a test cell hands to check(...) was watched in every check that got
  it, and called at least once in the notebook;
- parameters: every parameter with a default, of every watched callable, is set away from its
  default by at least one check (else an answer that ignores it keeps full marks);
- the contract layer's own bookkeeping never broke, and the solution keeps every contract.

    pytest tests/checks/test_contracts.py -q -k q5
"""

import ast
import functools
import json

import nbformat
import pytest

from conftest import COURSE
from vlmkit import paths
from vlmkit.grading.authoring.solved_answers import grade_answers
from vlmkit.grading.checking import registry
from vlmkit.grading.checking.contract_judge import contract_message
from vlmkit.grading.engine.fast_path import run_forked

QUESTIONS = {q.id: (name, q.notebook) for name, a in COURSE.items() for q in a.questions}


def _subjects_by_check(question) -> dict:
    """check id -> the names its test cell hands over, in order (every test cell, hidden tests too)."""
    assignment, notebook = QUESTIONS[question]
    source = nbformat.read(str(paths.SOLUTIONS / assignment / notebook), as_version=4)
    found = {}
    for cell in source.cells:
        if cell.cell_type != "code" or not registry.subjects_checked_in(cell.source):
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check":
                found[node.args[0].value] = [a.id for a in node.args[1:]]
    return found


@functools.lru_cache(maxsize=None)
def solution_records(question) -> dict:
    """check id -> the record the solution's kernel wrote, graded on the fast path."""
    kept = {}

    def execute(workdir, limits):
        result = run_forked(workdir, limits)
        kept["records"] = (workdir / "records.jsonl").read_text()
        return result

    result = grade_answers(question, {}, execute=execute)
    assert result.score == result.max_score, [v for c in result.cells for v in c["verdicts"] if not v["passed"]]
    return {r["check"]: r for r in map(json.loads, kept["records"].splitlines())}


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_subject_is_watched_and_called(question):
    records, calls, unwatched = solution_records(question), {}, []
    for check_id, names in _subjects_by_check(question).items():
        facts = records[check_id]["contracts"]
        assert "broken" not in facts, (check_id, facts["broken"])
        for name, subject in zip(names, facts["subjects"], strict=True):
            if subject["watched"] is None:
                unwatched.append((check_id, name))
            calls[name] = calls.get(name, 0) + subject["calls"]
    assert not unwatched
    assert set(calls) == {n for names in _subjects_by_check(question).values() for n in names}
    assert all(calls.values()), [name for name, n in calls.items() if not n]


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_parameter_is_set_away_from_its_default_by_some_check(question):
    defaults, off = {}, {}
    for record in solution_records(question).values():
        for p in record["contracts"]["parameters"]:
            defaults.setdefault(p["callable"], set()).update(p["defaults"])
            off.setdefault(p["callable"], set()).update(p["off_default"])
    never = {name: sorted(defaults[name] - off[name]) for name in defaults if defaults[name] - off[name]}
    assert not never, f"parameters no check sets away from their default: {never}"


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_solution_keeps_every_contract_and_is_replayed(question):
    records = solution_records(question).values()
    in_place = registry.declared(question, "UPDATES_IN_PLACE")
    broken = {r["check"]: contract_message(r["contracts"], in_place) for r in records}
    assert not {k: v for k, v in broken.items() if v}
    assert any(replay["contract"] == "state" for r in records for replay in r["contracts"]["replays"])


@pytest.mark.parametrize("question", QUESTIONS)
def test_declarations_name_functions_the_checks_watch(question):
    """BATCHWISE, REPLAYED_ONCE and UPDATES_IN_PLACE name callables the solution's checks called
    (a renamed function would silently lose its declaration)."""
    called = {p["callable"] for r in solution_records(question).values() for p in r["contracts"]["parameters"]}
    for declaration in ("BATCHWISE", "REPLAYED_ONCE", "UPDATES_IN_PLACE"):
        assert set(registry.declared(question, declaration)) <= called, declaration
