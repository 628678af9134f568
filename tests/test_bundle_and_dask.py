"""What learners receive (the bundle), and grading on a real Dask cluster equals local grading."""

import json
import os
import re
import subprocess
import sys
import zipfile

import nbformat
import pytest

from conftest import CHECKPOINT, solved_notebook, write_submission
from vlmkit import paths
from vlmkit.grading.autograde import autograde
from vlmkit.grading.bundle import make_bundle

HIDDEN_ID = re.compile(r"q\d\.hidden\.")


def solution_lines() -> set:
    """Lines of solution code that a learner notebook does not contain."""
    lines = set()
    for question in CHECKPOINT.questions:
        source = paths.SOLUTIONS / "checkpoint" / question.notebook
        released = (paths.NOTEBOOKS / "checkpoint" / source.name).read_text()
        for cell in nbformat.read(str(source), as_version=4).cells:
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                lines |= {line.strip() for line in cell.source.splitlines()
                          if len(line.strip()) > 25 and json.dumps(line.strip())[1:-1] not in released}
    return lines


def test_bundle_holds_learner_material_only(tmp_path):
    archive = make_bundle(tmp_path / "learner.zip")
    names = zipfile.ZipFile(archive).namelist()
    assert "notebooks/checkpoint/q5_coordinate_tokens.ipynb" in names
    assert "src/vlmkit/grading/checks.py" in names and "autograder/manifest.json" in names
    forbidden = ("solutions/", "autograder/hidden", "autograder/examples", "autograder/wrong_answers",
                 "tests/", ".git/", "gradebook")
    assert not [n for n in names if n.startswith(forbidden) or "gradebook" in n]
    secrets = solution_lines()
    assert len(secrets) > 20
    with zipfile.ZipFile(archive) as zf:
        for name in names:
            text = zf.read(name).decode(errors="ignore")
            assert not HIDDEN_ID.search(text), name
            assert not [line for line in secrets if line in text], name


def test_selfcheck_runs_from_an_unpacked_bundle(tmp_path):
    folder = make_bundle(tmp_path / "learner")
    env = {**os.environ, "VLMKIT_HOME": str(folder), "PYTHONPATH": str(folder / "src")}
    done = subprocess.run([sys.executable, "-m", "vlmkit.cli", "selfcheck",
                           "notebooks/checkpoint/q6_vla_actions.ipynb"],
                          cwd=folder, env=env, capture_output=True, text=True)
    assert done.returncode == 1 and "q6" in done.stdout and "not implemented yet" in done.stdout, \
        done.stdout + done.stderr


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    subs = tmp_path_factory.mktemp("subs")
    write_submission(subs, "ada", {"q5_coordinate_tokens.ipynb": solved_notebook("q5_coordinate_tokens.ipynb")})
    blank = (paths.EXAMPLES / "blank" / "checkpoint" / "q6_vla_actions.ipynb").read_text()
    write_submission(subs, "bob", {"q6_vla_actions.ipynb": blank})
    return subs


def _scores(graded):
    return {s: {q: (r["score"], r["status"]) for q, r in qs.items()} for s, qs in graded.items()}


def test_dask_cluster_grades_like_the_local_run(submissions, tmp_path):
    from distributed import LocalCluster

    local = autograde(submissions, tmp_path / "local", jobs=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        remote = autograde(submissions, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert _scores(remote) == _scores(local)
    assert _scores(local)["ada"]["q5"] == (1.0, "graded")
    assert (tmp_path / "dask" / "grades.csv").read_text() == (tmp_path / "local" / "grades.csv").read_text()
