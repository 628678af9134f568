"""The grades folder `vlmkit autograde` leaves, as nbgrader's CLI, a TA's account and a re-grade
meet it: no `vlmkit formgrader` run first. One learner's capstone through the fast path."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from vlmkit import paths
from vlmkit.grading.checking.files import OUTPUT_MODE
from vlmkit.grading.engine.fast_path import run_forked
from vlmkit.grading.nbgrader_io.formgrader import EXPORT_FILE
from vlmkit.grading.nbgrader_io.gradebook import manual_marks, record_grades
from vlmkit.grading.outputs.rebuild import refresh
from vlmkit.grading.outputs.results import load_results
from vlmkit.grading.workflows.autograde import autograde

pytestmark = pytest.mark.sandbox  # a class graded in sandboxes, then read back

BIN = Path(sys.executable).parent
KIT_FILES = ("grades.csv", "report.json", "class_report.html", "class_report.csv")


@pytest.fixture(scope="module")
def grades(tmp_path_factory):
    out = tmp_path_factory.mktemp("grades")
    autograde(paths.EXAMPLES, out, "capstone", students=["blank"], execute=run_forked)
    return out


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_nbgrader_export_in_a_fresh_grades_folder_leaves_the_kits_files(grades):
    before = {name: (grades / name).read_bytes() for name in KIT_FILES}
    subprocess.run([str(BIN / "nbgrader"), "export"], cwd=grades, check=True, capture_output=True,
                   env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})
    assert {name: (grades / name).read_bytes() for name in KIT_FILES} == before
    export = (grades / EXPORT_FILE).read_text().splitlines()
    assert export[0].startswith("assignment,") and export[1].startswith("capstone,")  # nbgrader's own file


def test_the_kits_outputs_are_readable_by_the_graders_group(grades):
    written = [*KIT_FILES, "nbgrader_config.py", "results/capstone/blank.json",
               "feedback/blank/capstone/capstone.html", "autograded/blank/capstone/capstone.ipynb"]
    modes = {name: stat.S_IMODE((grades / name).stat().st_mode) for name in written}
    assert modes == dict.fromkeys(written, OUTPUT_MODE) and OUTPUT_MODE == 0o640


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader 0.9 with SQLAlchemy 2, as in gradebook.py
def test_a_graders_comment_survives_a_regrade_and_reaches_the_feedback_page(grades):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{grades / 'gradebook.db'}") as gb:  # as formgrader's comment box saves it
        gb.find_comment("capstone_written", "capstone", "capstone", "blank").manual_comment = "Say *why* <b>x</b>"
        gb.db.commit()
    record_grades(grades, "capstone", load_results(grades, "capstone"))  # what a re-grade does to the gradebook
    assert manual_marks(grades / "gradebook.db", "capstone")["blank"]["comments"] == {
        "capstone_written": "Say *why* <b>x</b>"}
    refresh(grades)
    page = (grades / "feedback/blank/capstone/capstone.html").read_text()
    assert "Say <em>why</em> &lt;b&gt;x&lt;/b&gt;" in page
