"""The learner notebooks are exactly what nbgrader makes from solutions/, with nothing secret."""

import json

from vlmkit import paths
from vlmkit.grading.authoring.release import release


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


def test_every_test_cell_has_hidden_checks_with_definitions():
    """Visible expectations ship with the kit, so a cell is only worth points with hidden checks too."""
    import nbformat

    from vlmkit.course import load_course
    from vlmkit.grading.checking import registry
    from vlmkit.grading.nbgrader_io.cells import graded_cells

    for question in load_course()["checkpoint"].questions:
        source = nbformat.read(str(paths.SOLUTIONS / "checkpoint" / question.notebook), as_version=4)
        checks = registry.all_checks(question.id, paths.HIDDEN_CHECKS)
        visible = registry.visible_checks(question.id)
        for cell in graded_cells(source):
            assert set(cell.check_ids) <= set(checks), (cell.grade_id, set(cell.check_ids) - set(checks))
            assert any(cid not in visible for cid in cell.check_ids), cell.grade_id
