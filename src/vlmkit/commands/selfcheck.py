"""`vlmkit selfcheck`: run your notebooks' visible checks and print your score table.

    vlmkit selfcheck                          # every notebook in notebooks/checkpoint/
    vlmkit selfcheck notebooks/checkpoint/q5_coordinate_tokens.ipynb

Exit status 0 only when every question checked passes. A line per notebook goes to stderr as
each one is done (notebooks take seconds each); the table follows at the end.
"""

import sys
import time

from vlmkit.commands.defaults import default_of
from vlmkit.commands.limit_flags import add_limit_flags, limits_from
from vlmkit.course import load_course
from vlmkit.grading.checking.points import fmt_points
from vlmkit.grading.outputs.score_table import question_table
from vlmkit.grading.workflows.selfcheck import all_pass, selfcheck


def register(subparsers):
    parser = subparsers.add_parser("selfcheck", help="run your notebooks' checks and print your score")
    parser.add_argument("notebooks", nargs="*", help="notebooks to check (default: all checkpoint ones)")
    parser.add_argument("--jobs", type=int, default=default_of(selfcheck, "jobs"),
                        help="notebooks checked at once (default: %(default)s)")
    add_limit_flags(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    results = selfcheck(args.notebooks, limits_from(args), _progress(time.monotonic()), args.jobs)
    course = load_course()
    for name, questions in results.items():
        assignment = course[name]
        print(question_table(assignment, questions, f"{assignment.title} (visible checks only; "
                                                    "hidden tests run when it is graded)"))
    return 0 if all_pass(results, course, named=bool(args.notebooks)) else 1


def _progress(started: float):
    """A callback printing "checked q5_coordinate_tokens.ipynb: 1/1 (after 2.4 s)" as each notebook is done."""
    def done(assignment, question, result):
        score = f"{fmt_points(result['score'])}/{fmt_points(result['max_score'])}"
        status = "" if result["status"] == "graded" else f", {result['status']}"
        print(f"checked {question.notebook}: {score}{status} (after {time.monotonic() - started:.1f} s)",
              file=sys.stderr, flush=True)

    return done
