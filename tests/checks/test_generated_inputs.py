"""Generated inputs (grading/checking/generated.py): the same on every run, simplest first, the
smallest failing one named.

Run: .venv/bin/pytest tests/checks/test_generated_inputs.py -q
"""

import json
import subprocess
import sys

from hypothesis import strategies as st

from vlmkit import paths
from vlmkit.grading.checking.generated import generated_calls, size_order, smallest_failing
from vlmkit.grading.checking.judges import INPUT_COUNT
from vlmkit.grading.checking.registry import hidden_checks
from vlmkit.grading.outputs.class_report import diagnosis

QUESTIONS = ("q4", "q5", "q6")
CASES_SCRIPT = """
import json, sys
from vlmkit import paths
from vlmkit.grading.checking.registry import hidden_checks
print(json.dumps({c.id: c.case for q in sys.argv[1:] for c in hidden_checks(q, paths.HIDDEN_CHECKS).values()
                  if c.id.endswith("_generated")}, sort_keys=True))
"""


def _generated_cases() -> dict:
    return {c.id: c.case for q in QUESTIONS for c in hidden_checks(q, paths.HIDDEN_CHECKS).values()
            if c.id.endswith("_generated")}


def test_every_format_question_has_generated_checks_in_its_solution():
    cases = _generated_cases()
    for question, least in (("q4", 5), ("q5", 3), ("q6", 2)):
        ids = [cid for cid in cases if cid.startswith(question + ".")]
        assert len(ids) >= least, ids
        solution = "".join(p.read_text() for p in (paths.SOLUTIONS / "checkpoint").glob(f"{question}_*.ipynb"))
        released = "".join(p.read_text() for p in (paths.NOTEBOOKS / "checkpoint").glob(f"{question}_*.ipynb"))
        assert all(cid in solution and cid not in released for cid in ids)


def test_the_same_inputs_in_another_process_and_folder_and_nothing_written_there(tmp_path):
    """Another process (other modules loaded, another working folder) draws the very same calls."""
    here = _generated_cases()
    out = subprocess.run([sys.executable, "-c", CASES_SCRIPT, *QUESTIONS], cwd=tmp_path, capture_output=True,
                         text=True, check=True).stdout
    assert json.loads(out) == json.loads(json.dumps(here, sort_keys=True))
    assert list(tmp_path.iterdir()) == []  # no .hypothesis folder


def test_calls_come_simplest_first_and_quote_without_parentheses():
    for cid, case in _generated_cases().items():
        calls = case["calls"]
        assert len(calls) >= 10, cid
        assert calls == sorted(calls, key=size_order), cid
        assert not any(c in json.dumps(calls) for c in "()"), cid  # the quote stays inside the message's aside


def test_the_smallest_failing_input_is_named_and_a_crash_fails_its_input():
    calls = generated_calls("test.words", st.lists(st.sampled_from("abc"), max_size=6).map(
        lambda chars: {"args": ["".join(chars)]}), 30)
    assert calls[0] == {"args": [""]} and calls == sorted(calls, key=size_order)
    judge = smallest_failing(lambda call, out: None if out == call["args"][0].upper() else "upper: wrong result"
                             " — upper-case every letter", "upper")
    right = [{"returned": c["args"][0].upper()} for c in calls]
    assert judge({"calls": calls}, right) is None
    # wrong wherever a "b" is: the shortest such input is named, with the count
    wrong = [{"returned": c["args"][0].upper().replace("B", "b")} for c in calls]
    failing = [c["args"][0] for c in calls if "b" in c["args"][0]]
    message = judge({"calls": calls}, wrong)
    assert message == (f"upper: wrong result — upper-case every letter (on {len(failing)} of {len(calls)} "
                       f"generated inputs, the smallest failing: {failing[0]!r})")
    assert failing[0] == "b" and INPUT_COUNT.search(message) and diagnosis(message) == "upper-case every letter"
    crashed = right[:3] + [{"raised": "IndexError"}] + right[4:]
    assert judge({"calls": calls}, crashed).startswith("upper raised IndexError (on 1 of")
    assert judge({"calls": calls}, right[:-1]) == "upper: expected one result per input"
