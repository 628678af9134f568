"""`vlmkit feedback`: bring feedback, grades.csv and report.json up to date after manual grading (instructor).

    vlmkit feedback GRADES

GRADES is the folder `vlmkit autograde --out` wrote. Run it after grading the written answers
in formgrader: each learner's page then shows their written answers' scores and key points,
and grades.csv's written columns their points. No notebook is run.
"""

from pathlib import Path

from vlmkit.grading.outputs.rebuild import refresh


def register(subparsers):
    parser = subparsers.add_parser("feedback", help="re-render feedback and grades after manual grading (instructor)")
    parser.add_argument("grades", help="the folder `vlmkit autograde --out` wrote")
    parser.set_defaults(func=run)


def run(args) -> int:
    out = Path(args.grades)
    pages = refresh(out)
    print(f"{len(pages)} feedback pages: {out / 'feedback'}\ngrades: {out / 'grades.csv'}\n"
          f"report: {out / 'report.json'}")
    return 0
