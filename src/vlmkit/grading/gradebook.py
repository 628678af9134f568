"""Grades into an nbgrader gradebook, so that nbgrader's own tools see them.

    nbgrader export --CourseDirectory.db_url=sqlite:///OUT/gradebook.db

`vlmkit autograde` judges outside nbgrader's executor, then records each test cell's score
here as nbgrader's `auto_score`; formgrader and `nbgrader export` then work as usual. Each
student's submission is replaced in one transaction.
"""

import tempfile
import warnings
from datetime import datetime, timezone
from pathlib import Path

from vlmkit.grading.release import generate


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
        with tempfile.TemporaryDirectory() as tmp:
            generate(assignment, Path(tmp), db_url=f"sqlite:///{db}")
    with Gradebook(f"sqlite:///{db}") as gb:
        for student, questions in students.items():
            gb.update_or_create_student(student)
            manual, comments = {}, {}  # an instructor's manual grades and comments survive a re-grade
            try:
                old = gb.find_submission(assignment, student)
                manual = {(nb.name, g.name): g.manual_score for nb in old.notebooks for g in nb.grades}
                comments = {(nb.name, c.name): c.manual_comment for nb in old.notebooks for c in nb.comments}
                gb.remove_submission(assignment, student)
            except MissingEntry:
                pass
            when = (submitted or {}).get(student) or datetime.now(timezone.utc)
            submission = gb.add_submission(assignment, student, timestamp=when)
            scores = {(Path(r["notebook"]).stem, c["grade_id"]): c["score"]
                      for r in questions.values() for c in r.get("cells", [])}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    key = (notebook.name, grade.name)
                    if grade.cell.cell_type == "code":  # autograded; written answers stay manual
                        grade.auto_score = scores.get(key, 0.0)
                    grade.manual_score = manual.get(key)
                    # formgrader's "needs manual grade": the written answers nobody has graded yet
                    grade.needs_manual_grade = grade.auto_score is None and grade.manual_score is None
                for comment in notebook.comments:
                    comment.manual_comment = comments.get((notebook.name, comment.name))
            gb.db.commit()
    return db


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
