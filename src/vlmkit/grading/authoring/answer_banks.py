"""The answer banks: the course's own answers and the maintainers' realistic other answers.

    solution_answers(source_notebook)       grade_id -> the solved answer cell
    mistake(source, (old, new), ...)        a wrong answer made by editing a solution
    wrong_answers("q5"), other_correct_answers("q5"), delegating_answers("q5"), written_answers("q5")

The banks live in autograder/<bank>/<question>.py (WRONG, CORRECT, DELEGATING, WRITTEN lists);
the examples (examples.py), the audit and the tests all read them through this module.
"""

import importlib.util
from pathlib import Path

import nbformat

from vlmkit import paths
from vlmkit.grading.nbgrader_io.cells import SOLUTION_MARKER, nbgrader_meta

WRONG_ANSWERS = paths.AUTOGRADER / "wrong_answers"
OTHER_CORRECT = paths.AUTOGRADER / "other_correct_answers"
DELEGATING = paths.AUTOGRADER / "delegating_answers"
WRITTEN_ANSWERS = paths.AUTOGRADER / "written_answers"


def solution_lines(cell_source: str) -> tuple[str, set]:
    """(the cell as a learner who solved it has it, the 1-based lines that were solution code)."""
    code_lines, inside, kept = [], False, set()
    for line in cell_source.splitlines(keepends=True):
        marker = SOLUTION_MARKER.match(line)
        if marker:
            inside = marker.group(1) == "BEGIN"
            continue
        code_lines.append(line)
        if inside:
            kept.add(len(code_lines))
    return "".join(code_lines), kept


def solution_code(source_text: str) -> str:
    """An answer cell's source as a learner who solved it would have it (markers removed)."""
    return solution_lines(source_text)[0]


def set_answers(learner_nb, answers: dict):
    """A copy of learner_nb whose answer cells (by grade_id) get the given sources."""
    nb = nbformat.from_dict(learner_nb)
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if nbgrader_meta(cell).get("solution") and grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def solution_answers(source_path: Path) -> dict:
    """grade_id → the answer cell's source as a learner who solved it would have it."""
    source = nbformat.read(str(source_path), as_version=4)
    return {nbgrader_meta(c)["grade_id"]: solution_code(c.source)
            for c in source.cells if nbgrader_meta(c).get("solution")}


def mistake(source: str, *edits) -> str:
    """A wrong answer: `source` with each (old, new) edit made; each old passage must be there
    exactly once, so a wrong answer cannot silently stop being wrong when the solution changes."""
    for old, new in edits:
        if source.count(old) != 1:
            raise ValueError(f"the passage to change is not in the solution exactly once: {old!r}")
        source = source.replace(old, new)
    return source


def _answers_file(folder: Path, question: str, name: str) -> list:
    path = folder / f"{question}.py"
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location(f"{folder.name}_{question}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(getattr(module, name))


def wrong_answers(question: str) -> list:
    """[(name, answer_grade_id, wrong_source, lost_test_cells)] for a question, [] if none written."""
    return _answers_file(WRONG_ANSWERS, question, "WRONG")


def delegating_answers(question: str) -> list:
    """[(name, answer_grade_id, source, lost_test_cells)]: answers that call the reference the
    question is graded against (manifest "references"); each loses exactly those cells."""
    return _answers_file(DELEGATING, question, "DELEGATING")


def other_correct_answers(question: str) -> list:
    """[(name, answer_grade_id, source)]: correct answers written differently from the solution
    (another reading the spec allows, another idiom); each must score full marks."""
    return _answers_file(OTHER_CORRECT, question, "CORRECT")


def written_answers(question: str) -> list:
    """[(name, written cell grade_id, a learner's own answer, an instructor's score, their comment)]:
    partly right written answers, and the mark an instructor would give each."""
    return _answers_file(WRITTEN_ANSWERS, question, "WRITTEN")
