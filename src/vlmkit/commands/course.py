"""`vlmkit course`: the questions, their points and course days, and the score table.

    vlmkit course
"""

from vlmkit.course import SCORE_BANDS, load_course


def register(subparsers):
    subparsers.add_parser("course", help="print the questions, their days and the score table",
                          description=__doc__.splitlines()[0]).set_defaults(func=run)


def run(args) -> int:
    for assignment in load_course().values():
        print(assignment.title)
        for q in assignment.questions:
            print(f"  {q.id:9s} {q.points:g} pt  {q.topic:36s} revisit {q.revisit()}")
    for _, text in SCORE_BANDS:
        print(" ", text)
    return 0
