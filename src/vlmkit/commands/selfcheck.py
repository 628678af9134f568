"""`vlmkit selfcheck`: run your notebooks' visible checks and print your score table.

    vlmkit selfcheck                          # every notebook in notebooks/checkpoint/
    vlmkit selfcheck notebooks/checkpoint/q5_coordinate_tokens.ipynb

Exit status 0 only when every question checked passes.
"""

from vlmkit.commands.limit_flags import add_limit_flags, limits_from
from vlmkit.course import load_course
from vlmkit.grading.report import question_table
from vlmkit.grading.selfcheck import all_pass, selfcheck


def register(subparsers):
    parser = subparsers.add_parser("selfcheck", help="run your notebooks' checks and print your score")
    parser.add_argument("notebooks", nargs="*", help="notebooks to check (default: all checkpoint ones)")
    add_limit_flags(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    results = selfcheck(args.notebooks, limits_from(args))
    course = load_course()
    for name, questions in results.items():
        assignment = course[name]
        print(question_table(assignment, questions, f"{assignment.title} (visible checks only; "
                                                    "hidden tests run when it is graded)"))
    return 0 if all_pass(results, course, named=bool(args.notebooks)) else 1
