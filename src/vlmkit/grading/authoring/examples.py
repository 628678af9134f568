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
import shutil
import tempfile
from pathlib import Path

import nbformat

from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.grading.authoring.answer_banks import set_answers, solution_answers, written_answers, wrong_answers
from vlmkit.grading.nbgrader_io.cells import nbgrader_meta


def solved(release_path: Path, source_path: Path):
    return set_answers(nbformat.read(str(release_path), as_version=4), solution_answers(source_path))


def graded_cells_only(nb):
    """The notebook without its free exploration cells (plots, side-by-side runs): they earn
    nothing and no test cell needs them, so dropping them, as a learner may, only saves time."""
    nb = nbformat.from_dict(nb)
    nb.cells = [c for c in nb.cells if c.cell_type != "code" or nbgrader_meta(c)]
    return nb


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
