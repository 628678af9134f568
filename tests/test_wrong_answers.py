"""Every realistic wrong answer in autograder/wrong_answers/ loses exactly its listed cells."""

import re

import pytest

from conftest import CHECKPOINT, with_answer, write_submission
from vlmkit.grading.autograde import autograde
from vlmkit.grading.examples import wrong_answers

CASES = [(q, wrong) for q in CHECKPOINT.questions for wrong in wrong_answers(q.id)]


def _student(question, wrong):
    return re.sub(r"[^A-Za-z0-9_-]+", "_", f"{question.id}-{wrong[0]}")[:60]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    subs = tmp_path_factory.mktemp("wrong")
    for question, wrong in CASES:
        _, grade_id, code, _ = wrong
        write_submission(subs, _student(question, wrong),
                         {question.notebook: with_answer(question.notebook, grade_id, code)})
    return autograde(subs, tmp_path_factory.mktemp("out"), "checkpoint", jobs=2)


def test_every_question_has_at_least_five_wrong_answers():
    for question in CHECKPOINT.questions:
        assert len(wrong_answers(question.id)) >= 5, question.id


@pytest.mark.parametrize("question,wrong", CASES, ids=[_student(q, w) for q, w in CASES])
def test_wrong_answer_loses_exactly_its_cells(graded, question, wrong):
    result = graded[_student(question, wrong)][question.id]
    lost = {c["grade_id"] for c in result["cells"] if c["score"] < c["max_score"]}
    assert result["status"] == "graded", result["notes"]
    assert lost == wrong[3], [(c["grade_id"], [v for v in c["verdicts"] if not v["passed"]])
                              for c in result["cells"]]
