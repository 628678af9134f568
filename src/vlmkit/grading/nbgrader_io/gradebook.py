"""The nbgrader gradebook: grades into it, so that nbgrader's own tools see them, and the
instructor's manual marks out of it (the one reader of what formgrader wrote).

    nbgrader export --CourseDirectory.db_url=sqlite:///OUT/gradebook.db
    scores = manual_scores(Path("grades/gradebook.db"), "checkpoint")
    # student → {grade_id: {"score": 0.5 or None (not graded yet), "max_score": 1.0}}
    marks = manual_marks(Path("grades/gradebook.db"), "checkpoint")
    # student → {"scores": the same, "comments": {grade_id: "the grader's comment"}}
    grade_by_hand(Path("grades/gradebook.db"), "checkpoint", "ann", {"q1_written": (0.5, "Say why.")})

`vlmkit autograde` judges outside nbgrader's executor, then records each test cell's score
here as nbgrader's `auto_score`; formgrader and `nbgrader export` then work as usual. Each
student's submission is replaced in one transaction.

A written answer left empty (blank, or still the release's "YOUR ANSWER HERE") has nothing to
grade: it is scored 0 as a manual grade with the note EMPTY_ANSWER as nbgrader's automatic
comment, so formgrader does not list it as awaiting grading; the instructor may still change
it. A score the instructor gave by hand is never replaced; that automatic 0 is, once the
re-graded answer is no longer empty.

A new gradebook starts as nbgrader's release of the assignment fills it (its notebooks and grade
cells). That release takes seconds (nbgrader shells out to alembic, converts each notebook), so
its gradebook is kept in the kit's cache, named by a hash of what it is made from (nbgrader's
version, the config, the solutions), and copied into each new grades folder.
"""

import hashlib
import os
import shutil
import sqlite3
import tempfile
import warnings
from datetime import datetime, timezone
from pathlib import Path

from vlmkit import paths
from vlmkit.errors import KitError
from vlmkit.grading.nbgrader_io.cells import BrokenNotebook, nbgrader_meta, read_notebook
from vlmkit.grading.nbgrader_io.generate import generate

EMPTY_ANSWER = "no answer written: scored 0 automatically (give a score to grade it by hand)"


def submitted_at(folder: Path):
    """When a submission was made: nbgrader's timestamp.txt in its folder (naive UTC, as nbgrader
    keeps it), or None where there is none (a folder copied in by hand)."""
    from nbgrader.utils import parse_utc

    try:
        return parse_utc((Path(folder) / "timestamp.txt").read_text().strip())
    except (OSError, ValueError):
        return None


def record_grades(out: Path, assignment: str, students: dict, submitted: dict = None) -> Path:
    """students: name → {question id → result dict}; submitted: name → when it was submitted
    (default: now); returns the gradebook's path."""
    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SAWarning

    # nbgrader 0.9 with SQLAlchemy 2 warns on every new submission; the rows are right.
    warnings.filterwarnings("ignore", category=SAWarning)
    db = Path(out).resolve() / "gradebook.db"
    if not _knows(db, assignment):  # nbgrader learns the notebooks and grade cells from the source
        _seed(db, assignment)
    with Gradebook(f"sqlite:///{db}") as gb:
        for student, questions in students.items():
            gb.update_or_create_student(student)
            manual, kept_comments = {}, {}  # an instructor's manual grades and comments survive a re-grade
            try:
                old = gb.find_submission(assignment, student)
                automatic = {(nb.name, c.name) for nb in old.notebooks for c in nb.comments
                             if c.auto_comment == EMPTY_ANSWER and c.manual_comment is None}
                manual = {(nb.name, g.name): g.manual_score for nb in old.notebooks for g in nb.grades
                          if not ((nb.name, g.name) in automatic and g.manual_score == 0)}
                kept_comments = {(nb.name, c.name): c.manual_comment for nb in old.notebooks for c in nb.comments}
                gb.remove_submission(assignment, student)
            except MissingEntry:
                pass
            when = (submitted or {}).get(student) or datetime.now(timezone.utc)
            submission = gb.add_submission(assignment, student, timestamp=when)
            scores = {(Path(r["notebook"]).stem, c["grade_id"]): c["score"]
                      for r in questions.values() for c in r.get("cells", [])}
            for notebook in submission.notebooks:
                empty = _empty_answers(Path(out) / "autograded" / student / assignment / f"{notebook.name}.ipynb")
                comments = {c.name: c for c in notebook.comments}
                for grade in notebook.grades:
                    key = (notebook.name, grade.name)
                    if grade.cell.cell_type == "code":  # autograded; written answers stay manual
                        grade.auto_score = scores.get(key, 0.0)
                    grade.manual_score = manual.get(key)
                    if grade.cell.cell_type == "markdown" and grade.manual_score is None and empty(grade.name):
                        grade.manual_score = 0.0
                        if grade.name in comments:  # every solution cell has one in nbgrader
                            comments[grade.name].auto_comment = EMPTY_ANSWER
                    # formgrader's "needs manual grade": the written answers nobody has graded yet
                    grade.needs_manual_grade = grade.auto_score is None and grade.manual_score is None
                for comment in notebook.comments:
                    comment.manual_comment = kept_comments.get((notebook.name, comment.name))
            gb.db.commit()
    return db


