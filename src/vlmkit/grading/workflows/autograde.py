"""Autograding (`vlmkit autograde`): grade a class's submissions with hidden checks, in parallel.

    graded = autograde(Path("submissions"), Path("grades"), "checkpoint", jobs=2)

SUBMISSIONS holds one folder per student in nbgrader's submitted layout
(`<student>/<assignment>/*.ipynb`). DIR receives results/<assignment>/<student>.json (see
outputs/results.py), an nbgrader gradebook.db, autograded/<student>/<assignment>/*.ipynb
(nbgrader's layout, for `nbgrader export` and `vlmkit formgrader DIR`), nbgrader_config.py (so
that nbgrader run in DIR exports to nbgrader_grades.csv, not over the kit's grades.csv), and what
outputs/rebuild.py derives from them: grades.csv, report.json, feedback/ and the class report.
"""

import dataclasses
import re
import sys
from contextlib import nullcontext
from pathlib import Path

from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.errors import KitError
from vlmkit.grading.checking.files import atomic_write
from vlmkit.grading.engine.grade import QuestionResult, grade_notebook
from vlmkit.grading.nbgrader_io.formgrader import write_config
from vlmkit.grading.nbgrader_io.gradebook import record_grades, submitted_at
from vlmkit.grading.outputs.rebuild import refresh
from vlmkit.grading.outputs.results import store
from vlmkit.grading.outputs.score_table import assignment_line, question_table
from vlmkit.grading.sandbox.isolation import describe, record, require_isolation
from vlmkit.grading.sandbox.kernel_preload import imports_of
from vlmkit.grading.sandbox.limits import Limits, load_limits
from vlmkit.grading.sandbox.prestart import Prestarted
from vlmkit.grading.sandbox.run import run_notebook
from vlmkit.grading.sandbox.timings import Timings, emit
from vlmkit.grading.workflows.batch import run_tasks

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


def grade_task(student_dir: Path, assignment: str, question, limits: Limits,
                execute=run_notebook) -> QuestionResult:
    source = paths.SOLUTIONS / assignment / question.notebook
    learner = student_dir / assignment / question.notebook
    try:
        return grade_notebook(question.id, source, learner, paths.HIDDEN_CHECKS, limits, execute)
    except Exception as err:  # a grader fault costs this question, never the batch
        return QuestionResult(question.id, question.notebook, 0.0, question.points, "failed",
                              notes=[f"grading failed: {type(err).__name__}: {err}"])


def autograde(submissions: Path, out: Path, assignment: str = "checkpoint", jobs: int = 1,
              limits: Limits | None = None, students=None, scheduler=None, execute=run_notebook,
              allow_unisolated: bool = False) -> dict:
    """Grade every (student, question) and write all outputs; returns student → results.

    `limits` default to the course's (limits.load_limits). `execute` runs each notebook: the
    sandbox, always, for submissions; tests of the grader's own determinism pass the fast path
    (fast_path.run_forked) to grade the course's examples quickly. A host that gives learner code
    neither bubblewrap nor a process cap is refused unless `allow_unisolated`.
    """
    course = load_course()
    if assignment not in course:
        raise KitError(f"unknown assignment {assignment!r}; the course has: {', '.join(course)}")
    spec = course[assignment]
    names = students or find_students(submissions)
    limits = limits or load_limits()
    isolation = describe(limits)
    require_isolation(isolation, allow_unisolated)
    limits = dataclasses.replace(limits, threads=max(1, limits.threads // jobs))
    for name in names:  # from here on, an interrupted run shows "failed", not the old grade
        store(out, name, assignment, "in progress", {})
    pairs = [(submissions / name, q) for name in names for q in spec.questions]  # the tasks' order
    preload = {q.id: imports_of(paths.SOLUTIONS / assignment / q.notebook, q.id) for q in spec.questions}
    # One per notebook that will run, in the tasks' order (a missing one runs nothing).
    preloads = [preload[q.id] for student, q in pairs if (student / assignment / q.notebook).is_file()]
    with _ahead(execute, scheduler, limits, preloads, jobs) as execute:
        tasks = [(student, assignment, q, limits, execute) for student, q in pairs]
        results = run_tasks(grade_task, tasks, jobs, scheduler, assignment)
    timings = Timings()  # the class's outputs, after every notebook's own phases (engine.py)
    with timings.phase("outputs"):
        graded = _write_outputs(out, submissions, assignment, tasks, results, isolation)
    emit(f"{assignment} outputs", timings)
    return graded


def _ahead(execute, scheduler, limits: Limits, preloads: list, jobs: int):
    """The sandbox with the next notebooks' sandboxes started ahead (prestart.py), their kernels
    importing what each notebook imports, where this process runs them; a cluster's workers, and
    any other executor, run as given."""
    if execute is run_notebook and not scheduler:
        return Prestarted(limits, len(preloads), jobs=jobs, preloads=preloads)
    return nullcontext(execute)


def _write_outputs(out: Path, submissions: Path, assignment: str, tasks: list, results: list, isolation) -> dict:
    """Graded copies, gradebook, results, grades, report, feedback, class report; student → results."""
    graded = {}
    for (student_dir, _, question, _, _), result in zip(tasks, results):
        name = student_dir.name
        graded.setdefault(name, {})[question.id] = result.to_json()
        graded_copy = out / "autograded" / name / assignment / question.notebook
        if result.autograded:  # formgrader lists a submission for manual grading by this file
            atomic_write(graded_copy, result.autograded)
        else:  # nothing ran (missing, broken): an older run's copy must not stay listed
            graded_copy.unlink(missing_ok=True)
    record_grades(out, assignment, graded, {name: submitted_at(submissions / name / assignment) for name in graded})
    write_config(out)  # before anyone can run `nbgrader export` here: its default file is grades.csv
    for name, questions in graded.items():
        store(out, name, assignment, "complete", questions)
    refresh(out, pages_of=[assignment])  # grades, report, feedback with any manual grades, class report
    record(out, isolation)  # report.json says what isolation these grades were made under
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
