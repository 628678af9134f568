"""The learner notebooks are exactly what nbgrader makes from solutions/, with nothing secret."""

import json

from vlmkit import paths
from vlmkit.grading.release import release


def test_release_is_in_sync_with_solutions():
    assert release(check=True) == []


def test_learner_notebooks_hold_no_solutions_or_hidden_tests():
    for notebook in (paths.NOTEBOOKS / "checkpoint").glob("*.ipynb"):
        text = notebook.read_text()
        assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text, notebook
        assert "raise NotImplementedError()" in text


def test_solution_sources_are_stored_without_outputs():
    for notebook in paths.SOLUTIONS.rglob("*.ipynb"):
        cells = json.loads(notebook.read_text())["cells"]
        assert all(not c.get("outputs") for c in cells), notebook
