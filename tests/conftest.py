"""Shared helpers for the grading tests: build submission folders from the course's notebooks."""

from pathlib import Path

import nbformat

from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.grading.examples import set_answers, solved

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
