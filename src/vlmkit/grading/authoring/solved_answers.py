"""The course's solved notebooks graded with some answer cells replaced, on the fast path.

    result = grade_answers("q5", {"q5_tokens": wrong_source})   # a QuestionResult, hidden checks included
    result = grade_answers("q5", {}, blank=True)                # from the released notebook instead

What the mutation audit, the wrong-answer tests and the contracts' coverage tests share: each
question's solved notebook (its free cells dropped) is built once per process, before any grading
thread starts, and every call grades a fresh copy with the given answers put in.
"""

import tempfile
from pathlib import Path

import nbformat

from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.errors import KitError
from vlmkit.grading.authoring.answer_banks import set_answers
from vlmkit.grading.authoring.examples import graded_cells_only, solved
from vlmkit.grading.engine.fast_path import run_forked
from vlmkit.grading.engine.grade import grade_notebook
from vlmkit.grading.sandbox.limits import Limits

# A mutant that loops is stopped and counts as killed (it would lose its points when graded).
MUTANT_LIMITS = Limits(wall_s=300, cell_s=60, threads=1)
_BASE = {}  # question id -> (assignment name, question, solved notebook), filled before threads start


def load_solved(question_ids: list) -> None:
    """Build (once) each question's solved notebook without its free cells; unknown ids are an error."""
    course = load_course()
    by_id = {q.id: (a.name, q) for a in course.values() for q in a.questions}
    unknown = [q for q in question_ids if q not in by_id]
    if unknown:
        raise KitError(f"unknown question {', '.join(unknown)}; the course has: {', '.join(by_id)}")
    for qid in set(question_ids) - set(_BASE):
        assignment, q = by_id[qid]
        nb = solved(paths.NOTEBOOKS / assignment / q.notebook, paths.SOLUTIONS / assignment / q.notebook)
        _BASE[qid] = (assignment, q, graded_cells_only(nb))


def solved_base(question: str) -> tuple:
    """(assignment name, question, solved notebook without its free cells) of a question."""
    load_solved([question])
    return _BASE[question]


def grade_answers(question: str, answers: dict, limits: Limits = MUTANT_LIMITS, blank: bool = False,
                  execute=run_forked):
    """Grade the solved notebook (free cells dropped) with some answer cells replaced, on the
    fast path (`execute`, run_forked or a wrapper of it), hidden checks included; blank=True
    starts from the released notebook instead."""
    assignment, q, base = solved_base(question)
    if blank:
        base = graded_cells_only(nbformat.read(str(paths.NOTEBOOKS / assignment / q.notebook), as_version=4))
    with tempfile.TemporaryDirectory(prefix="vlmkit-audit-") as tmp:
        learner = Path(tmp) / q.notebook
        nbformat.write(set_answers(base, answers), str(learner))
        return grade_notebook(q.id, paths.SOLUTIONS / assignment / q.notebook, learner,
                              paths.HIDDEN_CHECKS, limits, execute=execute)
