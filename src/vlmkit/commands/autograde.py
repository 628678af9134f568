"""`vlmkit autograde`: grade a class's submissions with hidden checks (instructor).

    vlmkit autograde SUBMISSIONS --out DIR [--assignment checkpoint] [--student ID ...] [--jobs N]
                     [--timeout S] [--cell-timeout S] [--limit NAME=VALUE ...] [--allow-unisolated] [-v | -q]
    vlmkit autograde --hub DIR [...]   # the course hub's collected submissions, into its course folder

`--student ID` re-grades those learners only; everyone else's stored grades stay as they are
(grades.csv, report.json and the class report are rebuilt from all stored results).

Progress goes to stderr: a live line on a terminal, log lines otherwise (-q: none, -v: one per
notebook). Limits: autograder/limits.toml, then the flags (see `vlmkit doctor`).

SUBMISSIONS holds one folder per student in nbgrader's submitted layout
(`<student>/<assignment>/*.ipynb`); see vlmkit.grading.workflows.autograde for what DIR receives.
"""

import logging
from pathlib import Path

from vlmkit.commands.defaults import default_of
from vlmkit.commands.limit_flags import add_limit_flags, limits_from
from vlmkit.course import load_course
from vlmkit.errors import KitError
from vlmkit.grading.outputs.class_report import HTML_NAME
from vlmkit.grading.sandbox.isolation import describe, summary_line
from vlmkit.grading.workflows.autograde import assignments_present, autograde, find_students, print_summary
from vlmkit.hub.layout import HubLayout


def register(subparsers):
    parser = subparsers.add_parser("autograde", help="grade submissions with hidden tests (instructor)")
    parser.add_argument("submissions", nargs="?", help="folder with <student>/<assignment>/*.ipynb")
    parser.add_argument("--out", help="folder for grades.csv, report.json, feedback/")
    parser.add_argument("--hub", metavar="DIR", help="a course hub folder: grade what `vlmkit collect --hub` "
                                                     "collected into its course folder (instead of SUBMISSIONS --out)")
    parser.add_argument("--assignment", help="grade only this assignment (default: all submitted)")
    parser.add_argument("--student", action="append", metavar="ID",
                        help="re-grade only this learner (repeatable); the others' grades are kept")
    parser.add_argument("--jobs", type=int, default=default_of(autograde, "jobs"),
                        help="notebooks graded at once (default: %(default)s)")
    add_limit_flags(parser)
    parser.add_argument("--allow-unisolated", action="store_true",
                        default=default_of(autograde, "allow_unisolated"),
                        help="grade even where learner code gets neither bubblewrap nor a process cap")
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("-v", "--verbose", action="store_true", help="a progress line per notebook")
    loudness.add_argument("-q", "--quiet", action="store_true", help="no progress, only the summary")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="grade on a Dask distributed cluster (e.g. tcp://host:8786)")
    parser.set_defaults(func=run)


def run(args) -> int:
    hub = HubLayout.open(Path(args.hub)) if args.hub else None
    if hub:
        submissions, out = hub.course / "submitted", hub.course
    elif args.submissions and args.out:
        submissions, out = Path(args.submissions), Path(args.out)
    else:
        raise KitError("give SUBMISSIONS --out DIR, or --hub DIR")
    _show_progress(logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO)
    limits = limits_from(args)
    course = load_course()
    present = find_students(submissions)  # a missing folder is reported before anything else
    unknown = sorted(set(args.student or ()) - set(present))
    if unknown:
        raise KitError(f"no submission folder for {', '.join(unknown)} in {submissions}")
    names = [args.assignment] if args.assignment else assignments_present(submissions, course)
    chosen = {a: _submitted(submissions, a, args.student) for a in names}
    graded = {a: autograde(submissions, out, a, args.jobs, limits, students=students, scheduler=args.scheduler,
                           allow_unisolated=args.allow_unisolated)
              for a, students in chosen.items() if students != []}
    if hub:
        hub.hand_over_course()
    print_summary(course, graded)
    print(f"\n{summary_line(describe(limits))}")
    print(f"\ngrades: {out / 'grades.csv'}\nreport: {out / 'report.json'}\nfeedback: {out / 'feedback'}")
    print(f"class report: {out / HTML_NAME}\nwritten answers: vlmkit formgrader {out}")
    return 0


def _submitted(submissions: Path, assignment: str, students):
    """Of the chosen students, those who submitted this assignment; None: no choice, grade all."""
    if not students:
        return None
    return [name for name in students if (submissions / name / assignment).is_dir()]


def _show_progress(level: int) -> None:
    """The kit's own log lines (progress) on stderr; other libraries' logging is left as it was."""
    kit_log = logging.getLogger("vlmkit")
    if not any(getattr(h, "kit_progress", False) for h in kit_log.handlers):  # once per process
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        handler.kit_progress = True
        kit_log.addHandler(handler)
    kit_log.setLevel(level)
