"""Written answers: the Markdown cells of a notebook that an instructor grades by hand, and what
the instructor wrote in formgrader (manual scores and comments).

    cells = written_cells(nbformat.read("solutions/checkpoint/q1_clip_loss.ipynb", 4))
    scores = manual_scores(Path("grades/gradebook.db"), "checkpoint")
    # student → {grade_id: {"score": 0.5 or None (not graded yet), "max_score": 1.0}}
    marks = manual_marks(Path("grades/gradebook.db"), "checkpoint")
    # student → {"scores": the same, "comments": {grade_id: "the grader's comment"}}
    grade_by_hand(Path("grades/gradebook.db"), "checkpoint", "ann", {"q1_written": (0.5, "Say why.")})

In a source notebook (solutions/) a written answer is a Markdown cell with nbgrader's `grade`
and `solution` set; its `### BEGIN SOLUTION` … `### END SOLUTION` region (or the whole cell, if
it has none) holds the key points, which nbgrader replaces by "YOUR ANSWER HERE" in the
release. Written answers earn nothing in the autograded score: the instructor's scores are
nbgrader manual grades in the gradebook (formgrader writes them; `vlmkit autograde` keeps them
when it re-grades a student). Formgrader's comment box (under every answer cell, written or
code) stores a comment per cell in the gradebook too; nbgrader 0.9 has no notebook-wide comment.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from vlmkit import paths
from vlmkit.errors import KitError
from vlmkit.grading.nbgrader_io.cells import nbgrader_meta

SOLUTION_REGION = re.compile(r"^[ \t]*### BEGIN SOLUTION[ \t]*\n(.*?)^[ \t]*### END SOLUTION", re.DOTALL | re.MULTILINE)
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


def manual_marks(db: Path, assignment: str) -> dict:
    """student → {"scores": {grade_id: {"score": manual score or None, "max_score": points}} of the
    written cells, "comments": {grade_id: comment} of the cells that have one} for each submission
    in the gradebook (nbgrader's API: the one reader of what formgrader wrote); {} when there is no
    gradebook or assignment yet."""
    from nbgrader.api import Gradebook, MissingEntry

    if not Path(db).exists():
        return {}
    with Gradebook(f"sqlite:///{Path(db).resolve()}") as gb:
        try:
            submissions = gb.assignment_submissions(assignment)
        except MissingEntry:
            return {}
        return {submission.student.id: {
            "scores": {grade.name: {"score": grade.manual_score, "max_score": grade.max_score}
                       for notebook in submission.notebooks for grade in notebook.grades
                       if grade.cell.cell_type == "markdown"},
            # Comment.comment: the grader's, else nbgrader's automatic one; blank ones say nothing
            "comments": {comment.name: comment.comment for notebook in submission.notebooks
                         for comment in notebook.comments if (comment.comment or "").strip()}}
            for submission in submissions}


def grade_by_hand(db: Path, assignment: str, student: str, marks: dict) -> None:
    """Store an instructor's marks, grade_id → (score, comment), on the student's written answers
    as formgrader does when they are typed in (`vlmkit demo` plays the instructor with it)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{Path(db).resolve()}") as gb:
        notebooks = gb.find_submission(assignment, student).notebooks
        grades = {g.name: g for nb in notebooks for g in nb.grades if g.cell.cell_type == "markdown"}
        comments = {c.name: c for nb in notebooks for c in nb.comments}
        for grade_id, (score, comment) in marks.items():
            grade = grades.get(grade_id)
            if grade is None or not 0 <= score <= grade.max_score:
                raise KitError(f"{student}'s {assignment} has no written answer {grade_id} worth {score} points")
            grade.manual_score, grade.needs_manual_grade = score, False
            comments[grade_id].manual_comment = comment
        gb.db.commit()


def manual_scores(db: Path, assignment: str) -> dict:
    """student → {grade_id: {"score": manual score or None, "max_score": points}} for the written
    cells of each submission in the gradebook; {} when there is no gradebook or assignment yet."""
    return {student: marks["scores"] for student, marks in manual_marks(db, assignment).items()}


def written_total(scores: dict):
    """The sum of a student's written scores ({grade_id: {"score", ...}}), or None until every
    written cell has been graded."""
    if not scores or any(s["score"] is None for s in scores.values()):
        return None
    return round(sum(s["score"] for s in scores.values()), 6)
