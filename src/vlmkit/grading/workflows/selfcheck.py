"""Self-check (`vlmkit selfcheck`): the learner's score table from the visible checks of their notebooks.

    vlmkit selfcheck                          # every notebook in notebooks/checkpoint/
    vlmkit selfcheck notebooks/checkpoint/q5_coordinate_tokens.ipynb
    vlmkit selfcheck checkpoint/q5_coordinate_tokens.ipynb   # as JupyterLab's file browser shows it

It runs the same engine as the autograder (same sandbox, same judges) on the learner's own
notebook, without hidden checks and without any instructor file. Exit status 0 only when
every question of the assignment passes.
"""

import dataclasses
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.errors import KitError
from vlmkit.grading.engine.grade import grade_notebook
from vlmkit.grading.sandbox.kernel_preload import imports_of
from vlmkit.grading.sandbox.limits import Limits
from vlmkit.grading.sandbox.prestart import Prestarted


def locate(notebooks, course) -> list:
    """[(assignment, question, path)] for the given notebook paths (default: all released ones)."""
    if not notebooks:
        found = [(a, q, paths.NOTEBOOKS / a.name / q.notebook)
                 for a in course.values() if a.name == "checkpoint" for q in a.questions]
        return found
    located = []
    for raw in notebooks:
        path = resolve(raw)
        match = [(a, a.by_notebook(path.name)) for a in course.values() if a.by_notebook(path.name)]
        if not match:
            known = ", ".join(q.notebook for a in course.values() for q in a.questions)
            raise KitError(f"{path.name} is not a course notebook (known: {known})")
        located.append((*match[0], path))
    return located


def resolve(raw) -> Path:
    """The notebook `raw` names: relative to this folder, else to the kit's notebooks/ (the root of
    `vlmkit lab`'s file browser), else to the kit's folder; an error where none exists."""
    path = Path(raw)
    candidates = [path] if path.is_absolute() else [path, paths.NOTEBOOKS / path, paths.ROOT / path]
    found = next((p for p in candidates if p.exists()), None)
    if found is None:
        raise KitError(f"{path} does not exist (looked here and in {paths.NOTEBOOKS})")
    return found


def selfcheck(notebooks=None, limits: Limits = Limits(), on_result=None, jobs: int = 2) -> dict:
    """assignment name → {question id → result dict} (visible checks only).

    `jobs` notebooks run at once (their BLAS threads shared out, as autograde does), each next
    sandbox started while they run; `on_result(assignment, question, result dict)` is called as
    each notebook is done.
    """
    course = load_course()
    located = locate(notebooks, course)
    jobs = max(1, min(jobs, len(located)))
    limits = dataclasses.replace(limits, threads=max(1, limits.threads // jobs))
    done = {}
    preloads = [imports_of(path, question.id) for _, question, path in located]
    with Prestarted(limits, len(located), jobs=jobs, preloads=preloads) as execute, ThreadPoolExecutor(jobs) as pool:
        futures = {pool.submit(grade_notebook, question.id, path, path, None, limits, execute): (assignment, question)
                   for assignment, question, path in located}
        for future in as_completed(futures):
            assignment, question = futures[future]
            done[question.id] = future.result().to_json()
            if on_result:
                on_result(assignment, question, done[question.id])
    results = {}
    for assignment, question, _ in located:  # in the course's order, whatever finished first
        results.setdefault(assignment.name, {})[question.id] = done[question.id]
    return results


def all_pass(results: dict, course: dict, named: bool) -> bool:
    """Every question of every assignment checked passes; when notebooks were named, those."""
    complete = True
    for name, questions in results.items():
        wanted = list(questions) if named else [q.id for q in course[name].questions]
        complete &= all(q in questions and questions[q]["score"] >= questions[q]["max_score"] > 0
                        for q in wanted)
    return complete
