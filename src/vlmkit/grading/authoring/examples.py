"""Example submissions in autograder/examples/, made from the course's own notebooks.

    complete/<assignment>/*.ipynb   the learner notebooks with the solutions filled in
    blank/<assignment>/*.ipynb      the learner notebooks as released
    mistakes/<assignment>/*.ipynb   complete, but with the first realistic wrong answer of each
                                    question (autograder/wrong_answers/<question>.py) put in, and
                                    written answers of the learner's own, partly right
                                    (autograder/written_answers/<question>.py)

`vlmkit demo` grades them; tests use the same functions to build wrong submissions.
"""

import filecmp
import importlib.util
import re
import shutil
import tempfile
from pathlib import Path

import nbformat

from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.grading.nbgrader_io.cells import nbgrader_meta

MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)
WRONG_ANSWERS = paths.AUTOGRADER / "wrong_answers"
OTHER_CORRECT = paths.AUTOGRADER / "other_correct_answers"
DELEGATING = paths.AUTOGRADER / "delegating_answers"
WRITTEN_ANSWERS = paths.AUTOGRADER / "written_answers"


def solution_lines(cell_source: str) -> tuple[str, set]:
    """(the cell as a learner who solved it has it, the 1-based lines that were solution code)."""
    code_lines, inside, kept = [], False, set()
    for line in cell_source.splitlines(keepends=True):
        marker = MARKER.match(line)
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


def solved(release_path: Path, source_path: Path):
    return set_answers(nbformat.read(str(release_path), as_version=4), solution_answers(source_path))


def graded_cells_only(nb):
    """The notebook without its free exploration cells (plots, side-by-side runs): they earn
    nothing and no test cell needs them, so dropping them, as a learner may, only saves time."""
    nb = nbformat.from_dict(nb)
    nb.cells = [c for c in nb.cells if c.cell_type != "code" or nbgrader_meta(c)]
    return nb


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


def _write_examples(root: Path) -> None:
    for name, assignment in load_course().items():
        for question in assignment.questions:
            release = paths.NOTEBOOKS / name / question.notebook
            source = paths.SOLUTIONS / name / question.notebook
            if not (release.exists() and source.exists()):
                continue
            complete = solved(release, source)
            mistakes = complete
            for _, grade_id, code, _ in wrong_answers(question.id)[:1]:
                mistakes = set_answers(mistakes, {grade_id: code})
            for _, grade_id, answer, _, _ in written_answers(question.id)[:1]:
                mistakes = set_answers(mistakes, {grade_id: answer})
            for student, nb in (("complete", complete), ("mistakes", mistakes),
                                ("blank", nbformat.read(str(release), as_version=4))):
                (root / student / name).mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, str(root / student / name / question.notebook))


def build_examples(check: bool = False) -> list[str]:
    """Rebuild autograder/examples (or, with check=True, only compare); returns differing paths."""
    with tempfile.TemporaryDirectory(prefix="vlmkit-examples-") as tmp:
        fresh = Path(tmp)
        _write_examples(fresh)
        new = {p.relative_to(fresh) for p in fresh.rglob("*.ipynb")}
        old = {p.relative_to(paths.EXAMPLES) for p in paths.EXAMPLES.rglob("*.ipynb")}
        differing = sorted(str(p) for p in new | old if p not in new or p not in old
                           or not filecmp.cmp(fresh / p, paths.EXAMPLES / p, shallow=False))
        if differing and not check:
            shutil.rmtree(paths.EXAMPLES, ignore_errors=True)
            shutil.copytree(fresh, paths.EXAMPLES)
    return [f"autograder/examples/{p}" for p in differing]
