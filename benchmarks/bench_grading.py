"""Grading throughput: the kit's autograde vs plain nbgrader, jobs 1 and 2, sandbox on and off.

    python benchmarks/bench_grading.py [--students 4]

Prints seconds per student, students per minute, the projection for a course of 1,000 learners,
the kit's overhead over plain `nbgrader autograde` on the same submissions, each notebook's time
in a sandbox against the fast path's, and the time of `vlmkit selfcheck` on one notebook. A
notebook's sandbox is timed twice: in turn as `autograde --jobs 1` runs a class (the next
notebooks' sandboxes starting beside it; the second of two students, whose notebooks the batch's
start-up no longer delays), and with its kernel given BOOT_S to boot first and nothing beside
it: the sandbox's own cost, without the boot's. Every student submits the complete
example (all questions).
"""

import argparse
import dataclasses
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.grading.engine.fast_path import run_forked
from vlmkit.grading.engine.grade import grade_notebook
from vlmkit.grading.sandbox.kernel_preload import imports_of
from vlmkit.grading.sandbox.limits import Limits
from vlmkit.grading.sandbox.prestart import Prestarted
from vlmkit.grading.sandbox.run import bwrap_available
from vlmkit.grading.workflows.autograde import autograde
from vlmkit.grading.workflows.selfcheck import selfcheck

BOOT_S = 10  # ample for a preloaded kernel to boot on an idle 2-core machine (2-3 s)


def make_submissions(root: Path, students: int) -> Path:
    for i in range(students):
        shutil.copytree(paths.EXAMPLES / "complete", root / f"student{i:03d}")
    return root


def time_kit(subs: Path, jobs: int, sandbox: bool) -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        autograde(subs, Path(out), jobs=jobs, limits=dataclasses.replace(Limits(), sandbox=sandbox))
        return time.perf_counter() - start


def time_plain_nbgrader(subs: Path) -> float:
    """`nbgrader autograde` (in-process API, its fastest form) on a scratch course."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        shutil.copytree(paths.SOLUTIONS / "checkpoint", course / "source" / "checkpoint")
        shutil.copytree(subs, course / "submitted")
        config = Config()
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.db_url = f"sqlite:///{course}/gradebook.db"
        config.Exchange.root = str(course / "exchange")
        api = NbGraderAPI(config=config)
        api.generate_assignment("checkpoint", force=True, create=True)
        start = time.perf_counter()
        for student in sorted(p.name for p in subs.iterdir()):
            result = api.autograde("checkpoint", student, force=True, create=True)
            if not result["success"]:
                print(f"  (plain nbgrader failed for {student})")
        return time.perf_counter() - start


def per_notebook() -> tuple:
    """([(question, sandbox s, sandbox booted s, fast path s)], the first student's s): each notebook
    of the complete example graded alone, hidden checks included, on the fast path (its zygote
    warm), and in sandboxes started ahead: in turn for two students as `autograde --jobs 1` runs
    them (the second student's times; the first one's total carries the batch's start-up), then
    each booted first."""
    located = [(name, q) for name, a in load_course().items() for q in a.questions]
    limits = Limits()

    def grade(name, question, execute) -> float:
        start = time.perf_counter()
        grade_notebook(question.id, paths.SOLUTIONS / name / question.notebook,
                       paths.EXAMPLES / "complete" / name / question.notebook, paths.HIDDEN_CHECKS, limits, execute)
        return time.perf_counter() - start

    for name, q in located:  # warm: the zygote's imports and each question's judges belong to no notebook
        grade(name, q, run_forked)
    fast = [grade(name, q, run_forked) for name, q in located]
    preloads = [imports_of(paths.SOLUTIONS / name / q.notebook, q.id) for name, q in located]
    with Prestarted(limits, 2 * len(located), preloads=preloads * 2) as execute:
        first = sum(grade(name, q, execute) for name, q in located)
        boxed = [grade(name, q, execute) for name, q in located]
    booted = []
    for (name, q), preload in zip(located, preloads):
        with Prestarted(limits, 1, preloads=[preload]) as execute:
            time.sleep(BOOT_S)
            booted.append(grade(name, q, execute))
    return list(zip([q.id for _, q in located], boxed, booted, fast)), first


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=4)
    args = parser.parse_args()
    n = args.students
    print(f"{n} students x {len(list((paths.EXAMPLES / 'complete' / 'checkpoint').glob('*.ipynb')))} "
          f"notebooks each; bubblewrap sandbox available: {bwrap_available()}; cores: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp:
        subs = make_submissions(Path(tmp) / "subs", n)
        plain = time_plain_nbgrader(subs)
        rows = [("plain nbgrader autograde (in-process)", plain)]
        for jobs in (1, 2):
            for sandbox in (True, False):
                label = f"vlmkit autograde --jobs {jobs} ({'sandbox' if sandbox else 'no sandbox'})"
                rows.append((label, time_kit(subs, jobs, sandbox)))
        print(f"{'run':48s}{'s/student':>10s}{'students/min':>14s}{'1000 learners':>15s}")
        for label, seconds in rows:
            per = seconds / n
            print(f"{label:48s}{per:10.1f}{60 / per:14.1f}{1000 * per / 3600:13.1f} h")
        kit = dict(rows)["vlmkit autograde --jobs 1 (sandbox)"]
        print(f"kit overhead over plain nbgrader (jobs 1, sandbox): {100 * (kit - plain) / plain:+.1f}%")
        print(f"\n{'notebook (complete example)':28s}{'sandbox s':>10s}{'ratio':>7s}{'booted first s':>16s}"
              f"{'ratio':>7s}{'fast path s':>13s}")
        rows, first = per_notebook()
        for question, boxed, booted, fast in rows:
            print(f"{question:28s}{boxed:10.2f}{boxed / fast:7.1f}{booted:16.2f}{booted / fast:7.1f}{fast:13.2f}")
        print(f"(sandbox s: the second student's; the first student's {len(rows)} notebooks took {first:.1f} s "
              f"against {sum(boxed for _, boxed, _, _ in rows):.1f} s, the batch's start-up included)")
        notebook = paths.EXAMPLES / "complete" / "checkpoint" / "q5_coordinate_tokens.ipynb"
        start = time.perf_counter()
        selfcheck([notebook])
        print(f"vlmkit selfcheck of one notebook ({notebook.name}): {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
