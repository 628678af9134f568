"""Each question's checks on the fast path (no kernel, no sandbox): seconds, not minutes.

The solution scores full marks, the released notebook zero, every wrong answer in
autograder/wrong_answers/ loses exactly its cells, every answer in
autograder/other_correct_answers/ (a reading the spec allows, another idiom) keeps full marks and
every answer in autograder/delegating_answers/ (a call to the reference it is graded against)
loses exactly its cells, each for that reason.
tests/grading/workflows/test_autograde.py proves the fast path reaches the sandbox's verdicts.
"""

import pytest

from conftest import COURSE, fast_graded
from vlmkit.grading.authoring.answer_banks import delegating_answers, other_correct_answers, wrong_answers

QUESTIONS = [q.id for a in COURSE.values() for q in a.questions]
WRONG = [(q, w) for q in QUESTIONS for w in wrong_answers(q)]
CORRECT = [(q, c) for q in QUESTIONS for c in other_correct_answers(q)]
DELEGATING = [(q, d) for q in QUESTIONS for d in delegating_answers(q)]


def _failures(result):
    return [(c["grade_id"], [v for v in c["verdicts"] if not v["passed"]]) for c in result["cells"]
            if c["score"] < c["max_score"]]


@pytest.mark.parametrize("question", QUESTIONS)
def test_solution_full_marks_blank_zero(question):
    solution = fast_graded(question)
    assert solution["score"] == solution["max_score"], _failures(solution)
    blank = fast_graded(question, blank=True)
    assert blank["score"] == 0, [c["grade_id"] for c in blank["cells"] if c["score"]]


@pytest.mark.slow  # every answer of the bank on the fast path: minutes
@pytest.mark.parametrize("question,wrong", WRONG, ids=[f"{q}-{w[0]}" for q, w in WRONG])
def test_wrong_answer_loses_exactly_its_cells(question, wrong):
    name, grade_id, code, lost_cells = wrong
    result = fast_graded(question, grade_id, code)
    assert {c["grade_id"] for c in result["cells"] if c["score"] < c["max_score"]} == lost_cells, _failures(result)


@pytest.mark.slow  # every answer of the bank on the fast path: minutes
@pytest.mark.parametrize("question,correct", CORRECT, ids=[f"{q}-{c[0]}" for q, c in CORRECT])
def test_other_correct_answer_keeps_full_marks(question, correct):
    name, grade_id, code = correct
    result = fast_graded(question, grade_id, code)
    assert result["score"] == result["max_score"], _failures(result)


def test_every_question_has_a_delegating_answer_per_declared_reference():
    for assignment in COURSE.values():
        for q in assignment.questions:
            assert len(delegating_answers(q.id)) >= 1, q.id
            sources = " ".join(d[2] for d in delegating_answers(q.id))
            for reference in q.references:
                head = reference.split(".")[-1]
                assert head in sources, (q.id, reference)


@pytest.mark.slow  # every answer of the bank on the fast path: minutes
@pytest.mark.parametrize("question,delegating", DELEGATING, ids=[f"{q}-{d[0]}" for q, d in DELEGATING])
def test_delegating_answer_loses_exactly_its_cells_for_that_reason(question, delegating):
    name, grade_id, code, lost_cells = delegating
    result = fast_graded(question, grade_id, code)
    lost = {c["grade_id"] for c in result["cells"] if c["score"] < c["max_score"]}
    own_work = {c["grade_id"] for c in result["cells"]
                if any(v["check"] == f"{question}.own_work" and not v["passed"] for v in c["verdicts"])}
    assert lost == own_work == lost_cells, _failures(result)


def _measures(result) -> dict:
    return {v["check"]: v["measures"] for c in result["cells"] for v in c["verdicts"] if "measures" in v}


def test_the_capstone_pipelines_metrics_are_stored_with_their_verdicts():
    """What the class report draws: the kit's numbers and the learner's, whether the check passed or not."""
    measured = ("capstone.pipeline.test_set", "capstone.hidden.pipeline_test_set")
    solution = _measures(fast_graded("capstone"))
    assert tuple(solution) == measured
    for m in solution.values():
        assert list(m["reached"]) == list(m["reference"]) and len(m["reached"]) >= 6
        assert all(abs(m["reached"][k] - m["reference"][k]) < 0.01 for k in m["reference"])
    assert _measures(fast_graded("capstone", blank=True)) == {}  # a stub's pipeline has no numbers
    by_name = {w[0]: w for w in wrong_answers("capstone")}
    for name in ("colour channels in BGR order", "pixels scaled to 0..1"):
        _, grade_id, code, _ = by_name[name]
        wrong = _measures(fast_graded("capstone", grade_id, code))
        assert tuple(wrong) == measured, name
        for check, m in wrong.items():
            assert m["reference"] == solution[check]["reference"], name
            assert m["reached"]["scene_accuracy"] < m["reference"]["scene_accuracy"] - 0.1, name
