"""`vlmkit autograde`: grade a class's submissions with hidden checks (instructor).

    vlmkit autograde SUBMISSIONS --out DIR [--assignment checkpoint] [--jobs N] [--timeout S]

SUBMISSIONS holds one folder per student in nbgrader's submitted layout
(`<student>/<assignment>/*.ipynb`); see vlmkit.grading.autograde for what DIR receives.
"""

from pathlib import Path

from vlmkit.commands.defaults import default_of
from vlmkit.course import load_course
from vlmkit.grading.autograde import assignments_present, autograde, find_students, print_summary
from vlmkit.grading.sandbox import Limits


def register(subparsers):
    parser = subparsers.add_parser("autograde", help="grade submissions with hidden tests (instructor)")
    parser.add_argument("submissions", help="folder with <student>/<assignment>/*.ipynb")
    parser.add_argument("--out", required=True, help="folder for grades.csv, report.json, feedback/")
    parser.add_argument("--assignment", help="grade only this assignment (default: all submitted)")
    parser.add_argument("--jobs", type=int, default=default_of(autograde, "jobs"),
                        help="notebooks graded at once (default: %(default)s)")
    parser.add_argument("--timeout", type=int, default=Limits().wall_s,
                        help="seconds per notebook (default: %(default)s)")
    parser.add_argument("--cell-timeout", type=int, default=Limits().cell_s,
                        help="seconds per cell (default: %(default)s)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="grade on a Dask distributed cluster (e.g. tcp://host:8786)")
    parser.set_defaults(func=run)


def run(args) -> int:
    submissions, out = Path(args.submissions), Path(args.out)
    limits = Limits(wall_s=args.timeout, cell_s=min(args.cell_timeout, args.timeout))
    course = load_course()
    find_students(submissions)  # a missing folder is reported before anything else
    names = [args.assignment] if args.assignment else assignments_present(submissions, course)
    graded = {a: autograde(submissions, out, a, args.jobs, limits, scheduler=args.scheduler)
              for a in names}
    print_summary(course, graded)
    print(f"\ngrades: {out / 'grades.csv'}\nreport: {out / 'report.json'}\nfeedback: {out / 'feedback'}")
    return 0
