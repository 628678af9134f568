"""What learners receive (the bundle), and grading on a real Dask cluster equals local grading."""

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from conftest import COURSE, solved_notebook, write_submission
from vlmkit import paths
from vlmkit.grading.authoring.bundle import make_bundle
from vlmkit.grading.workflows.autograde import autograde

pytestmark = pytest.mark.sandbox  # a Dask cluster grading in sandboxes

HIDDEN_ID = re.compile(r"(q\d|capstone)\.hidden\.")


def _lines(text: str) -> list:
    return [line.strip() for line in text.splitlines() if len(line.strip()) > 12]


def solution_snippets() -> set:
    """Every run of three consecutive solution lines that the learner notebook does not show."""
    snippets = set()
    for name, assignment in COURSE.items():
        for question in assignment.questions:
            snippets |= _hidden_snippets(paths.SOLUTIONS / name / question.notebook,
                                         _text(paths.NOTEBOOKS / name / question.notebook, ""))
    return snippets


def _hidden_snippets(source, released) -> set:
    """Three-line runs of one source notebook's solution cells that its release does not show."""
    snippets = set()
    for cell in nbformat.read(str(source), as_version=4).cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            lines = _lines(cell.source)
            snippets |= {"\n".join(lines[i:i + 3]) for i in range(len(lines) - 2)}
    return {s for s in snippets if s not in released}


def _text(path, raw) -> str:
    """A file's text with lines stripped; a notebook's cell sources."""
    raw = raw or Path(path).read_text()
    if str(path).endswith(".ipynb"):
        raw = "\n".join(c.source for c in nbformat.reads(raw, as_version=4).cells)
    return "\n".join(_lines(raw))


def test_bundle_holds_learner_material_only(tmp_path):
    archive = make_bundle(tmp_path / "learner.zip")
    names = zipfile.ZipFile(archive).namelist()
    assert "notebooks/checkpoint/q5_coordinate_tokens.ipynb" in names
    assert {"notebooks/capstone/capstone.ipynb", "data/capstone/test/samples.json",
            "data/models/vqa.safetensors"} <= set(names)
    assert "src/vlmkit/grading/checking/learner_api.py" in names and "autograder/manifest.json" in names
    forbidden = ("solutions/", "autograder/hidden", "autograder/examples", "autograder/wrong_answers",
                 "tests/", ".git/")
    assert not [n for n in names if n.startswith(forbidden) or n.endswith(".db")]
    secrets = solution_snippets()
    assert len(secrets) > 50
    with zipfile.ZipFile(archive) as zf:
        for name in names:
            raw = zf.read(name).decode(errors="ignore")
            assert not HIDDEN_ID.search(raw), name
            if name.endswith((".py", ".ipynb", ".md")):
                text = _text(name, raw)
                assert not [snippet for snippet in secrets if snippet in text], name


def test_selfcheck_runs_from_an_unpacked_bundle(tmp_path):
    folder = make_bundle(tmp_path / "learner")
    env = {**os.environ, "VLMKIT_HOME": str(folder), "PYTHONPATH": str(folder / "src")}
    done = subprocess.run([sys.executable, "-m", "vlmkit", "selfcheck",
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
