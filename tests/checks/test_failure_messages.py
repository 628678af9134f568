"""Every failure says what to fix: no realistic wrong answer meets a bare "wrong values".

A check's failing message names the property that failed and, where a common mistake explains
it, the mistake ("… — floor(v * N), not round"). This module grades every wrong answer in
autograder/wrong_answers/ on the fast path (shared with test_fast_grading.py) and lists each
failing check whose message is only "what: wrong values (beyond tolerance …)" or "what: wrong
result" (judges.bare_message). A check may fail that way only where it says why no diagnosis is
possible, in its `no_diagnosis`.
"""

import pytest

from conftest import COURSE, fast_graded
from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import wrong_answers
from vlmkit.grading.checking.judges import bare_message
from vlmkit.grading.checking.registry import all_checks

pytestmark = pytest.mark.slow  # every wrong answer of every question on the fast path

QUESTIONS = [q.id for a in COURSE.values() for q in a.questions]


def _checks(question):
    return all_checks(question, paths.AUTOGRADER / "hidden")


@pytest.mark.parametrize("question", QUESTIONS)
def test_no_wrong_answer_meets_a_bare_message(question):
    checks = _checks(question)
    bare = []
    for name, grade_id, code, _ in wrong_answers(question):
        result = fast_graded(question, grade_id, code)
        bare += [f"{name} → {v['check']}: {v['message']}" for c in result["cells"] for v in c["verdicts"]
                 if not v["passed"] and bare_message(v["message"]) and not checks[v["check"]].no_diagnosis]
    assert not bare, "\n".join(bare)


@pytest.mark.parametrize("question", QUESTIONS)
def test_each_undiagnosable_check_says_why(question):
    for check in _checks(question).values():
        assert check.no_diagnosis is None or len(check.no_diagnosis.split()) >= 5, check.id


def test_bare_message_tells_a_diagnosis_from_none():
    assert bare_message("normalize_actions: wrong values (beyond tolerance 1e-06)")
    assert bare_message("parse_qa: wrong result (on 9 of 9 unseen inputs)")
    assert not bare_message("clip_loss: wrong values (beyond tolerance 1e-05) — it equals the image→text loss alone")
    assert not bare_message("labels found: wrong length, expected 2 items")
    assert not bare_message(None)
