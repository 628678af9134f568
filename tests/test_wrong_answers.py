"""Every realistic wrong answer in autograder/wrong_answers/ loses exactly its listed cells."""

import re

import pytest

from conftest import COURSE, with_answer, write_submission
from vlmkit.grading.autograde import autograde
from vlmkit.grading.examples import wrong_answers
from vlmkit.grading.notebook import nbgrader_meta

CASES = [(name, q, wrong) for name, assignment in COURSE.items()
         for q in assignment.questions for wrong in wrong_answers(q.id)]


def _student(question, wrong):
    return re.sub(r"[^A-Za-z0-9_-]+", "_", f"{question.id}-{wrong[0]}")[:60]


def _graded_cells_only(nb):
    """The notebook without its free exploration cells (the capstone's plots and side-by-side
    runs): they earn nothing, so dropping them, as a learner may, only makes the test faster."""
    nb.cells = [c for c in nb.cells if c.cell_type != "code" or nbgrader_meta(c)]
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    subs, out = tmp_path_factory.mktemp("wrong"), tmp_path_factory.mktemp("out")
    for assignment, question, wrong in CASES:
        _, grade_id, code, _ = wrong
        nb = _graded_cells_only(with_answer(question.notebook, grade_id, code, assignment))
        write_submission(subs, _student(question, wrong), {question.notebook: nb}, assignment)
    return {name: autograde(subs, out, name, jobs=2) for name in COURSE}


def test_every_question_has_at_least_five_wrong_answers():
    for assignment in COURSE.values():
        for question in assignment.questions:
            assert len(wrong_answers(question.id)) >= 5, question.id


@pytest.mark.parametrize("assignment,question,wrong", CASES, ids=[_student(q, w) for _, q, w in CASES])
def test_wrong_answer_loses_exactly_its_cells(graded, assignment, question, wrong):
    result = graded[assignment][_student(question, wrong)][question.id]
    lost = {c["grade_id"] for c in result["cells"] if c["score"] < c["max_score"]}
    assert result["status"] == "graded", result["notes"]
    assert lost == wrong[3], [(c["grade_id"], [v for v in c["verdicts"] if not v["passed"]])
                              for c in result["cells"]]