def _seed(db: Path, assignment: str) -> None:
    """Add the assignment's notebooks and grade cells to the gradebook `db`, as nbgrader's release does."""
    if db.exists():  # another assignment's gradebook: nbgrader adds this one to it
        with tempfile.TemporaryDirectory() as tmp:
            generate(assignment, Path(tmp), db_url=f"sqlite:///{db}")
        return
    seeded = _seeded_gradebook(assignment)
    shutil.copyfile(seeded, db)


def _seeded_gradebook(assignment: str) -> Path:
    """The cached gradebook holding only the assignment's release; made where it is not cached yet."""
    import nbgrader

    digest = hashlib.sha256(f"nbgrader {nbgrader.__version__}\n".encode())
    sources = paths.SOLUTIONS / assignment
    for path in [paths.AUTOGRADER / "nbgrader_config.py", *sorted(p for p in sources.rglob("*") if p.is_file())]:
        digest.update(f"{path.relative_to(paths.ROOT)}\n".encode() + path.read_bytes())
    seeded = paths.cache_dir() / "gradebooks" / f"{assignment}-{digest.hexdigest()[:24]}.db"
    if not seeded.exists():
        seeded.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=seeded.parent) as tmp:
            generate(assignment, Path(tmp) / "release", db_url=f"sqlite:///{tmp}/gradebook.db")
            os.replace(Path(tmp) / "gradebook.db", seeded)  # whole or not at all, for graders in parallel
    return seeded


def _empty_answers(graded: Path):
    """grade_id → whether that written answer of the graded notebook is empty (blank or the
    release's placeholder); every answer is, where no notebook was graded (missing, broken)."""
    from nbgrader.preprocessors import ClearSolutions

    placeholder = ClearSolutions.text_stub.default_value  # what nbgrader's release left there
    try:
        cells = read_notebook(graded).get("cells", [])
    except BrokenNotebook:
        cells = []
    answers = {nbgrader_meta(c).get("grade_id"): "".join(c.get("source", "")) for c in cells
               if isinstance(c, dict) and c.get("cell_type") == "markdown"}
    return lambda grade_id: answers.get(grade_id, "").strip() in ("", placeholder)


def _knows(db: Path, assignment: str) -> bool:
    """Whether the gradebook exists and has the assignment (one folder may hold several)."""
    from nbgrader.api import Gradebook, MissingEntry

    if not db.exists():
        return False
    with Gradebook(f"sqlite:///{db}") as gb:
        try:
            gb.find_assignment(assignment)
            return True
        except MissingEntry:
            return False


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


def written_cell_counts(gradebook: Path) -> list:
    """Per written-answer cell (nbgrader's manually graded markdown cells): how many of the
    submissions have a manual score (graded) and how many do not yet (awaiting). Read-only, in SQL
    on nbgrader's tables: opening nbgrader's Gradebook may write (it creates what is missing), and
    a TA's account may only read."""
    if not gradebook.exists():
        return []
    query = """
        SELECT a.name, bc.name, gc.max_score, SUM(g.manual_score IS NOT NULL), SUM(g.manual_score IS NULL)
        FROM grade g JOIN grade_cells gc ON gc.id = g.cell_id JOIN base_cell bc ON bc.id = gc.id
        JOIN submitted_notebook sn ON sn.id = g.notebook_id
        JOIN submitted_assignment sa ON sa.id = sn.assignment_id JOIN assignment a ON a.id = sa.assignment_id
        WHERE gc.cell_type = 'markdown' GROUP BY a.name, bc.name ORDER BY a.name, bc.name"""
    try:
        with sqlite3.connect(f"file:{gradebook}?mode=ro", uri=True) as db:
            rows = db.execute(query).fetchall()
    except sqlite3.DatabaseError as err:
        raise KitError(f"{gradebook} is not a readable nbgrader gradebook ({err}); "
                       "re-run `vlmkit autograde` to rebuild it") from None
    return [{"assignment": a, "cell": cell, "points": points, "graded": graded, "awaiting": awaiting}
            for a, cell, points, graded, awaiting in rows]
