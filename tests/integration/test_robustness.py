"""Broken and misbehaving submissions cost only their own points; the batch always finishes."""

import subprocess
import sys

import pytest

from conftest import solved_notebook, with_answer, write_submission
from vlmkit.grading.nbgrader_io.cells import nbgrader_meta
from vlmkit.grading.sandbox.limits import Limits
from vlmkit.grading.workflows.autograde import autograde

pytestmark = pytest.mark.sandbox  # broken submissions graded in sandboxes

Q5, Q6 = "q5_coordinate_tokens.ipynb", "q6_vla_actions.ipynb"
DEQUANTIZE_OK = "def dequantize(bins, num_bins=1000):\n    return [(q + 0.5) / num_bins for q in bins]\n"
SWALLOW = "import time\nwhile True:\n    try:\n        time.sleep(0.1)\n    except BaseException:\n        pass\n"


def _without(notebook, grade_id, replace_with=None):
    nb = solved_notebook(notebook)
    for cell in list(nb.cells):
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            if replace_with is None:
                nb.cells.remove(cell)
            else:
                cell.source = replace_with
    return nb


STUDENTS = {
    "good": {Q5: solved_notebook(Q5), Q6: solved_notebook(Q6)},
    "infinite_loop": {Q5: with_answer(Q5, "q5_dequantize", "while True:\n    pass\n" + DEQUANTIZE_OK),
                      Q6: solved_notebook(Q6)},
    "swallows_interrupts": {Q5: with_answer(Q5, "q5_dequantize", SWALLOW), Q6: solved_notebook(Q6)},
    "sys_exit": {Q5: with_answer(Q5, "q5_dequantize", "import sys\nsys.exit()\n" + DEQUANTIZE_OK),
                 Q6: solved_notebook(Q6)},
    "os_exit": {Q5: with_answer(Q5, "q5_dequantize", "import os\nos._exit(0)\n"), Q6: solved_notebook(Q6)},
    "deleted_test_cell": {Q5: _without(Q5, "q5_test_tokens"), Q6: solved_notebook(Q6)},
    "edited_test_cell": {Q5: _without(Q5, "q5_test_tokens", "pass"), Q6: solved_notebook(Q6)},
    "renamed": {"q5_coordinate_tokens-Copy1.ipynb": solved_notebook(Q5), Q6: solved_notebook(Q6)},
    "invalid_json": {Q5: '{"cells": [', Q6: solved_notebook(Q6)},
    "missing_question": {Q6: solved_notebook(Q6)},
}
# student → (q5 score, q5 status, words in the report's notes)
EXPECTED = {
    "good": (1.0, "graded", ""),
    "infinite_loop": (0.25, "graded", ""),
    "swallows_interrupts": (0.25, "timeout", "longer than"),
    "sys_exit": (0.25, "graded", ""),
    "os_exit": (0.25, "crashed", "kernel died"),
    "deleted_test_cell": (1.0, "graded", "restored"),
    "edited_test_cell": (1.0, "graded", ""),
    "renamed": (0.0, "missing", "missing"),
    "invalid_json": (0.0, "broken", "not valid JSON"),
    "missing_question": (0.0, "missing", "missing"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    subs = tmp_path_factory.mktemp("subs")
    for student, notebooks in STUDENTS.items():
        write_submission(subs, student, notebooks)
    out = tmp_path_factory.mktemp("out")
    return autograde(subs, out, "checkpoint", jobs=2, limits=Limits(wall_s=60, cell_s=10))


@pytest.mark.parametrize("student", list(EXPECTED))
def test_each_misbehaviour_costs_only_its_own_points(graded, student):
    score, status, words = EXPECTED[student]
    q5 = graded[student]["q5"]
    assert (q5["score"], q5["status"]) == (score, status), q5["notes"]
    assert words in " ".join(q5["notes"])
    assert graded[student]["q6"]["score"] == 1.0  # the student's other notebook is untouched


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "vlmkit", *args], capture_output=True, text=True)


@pytest.mark.parametrize("args,words", [
    (["autograde", "/no/such/folder", "--out", "/tmp/x"], "no submissions folder"),
    (["selfcheck", "/no/such.ipynb"], "does not exist"),
    (["autograde", ".", "--out", "/tmp/x", "--assignment", "nope"], "unknown assignment"),
])
def test_bad_arguments_give_one_line_errors(args, words, tmp_path):
    result = _cli(*args)
    assert result.returncode == 2
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_unknown_notebook_is_named(tmp_path):
    stray = tmp_path / "homework.ipynb"
    stray.write_text("{}")
    result = _cli("selfcheck", str(stray))
    assert result.returncode == 2 and "not a course notebook" in result.stderr
