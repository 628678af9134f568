"""Every checkpoint question asks its verbal part, no released notebook carries a model answer,
and the mistakes example's written answers are the learner's own."""

import json
import re
from pathlib import Path

import nbformat
import pytest

from conftest import COURSE
from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import written_answers
from vlmkit.grading.nbgrader_io.cells import graded_cells, nbgrader_meta
from vlmkit.grading.nbgrader_io.written import is_written, written_cells

MODEL_ANSWER_PHRASES = ["Answers in short", "Answer to the question", "Key points", "BEGIN SOLUTION",
                        "END SOLUTION", "Model answer"]
RELEASED = sorted(paths.NOTEBOOKS.rglob("*.ipynb")) + sorted((paths.EXAMPLES / "blank").rglob("*.ipynb"))


def _source(assignment: str, notebook: str):
    return nbformat.read(str(paths.SOLUTIONS / assignment / notebook), as_version=4)


@pytest.mark.parametrize("question", COURSE["checkpoint"].questions, ids=lambda q: q.id)
def test_each_checkpoint_notebook_ends_with_its_question_and_a_written_answer(question):
    cells = _source("checkpoint", question.notebook).cells
    asked, answer = cells[-2], cells[-1]
    assert asked.cell_type == "markdown" and "**Question.**" in asked.source
    assert nbgrader_meta(asked).get("locked") and not nbgrader_meta(asked).get("grade")
    assert answer.cell_type == "markdown" and {k: nbgrader_meta(answer).get(k) for k in
                                               ("grade", "solution", "locked", "points", "grade_id")} == {
        "grade": True, "solution": True, "locked": False, "points": 1, "grade_id": f"{question.id}_written"}


@pytest.mark.parametrize("assignment", COURSE, ids=str)
def test_written_answers_count_apart_from_the_autograded_points(assignment):
    """The autograded cells still add up, exactly, to the manifest's points; written cells have points."""
    for question in COURSE[assignment].questions:
        source = _source(assignment, question.notebook)
        assert sum(cell.points for cell in graded_cells(source)) == question.points, question.id
        written = written_cells(source)
        assert len(written) == 1 and written[0].points > 0 and written[0].key_points, question.id


def _released_text(path: Path) -> str:
    return "\n".join(c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                     for c in json.loads(path.read_text())["cells"])


@pytest.mark.parametrize("path", RELEASED, ids=lambda p: str(p.relative_to(paths.ROOT)))
def test_released_notebooks_hold_no_model_answer(path):
    text = _released_text(path)
    assert not [p for p in MODEL_ANSWER_PHRASES if p in text]
    source = _source(path.parent.name, path.name)
    for cell in written_cells(source):  # no sentence of a key point reaches the learner
        lines = [line.strip("-* ") for line in cell.key_points.splitlines()]
        assert not [line for line in lines if len(line) > 20 and line in text], cell.grade_id


def _word_runs(text: str, length: int = 6) -> set:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i:i + length]) for i in range(len(words) - length + 1)}


def test_the_mistakes_learner_writes_answers_of_their_own():
    """Each written answer of the mistakes example: not empty, not the release's placeholder, no
    run of six words from the model answer, one per question; each earns part of its points."""
    from nbgrader.preprocessors import ClearSolutions

    answers = {}
    for path in sorted((paths.EXAMPLES / "mistakes").rglob("*.ipynb")):
        learner = {nbgrader_meta(c)["grade_id"]: c.source
                   for c in nbformat.read(str(path), as_version=4).cells if is_written(c)}
        for cell in written_cells(_source(path.parent.name, path.name)):
            answer = learner[cell.grade_id].strip()
            assert answer and answer != ClearSolutions.text_stub.default_value, cell.grade_id
            assert not _word_runs(answer) & _word_runs(cell.key_points), cell.grade_id
            answers[cell.grade_id] = answer
            marks = [entry[3] for entry in written_answers(cell.grade_id.removesuffix("_written"))]
            assert marks and 0 < marks[0] < cell.points, cell.grade_id  # partly right
    questions = [q for assignment in COURSE.values() for q in assignment.questions]
    assert len(answers) == len(set(answers.values())) == len(questions)
