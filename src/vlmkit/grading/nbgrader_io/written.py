"""Written answers: the Markdown cells of a notebook that an instructor grades by hand, and their
total once graded (the scores and comments themselves are read from the gradebook, gradebook.py).

    cells = written_cells(nbformat.read("solutions/checkpoint/q1_clip_loss.ipynb", 4))
    written_total(manual_scores(db, "checkpoint")["ann"])   # None until every cell is scored

In a source notebook (solutions/) a written answer is a Markdown cell with nbgrader's `grade`
and `solution` set; its `### BEGIN SOLUTION` … `### END SOLUTION` region (or the whole cell, if
it has none) holds the key points, which nbgrader replaces by "YOUR ANSWER HERE" in the
release. Written answers earn nothing in the autograded score: the instructor's scores are
nbgrader manual grades in the gradebook (formgrader writes them; `vlmkit autograde` keeps them
when it re-grades a student). Formgrader's comment box (under every answer cell, written or
code) stores a comment per cell in the gradebook too; nbgrader 0.9 has no notebook-wide comment.
"""

from dataclasses import dataclass

import nbformat

from vlmkit import paths
from vlmkit.grading.nbgrader_io.cells import SOLUTION_REGION, nbgrader_meta

NOT_GRADED = "not yet graded"


@dataclass(frozen=True)
class WrittenCell:
    grade_id: str
    points: float
    key_points: str  # the model answer, for the learner's feedback once the cell is graded


def is_written(cell) -> bool:
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "markdown" and bool(meta.get("grade")) and bool(meta.get("solution"))


def key_points(source: str) -> str:
    """The solution region of a written-answer cell of solutions/ (the whole cell if it has none)."""
    regions = SOLUTION_REGION.findall(source)
    return "\n".join(region.strip() for region in regions) if regions else source.strip()


def written_cells(source_nb) -> list[WrittenCell]:
    return [WrittenCell(nbgrader_meta(c)["grade_id"], float(nbgrader_meta(c).get("points", 0)),
                        key_points(c.source))
            for c in source_nb.cells if is_written(c) and "grade_id" in nbgrader_meta(c)]


def course_written_cells(assignment: str) -> dict:
    """grade_id → WrittenCell over every source notebook of the assignment in solutions/."""
    return {cell.grade_id: cell for path in sorted((paths.SOLUTIONS / assignment).glob("*.ipynb"))
            for cell in written_cells(nbformat.read(str(path), as_version=4))}


def written_total(scores: dict):
    """The sum of a student's written scores ({grade_id: {"score", ...}}), or None until every
    written cell has been graded."""
    if not scores or any(s["score"] is None for s in scores.values()):
        return None
    return round(sum(s["score"] for s in scores.values()), 6)
