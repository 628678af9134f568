"""The grades folder `vlmkit autograde` leaves, as nbgrader's CLI and a TA's account meet it: no
`vlmkit formgrader` run first. One learner's capstone through the fast path (a few seconds)."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from vlmkit import paths
from vlmkit.grading.autograde import autograde
from vlmkit.grading.formgrader import EXPORT_FILE
from vlmkit.grading.inprocess import run_forked
from vlmkit.grading.report import OUTPUT_MODE

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
