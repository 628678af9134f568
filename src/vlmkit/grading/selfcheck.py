"""`vlmkit selfcheck`: the learner's score table from the visible checks of their notebooks.

    vlmkit selfcheck                          # every notebook in notebooks/checkpoint/
    vlmkit selfcheck notebooks/checkpoint/q5_coordinate_tokens.ipynb

It runs the same engine as the autograder (same sandbox, same judges) on the learner's own
notebook, without hidden checks and without any instructor file. Exit status 0 only when
every question of the assignment passes.
"""

from pathlib import Path

from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.errors import KitError
from vlmkit.grading.engine import grade_notebook
from vlmkit.grading.report import question_table
from vlmkit.grading.sandbox import Limits


def locate(notebooks, course) -> list:
    """[(assignment, question, path)] for the given notebook paths (default: all released ones)."""
    if not notebooks:
        found = [(a, q, paths.NOTEBOOKS / a.name / q.notebook)
                 for a in course.values() if a.name == "checkpoint" for q in a.questions]
        return found
    located = []
    for raw in notebooks:
        path = Path(raw)
        if not path.exists():
            raise KitError(f"{path} does not exist")
        match = [(a, a.by_notebook(path.name)) for a in course.values() if a.by_notebook(path.name)]
        if not match:
            known = ", ".join(q.notebook for a in course.values() for q in a.questions)
            raise KitError(f"{path.name} is not a course notebook (known: {known})")
        located.append((*match[0], path))
    return located


def selfcheck(notebooks=None, limits: Limits = Limits()) -> dict:
    """assignment name → {question id → result dict} (visible checks only)."""
    course = load_course()
    results = {}
    for assignment, question, path in locate(notebooks, course):
        result = grade_notebook(question.id, path, path, None, limits)
        results.setdefault(assignment.name, {})[question.id] = result.to_json()
    return results


def run(args) -> int:
    results = selfcheck(args.notebooks, Limits(wall_s=args.timeout))
    course = load_course()
    complete = True
    for name, questions in results.items():
        assignment = course[name]
        print(question_table(assignment, questions, f"{assignment.title} (visible checks only; "
                                                    "hidden tests run when it is graded)"))
        # Without arguments every question must pass; with notebooks named, those must.
        wanted = [q.id for q in assignment.questions] if not args.notebooks else list(questions)
        complete &= all(q in questions and questions[q]["score"] >= questions[q]["max_score"] > 0
                        for q in wanted)
    return 0 if complete else 1


def register(subparsers):
    parser = subparsers.add_parser("selfcheck", help="run your notebooks' checks and print your score")
    parser.add_argument("notebooks", nargs="*", help="notebooks to check (default: all checkpoint ones)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per notebook")
    parser.set_defaults(func=run)
