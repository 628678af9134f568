"""Autograding (`vlmkit autograde`): grade a class's submissions with hidden checks, in parallel.

    graded = autograde(Path("submissions"), Path("grades"), "checkpoint", jobs=2)

SUBMISSIONS holds one folder per student in nbgrader's submitted layout
(`<student>/<assignment>/*.ipynb`). DIR receives grades.csv, report.json, feedback/, an
nbgrader gradebook.db (for `nbgrader export` and formgrader) and results/<assignment>/<student>.json
(one file per student, replaced atomically: re-grading a student replaces their grades, and a
run that dies half-way leaves "grading failed", never old scores).
"""

import dataclasses
import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.errors import KitError
from vlmkit.grading.engine import QuestionResult, grade_notebook
from vlmkit.grading.gradebook import record_grades
from vlmkit.grading.report import (
    assignment_line,
    atomic_write,
    question_table,
    write_outputs,
)
from vlmkit.grading.sandbox import Limits, run_notebook

STUDENT_NAME = re.compile(r"[A-Za-z0-9_.@+-]+")


def find_students(submissions: Path) -> list[str]:
    if not submissions.is_dir():
        raise KitError(f"no submissions folder at {submissions} (expected <student>/<assignment>/*.ipynb)")
    folders = sorted(p.name for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    names = [n for n in folders if STUDENT_NAME.fullmatch(n)]
    for skipped in sorted(set(folders) - set(names)):
        print(f"skipping folder {skipped!r}: a student id holds only letters, digits and _.@+-",
              file=sys.stderr)
    if not names:
        raise KitError(f"{submissions} has no student folders (expected <student>/<assignment>/*.ipynb)")
    return names


def _grade_task(student_dir: Path, assignment: str, question, limits: Limits,
                execute=run_notebook) -> QuestionResult:
    source = paths.SOLUTIONS / assignment / question.notebook
    learner = student_dir / assignment / question.notebook
    try:
        return grade_notebook(question.id, source, learner, paths.HIDDEN_CHECKS, limits, execute)
    except Exception as err:  # a grader fault costs this question, never the batch
        return QuestionResult(question.id, question.notebook, 0.0, question.points, "failed",
                              notes=[f"grading failed: {type(err).__name__}: {err}"])


def _store(out: Path, student: str, assignment: str, status: str, questions: dict) -> None:
    record = {"student": student, "assignment": assignment, "status": status,
              "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "questions": questions}
    atomic_write(out / "results" / assignment / f"{student}.json", json.dumps(record, indent=1))


def load_results(out: Path, assignment: str) -> dict:
    """student → {question id → result}, or → None where the student's grading did not finish."""
    students = {}
    for path in sorted((out / "results" / assignment).glob("*.json")):
        record = json.loads(path.read_text())
        students[record["student"]] = record["questions"] if record["status"] == "complete" else None
    return students


def _run_tasks(tasks: list, jobs: int, scheduler=None) -> list:
    """Grade every (student folder, assignment, question, limits, executor) task, in order.

    Locally with `jobs` threads (each task is a sandboxed subprocess), or, given a scheduler
    address, as one Dask task per notebook on that cluster; either way the results come back
    here, to the one process that writes the gradebook.
    """
    if scheduler:
        from distributed import Client

        try:
            client = Client(scheduler, timeout="20s")
        except OSError as err:
            raise KitError(f"cannot reach the Dask scheduler at {scheduler} ({err})") from None
        with client:
            futures = client.map(_grade_task, *zip(*tasks), pure=False)
            return client.gather(futures)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda task: _grade_task(*task), tasks))


def autograde(submissions: Path, out: Path, assignment: str = "checkpoint", jobs: int = 1,
              limits: Limits = Limits(), students=None, scheduler=None, execute=run_notebook) -> dict:
    """Grade every (student, question) and write all outputs; returns student → results.

    `execute` runs each notebook: the sandbox, always, for submissions; tests of the grader's own
    determinism pass the fast path (inprocess.run_forked) to grade the course's examples quickly.
    """
    course = load_course()
    if assignment not in course:
        raise KitError(f"unknown assignment {assignment!r}; the course has: {', '.join(course)}")
    spec = course[assignment]
    names = students or find_students(submissions)
    limits = dataclasses.replace(limits, threads=max(1, 2 // jobs))
    for name in names:  # from here on, an interrupted run shows "failed", not the old grade
        _store(out, name, assignment, "in progress", {})
    tasks = [(submissions / name, assignment, q, limits, execute) for name in names for q in spec.questions]
    results = _run_tasks(tasks, jobs, scheduler)
    graded = {}
    for (student_dir, _, question, _, _), result in zip(tasks, results):
        name = student_dir.name
        graded.setdefault(name, {})[question.id] = result.to_json()
        if result.feedback:
            page = out / "feedback" / name / assignment / f"{Path(question.notebook).stem}.html"
            atomic_write(page, result.feedback)
    record_grades(out, assignment, graded)
    for name, questions in graded.items():
        _store(out, name, assignment, "complete", questions)
    write_outputs(out, course, {a: load_results(out, a) for a in course
                                if (out / "results" / a).is_dir()})
    return graded


def print_summary(course: dict, graded: dict, heading: str = "") -> None:
    """graded: assignment → student → results. The checkpoint table, then the other assignments."""
    students = sorted({name for by_student in graded.values() for name in by_student})
    for name in students:
        print(f"\n== {heading}{name}")
        if name in graded.get("checkpoint", {}):
            print(question_table(course["checkpoint"], graded["checkpoint"][name]))
        for assignment, by_student in graded.items():
            if assignment != "checkpoint" and name in by_student:
                print(assignment_line(course[assignment], by_student[name]))


def assignments_present(submissions: Path, course: dict) -> list[str]:
    """The course's assignments that at least one student folder holds."""
    found = [a for a in course if any(submissions.glob(f"*/{a}"))]
    if not found:
        raise KitError(f"no student folder in {submissions} holds any of: {', '.join(course)}")
    return found
