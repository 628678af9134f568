"""The stored grading results: GRADES/results/<assignment>/<student>.json, one file per student.

    store(out, "ana", "checkpoint", "complete", questions)
    graded = load_graded(out)            # assignment → student → {question id → result} or None

Each file is replaced atomically; a student's file says "in progress" while they are graded, so
a run that dies half-way shows "grading failed", never old scores. Everything else in GRADES
(grades.csv, report.json, feedback, the class report) is rebuilt from these files and the
gradebook, never by running a notebook again.
"""

import gc
import json
from datetime import datetime, timezone
from pathlib import Path

from vlmkit.course import load_course
from vlmkit.errors import KitError
from vlmkit.grading.checking.files import atomic_write


def store(out: Path, student: str, assignment: str, status: str, questions: dict) -> None:
    record = {"student": student, "assignment": assignment, "status": status,
              "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "questions": questions}
    atomic_write(Path(out) / "results" / assignment / f"{student}.json", json.dumps(record, indent=1))


def load_results(out: Path, assignment: str) -> dict:
    """student → {question id → result}, or → None where the student's grading did not finish."""
    students = {}
    for path in sorted((Path(out) / "results" / assignment).glob("*.json")):
        record = json.loads(path.read_text())
        students[record["student"]] = record["questions"] if record["status"] == "complete" else None
    return students


def load_graded(out: Path) -> dict:
    """assignment → student → results, for every assignment with results in `out`."""
    out = Path(out)
    collecting = gc.isenabled()
    gc.disable()  # parsed JSON holds no cycles: collecting while 10,000 files load only costs time
    try:
        graded = {a: load_results(out, a) for a in load_course() if (out / "results" / a).is_dir()}
    except (ValueError, KeyError, TypeError) as err:
        raise KitError(f"a results file in {out}/results is damaged ({type(err).__name__}: {err}); "
                       f"re-run `vlmkit autograde SUBMISSIONS --out {out}`") from None
    finally:
        if collecting:
            gc.enable()
    graded = {a: students for a, students in graded.items() if students}
    if not graded:
        raise KitError(f"no grading results in {out}/results: run "
                       f"`vlmkit autograde SUBMISSIONS --out {out}` first")
    return graded
