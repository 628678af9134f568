"""Reading learner notebooks and building the notebook that is actually executed.

The executed notebook is the *trusted* source notebook's skeleton with the learner's answers
put in: every locked or test cell comes from the source (so a deleted, edited or duplicated
test cell changes nothing), every answer cell comes from the learner, and the learner's own
extra cells stay where they were, after the answer or test cell they followed.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import nbformat

from vlmkit.grading.checking.files import NotARegularFile, read_capped
from vlmkit.grading.checking.registry import checks_called_in, subjects_checked_in

MAX_NOTEBOOK_BYTES = 20 << 20  # a checkpoint notebook is ~50 kB; nbgrader's own cap is 100 MB
MISSING_ANSWER = 'raise NotImplementedError("this answer cell was deleted from the notebook")'


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


def _is_answer(meta) -> bool:
    return bool(meta.get("solution"))


def merge(source_nb, learner_nb):
    """(notebook to execute, notes about what was restored) from the source and the learner's copy."""
    source_ids = {nbgrader_meta(c).get("grade_id") for c in source_nb.cells} - {None}
    answers, attached, notes = {}, {None: []}, []
    anchor = None
    for cell in learner_nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in source_ids and grade_id not in answers:
            answers[grade_id] = cell
            anchor = grade_id
            attached.setdefault(anchor, [])
        elif grade_id in source_ids:
            notes.append(f"duplicate of cell {grade_id} ignored")
        elif cell.get("cell_type") in ("code", "markdown"):
            attached.setdefault(anchor, []).append(_clean(cell, cell, keep_metadata=False))

    merged = nbformat.v4.new_notebook(metadata=source_nb.metadata)
    merged.cells.extend(attached[None])
    for cell in source_nb.cells:
        meta = nbgrader_meta(cell)
        grade_id = meta.get("grade_id")
        if grade_id is None:
            continue  # the learner's copy of ordinary cells arrives through `attached`
        mine = answers.get(grade_id)
        if _is_answer(meta):
            if mine is None:
                notes.append(f"answer cell {grade_id} was deleted")
                mine = nbformat.v4.new_code_cell(MISSING_ANSWER, metadata=cell.metadata)
            merged.cells.append(_clean(mine, cell))
        else:
            if mine is None:
                notes.append(f"cell {grade_id} was deleted and has been restored")
            elif mine.get("source") != cell.source and not meta.get("grade"):
                notes.append(f"locked cell {grade_id} was edited and has been restored")
            merged.cells.append(_clean(cell, cell))
        merged.cells.extend(attached.get(grade_id, []))
    return merged, notes


def _clean(cell, trusted, keep_metadata=True):
    """A fresh cell of the trusted cell's type with this cell's source, no outputs."""
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    metadata = trusted.get("metadata", {}) if keep_metadata else {}
    if trusted.get("cell_type") == "markdown":
        return nbformat.v4.new_markdown_cell(source, metadata=metadata)
    return nbformat.v4.new_code_cell(source, metadata=metadata)
