"""Shared helpers for the grading tests: build submission folders from the course's notebooks."""

from pathlib import Path

import nbformat

from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.grading.examples import set_answers, solved

CHECKPOINT = load_course()["checkpoint"]


def release_path(notebook: str) -> Path:
    return paths.NOTEBOOKS / "checkpoint" / notebook


def solved_notebook(notebook: str):
    return solved(release_path(notebook), paths.SOLUTIONS / "checkpoint" / notebook)


def write_submission(root: Path, student: str, notebooks: dict) -> None:
    """notebooks: file name → notebook node, or → str (raw file content)."""
    folder = root / student / "checkpoint"
    folder.mkdir(parents=True, exist_ok=True)
    for name, nb in notebooks.items():
        if isinstance(nb, str):
            (folder / name).write_text(nb)
        else:
            nbformat.write(nb, str(folder / name))


def with_answer(notebook: str, grade_id: str, code: str):
    return set_answers(solved_notebook(notebook), {grade_id: code})
