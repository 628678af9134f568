"""Realistic wrong answers (autograder/wrong_answers/) lose exactly their listed cells through
`vlmkit autograde` (sandboxed), and so does the first delegating answer of each question
(autograder/delegating_answers/: a call to the reference), with the fast path's verdicts equal
to the sandbox's, check by check.

tests/checks grades every wrong and delegating answer on the fast path in seconds; this module
pays a sandboxed run for each case, so `make test` takes every other wrong answer of each
question (a fixed half, about 5 minutes on 2 cores). VLMKIT_ALL_WRONG_ANSWERS=1 takes them all
(about 10 minutes).
"""

import os
import re

import pytest

from conftest import COURSE, fast_graded, verdicts_of, with_answer, write_submission
from vlmkit.grading.authoring.answer_banks import delegating_answers, wrong_answers
from vlmkit.grading.authoring.examples import graded_cells_only
from vlmkit.grading.workflows.autograde import autograde

pytestmark = pytest.mark.sandbox  # every other wrong answer is also graded in the sandbox

STEP = 1 if os.environ.get("VLMKIT_ALL_WRONG_ANSWERS") else 2
CASES = [(name, q, wrong) for name, assignment in COURSE.items()
         for q in assignment.questions for wrong in wrong_answers(q.id)[::STEP] + delegating_answers(q.id)[:1]]


def _student(question, wrong):
    return re.sub(r"[^A-Za-z0-9_-]+", "_", f"{question.id}-{wrong[0]}")[:60]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    subs, out = tmp_path_factory.mktemp("wrong"), tmp_path_factory.mktemp("out")
    for assignment, question, wrong in CASES:
        _, grade_id, code, _ = wrong
        nb = graded_cells_only(with_answer(question.notebook, grade_id, code, assignment))
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


@pytest.mark.parametrize("assignment,question,wrong", CASES, ids=[_student(q, w) for _, q, w in CASES])
def test_fast_path_reaches_the_sandboxs_verdicts(graded, assignment, question, wrong):
    """`vlmkit audit` and tests/checks judge on the fast path; it must agree check by check."""
    sandboxed = graded[assignment][_student(question, wrong)][question.id]
    assert verdicts_of(fast_graded(question.id, wrong[1], wrong[2])) == verdicts_of(sandboxed)
