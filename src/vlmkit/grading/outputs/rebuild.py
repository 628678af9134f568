"""Everything in GRADES that is derived from the stored results, rebuilt without running a notebook:
grades.csv, report.json, the feedback pages and the class report.

    pages = refresh(Path("grades"))

The end of every `vlmkit autograde`, and after manual grading (`vlmkit feedback GRADES`, or
stopping `vlmkit formgrader`). Reads what `vlmkit autograde` stored in GRADES: results/<assignment>/<student>.json (the
autograded verdicts), autograded/<student>/<assignment>/<notebook>.ipynb (the notebook that was
graded) and gradebook.db (the manual scores and comments formgrader wrote). The key points of each written
answer come from solutions/ and reach a learner's page only once that answer is graded.
"""

from pathlib import Path

from vlmkit.course import load_course
from vlmkit.grading.checking.files import atomic_write
from vlmkit.grading.nbgrader_io.cells import BrokenNotebook, read_notebook
from vlmkit.grading.nbgrader_io.gradebook import manual_marks
from vlmkit.grading.nbgrader_io.written import course_written_cells
from vlmkit.grading.outputs.class_report import write_class_report
from vlmkit.grading.outputs.feedback import feedback_html
from vlmkit.grading.outputs.grade_files import write_outputs
from vlmkit.grading.outputs.results import load_graded


def refresh(out: Path, pages_of=None) -> list[Path]:
    """Rewrite grades.csv, report.json, every finished student's feedback pages (only those of
    the assignments in `pages_of`, when given) and the class report; returns the pages."""
    out = Path(out)
    course = load_course()
    graded = load_graded(out)
    write_outputs(out, course, graded)
    pages = []
    for assignment, by_student in graded.items():
        if pages_of is not None and assignment not in pages_of:
            continue
        keys = course_written_cells(assignment)
        marks = manual_marks(out / "gradebook.db", assignment)
        for student, questions in by_student.items():
            if questions is None:  # grading did not finish: nothing to show until it is re-run
                continue
            mine = marks.get(student, {})
            written = {grade_id: {**score, "key_points": keys[grade_id].key_points}
                       for grade_id, score in mine.get("scores", {}).items() if grade_id in keys}
            pages += [_write_page(out, student, assignment, result, written, mine.get("comments", {}))
                      for result in questions.values()]
    write_class_report(out, graded=graded)
    return pages


def _write_page(out: Path, student: str, assignment: str, result: dict, written: dict, comments: dict) -> Path:
    try:  # the notebook as graded; absent when nothing ran (a missing or broken submission)
        notebook = read_notebook(out / "autograded" / student / assignment / result["notebook"])
    except BrokenNotebook:
        notebook = {"cells": []}
    page = out / "feedback" / student / assignment / f"{Path(result['notebook']).stem}.html"
    atomic_write(page, feedback_html(result, notebook, written, comments))
    return page
