"""Building the executed notebook: test cells always come from the trusted source."""

import nbformat

from conftest import solved_notebook
from vlmkit import paths
from vlmkit.grading.engine.merge import merge
from vlmkit.grading.nbgrader_io.cells import graded_cells, nbgrader_meta

NB = "q5_coordinate_tokens.ipynb"


def source():
    return nbformat.read(str(paths.SOLUTIONS / "checkpoint" / NB), as_version=4)


def ids(nb):
    return [nbgrader_meta(c).get("grade_id") for c in nb.cells]


def test_test_cells_list_their_checks():
    cells = graded_cells(source())
    assert sum(c.points for c in cells) == 1.0
    assert all(c.check_ids for c in cells)
    assert any("hidden" in cid for c in cells for cid in c.check_ids)


def test_deleted_and_edited_test_cells_are_restored_from_the_source():
    learner = solved_notebook(NB)
    learner.cells = [c for c in learner.cells if nbgrader_meta(c).get("grade_id") != "q5_test_tokens"]
    for cell in learner.cells:
        if nbgrader_meta(cell).get("grade_id") == "q5_test_dequantize":
            cell.source = "pass"
    merged, notes = merge(source(), learner)
    trusted = {nbgrader_meta(c).get("grade_id"): c.source for c in source().cells}
    for cell in merged.cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade") and not meta.get("solution"):  # test cells (written answers are the learner's)
            assert cell.source == trusted[meta["grade_id"]]
    assert any("q5_test_tokens" in n for n in notes)


def test_learner_cells_stay_in_place_and_duplicates_are_dropped():
    learner = solved_notebook(NB)
    position = ids(learner).index("q5_dequantize")
    learner.cells.insert(position + 1, nbformat.v4.new_code_cell("x = 'my scratch cell'"))
    learner.cells.append(learner.cells[position].copy())  # a duplicated answer cell
    merged, notes = merge(source(), learner)
    merged_ids = ids(merged)
    scratch = [i for i, c in enumerate(merged.cells) if "my scratch cell" in c.source]
    assert len(scratch) == 1 and merged_ids[scratch[0] - 1] == "q5_dequantize"
    assert merged_ids.count("q5_dequantize") == 1
    assert any("duplicate" in n for n in notes)


def test_a_deleted_answer_cell_becomes_a_failing_stub():
    learner = solved_notebook(NB)
    learner.cells = [c for c in learner.cells if nbgrader_meta(c).get("grade_id") != "q5_dequantize"]
    merged, notes = merge(source(), learner)
    stub = next(c for c in merged.cells if nbgrader_meta(c).get("grade_id") == "q5_dequantize")
    assert "NotImplementedError" in stub.source and any("deleted" in n for n in notes)
