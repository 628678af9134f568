"""Notebooks as nbgrader marks them: reading a learner's copy safely, each cell's nbgrader
metadata, and the autograded (test) cells of a source notebook with the checks each one calls.

Building the notebook that is actually executed from these is engine/merge.py's.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from vlmkit.grading.checking.files import NotARegularFile, read_capped
from vlmkit.grading.checking.registry import checks_called_in, subjects_checked_in

# nbgrader's source markers, read here only: a solution region (replaced by "YOUR ANSWER HERE" or
# `raise NotImplementedError()` in a release), one marker line of it, a hidden-tests block.
SOLUTION_REGION = re.compile(r"^[ \t]*### BEGIN SOLUTION[ \t]*\n(.*?)^[ \t]*### END SOLUTION", re.DOTALL | re.MULTILINE)
SOLUTION_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)
HIDDEN_TESTS = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.DOTALL)
MAX_NOTEBOOK_BYTES = 20 << 20  # a checkpoint notebook is ~50 kB; nbgrader's own cap is 100 MB


class BrokenNotebook(Exception):
    """The file is not a notebook we can grade; the message says why, in one line."""


@dataclass(frozen=True)
class TestCell:
    grade_id: str
    points: float
    check_ids: tuple
    subjects: tuple = ()  # the learner's names its checks are called on


def nbgrader_meta(cell) -> dict:
    """A cell's nbgrader metadata, with a grade_id only if it is a string (learners edit JSON)."""
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    meta = metadata.get("nbgrader", {}) if isinstance(metadata, dict) else {}
    if not isinstance(meta, dict):
        return {}
    if not isinstance(meta.get("grade_id"), str):
        meta = {k: v for k, v in meta.items() if k != "grade_id"}
    return meta


def read_notebook(path: Path):
    path = Path(path)
    try:
        raw = read_capped(path, MAX_NOTEBOOK_BYTES)
    except FileNotFoundError:
        raise BrokenNotebook(f"{path.name} is missing") from None
    except NotARegularFile as err:
        raise BrokenNotebook(f"{err}; submit the notebook file itself") from None
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as err:
        raise BrokenNotebook(f"{path.name} is not valid JSON ({str(err).splitlines()[0][:120]})") from None
    except Exception as err:  # nbformat raises a zoo of types for damaged files
        raise BrokenNotebook(f"{path.name} is not a readable notebook ({type(err).__name__})") from None
    if not isinstance(nb.get("cells"), list) or not all(isinstance(c, dict) for c in nb.cells):
        raise BrokenNotebook(f"{path.name} has no list of cells")
    return nb


def graded_cells(source_nb) -> list[TestCell]:
    """The autograded cells of a source notebook, each with the checks it calls."""
    cells = []
    for cell in source_nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            cells.append(TestCell(meta["grade_id"], float(meta.get("points", 0)),
                                  tuple(checks_called_in(cell.source)), subjects_checked_in(cell.source)))
    return cells
