"""Shared helpers for the grading tests: build submission folders from the course's notebooks."""

import functools
from pathlib import Path

import nbformat

from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.grading.authoring.answer_banks import set_answers
from vlmkit.grading.authoring.examples import solved
from vlmkit.grading.authoring.solved_answers import grade_answers

COURSE = load_course()
CHECKPOINT = COURSE["checkpoint"]


def release_path(notebook: str, assignment: str = "checkpoint") -> Path:
    return paths.NOTEBOOKS / assignment / notebook


def solved_notebook(notebook: str, assignment: str = "checkpoint"):
    return solved(release_path(notebook, assignment), paths.SOLUTIONS / assignment / notebook)


def write_submission(root: Path, student: str, notebooks: dict, assignment: str = "checkpoint") -> None:
    """notebooks: file name → notebook node, or → str (raw file content)."""
    folder = root / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for name, nb in notebooks.items():
        if isinstance(nb, str):
            (folder / name).write_text(nb)
        else:
            nbformat.write(nb, str(folder / name))


def with_answer(notebook: str, grade_id: str, code: str, assignment: str = "checkpoint"):
    return set_answers(solved_notebook(notebook, assignment), {grade_id: code})


@functools.lru_cache(maxsize=None)
def fast_graded(question: str, grade_id: str = None, code: str = None, blank: bool = False) -> dict:
    """The solved notebook (one answer replaced, or the blank release) graded on the fast path,
    hidden checks included; cached for the session, so several test modules share one run."""
    answers = {grade_id: code} if grade_id else {}
    return grade_answers(question, answers, blank=blank).to_json()


def verdicts_of(result: dict) -> tuple:
    """What a grade is made of, for comparing two runs: status, score and every check's verdict."""
    return (result["status"], result["score"],
            [(c["grade_id"], c["score"], [(v["check"], v["passed"], v["message"]) for v in c["verdicts"]])
             for c in result["cells"]])
