"""What formgrader reads: the autograded notebooks `vlmkit autograde` writes, the config
`vlmkit formgrader` writes and the empty written answers scored 0 in the gradebook (the browser
walk through formgrader is in tests/browser/; stopping it by signal in test_server_signals.py)."""

import json

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from vlmkit import paths
from vlmkit.errors import KitError
from vlmkit.grading.autograded import autograded_notebook
from vlmkit.grading.formgrader import EXPORT_FILE, formgrader_server
from vlmkit.grading.gradebook import EMPTY_ANSWER, record_grades

Q1 = "q1_clip_loss.ipynb"


def _cell(source, grade_id=None, outputs=()):
    cell = nbformat.v4.new_code_cell(source, outputs=list(outputs), execution_count=3)
    if grade_id:
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "points": 0.25}
    return cell


def test_autograded_notebook_shows_verdicts_and_drops_learner_outputs():
    learner_output = nbformat.v4.new_output("display_data", data={"text/html": "<script>alert(1)</script>"})
    merged = nbformat.v4.new_notebook(cells=[
        _cell("def f(): ...", "q9_answer", [learner_output]),
        _cell('check("q9.a", f)', "q9_test_a"),
        _cell('check("q9.b", f)', "q9_test_b", [learner_output]),
    ])
    result = {"notes": ["cell q9_test_b was deleted and has been restored"], "cells": [
        {"grade_id": "q9_test_a", "score": 0.25, "max_score": 0.25,
         "verdicts": [{"check": "q9.a", "passed": True, "message": ""}]},
        {"grade_id": "q9_test_b", "score": 0.0, "max_score": 0.25,
         "verdicts": [{"check": "q9.b", "passed": False, "message": "clamp to [0, N-1]"}]}]}
    cells = json.loads(autograded_notebook(merged, result))["cells"]
    texts = ["".join(o["text"]) for c in cells for o in c["outputs"]]
    assert cells[0]["outputs"] == [] and all(c["execution_count"] is None for c in cells)
    assert texts == ["grading notes:\n  cell q9_test_b was deleted and has been restored\n\n"
                     "[0.25/0.25 points]\n✓ q9.a\n",
                     "[0/0.25 points]\n✗ q9.b: clamp to [0, N-1]\n"]
    assert merged.cells[0].outputs == [learner_output]  # the graded notebook itself is untouched


def test_formgrader_config_points_nbgrader_at_the_grades_folder(tmp_path):
    with pytest.raises(KitError, match="run `vlmkit autograde"):
        formgrader_server(tmp_path)
    (tmp_path / "gradebook.db").touch()
    with pytest.raises(KitError, match="no autograded/"):
        formgrader_server(tmp_path)
    (tmp_path / "autograded").mkdir()
    argv, env = formgrader_server(tmp_path, port=8123, token="t0k")
    config = PyFileConfigLoader("nbgrader_config.py", str(tmp_path)).load_config()
    assert config.CourseDirectory.root == str(tmp_path.resolve())
    assert config.CourseDirectory.db_url == f"sqlite:///{tmp_path.resolve() / 'gradebook.db'}"
    assert config.CourseDirectory.source_directory == str(paths.SOLUTIONS)
    assert config.CsvExportPlugin.to == EXPORT_FILE != "grades.csv"  # the kit's grades.csv stays
    assert "--port=8123" in argv and "--ServerApp.token=t0k" in argv and "--ip=127.0.0.1" in argv
    mathjax_macro = env["JUPYTER_PATH"].split(":")[0] + "/nbconvert/templates/base/mathjax.html.j2"
    assert "/static/jupyter_server_mathjax/MathJax.js" in open(mathjax_macro).read()


def _graded_q1(out, student: str, answer: str) -> None:
    """The autograded copy of q1 `vlmkit autograde` leaves for formgrader, with this written answer."""
    notebook = nbformat.read(str(paths.NOTEBOOKS / "checkpoint" / Q1), as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q1_written":
            cell.source = answer
    folder = out / "autograded" / student / "checkpoint"
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(folder / Q1))


def _written_q1(out, student: str) -> tuple:
    """(manual score, awaiting grading in formgrader, comment) of q1's written answer."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        grade = gb.find_grade("q1_written", "q1_clip_loss", "checkpoint", student)
        comment = gb.find_comment("q1_written", "q1_clip_loss", "checkpoint", student)
        return grade.manual_score, grade.needs_manual_grade, comment.comment


def test_an_empty_written_answer_is_scored_0_with_a_note_until_an_answer_is_written(tmp_path):
    students = {"ann": "YOUR ANSWER HERE", "bob": " \n", "cy": "Symmetric: each direction normalises over its own set."}
    for student, answer in students.items():
        _graded_q1(tmp_path, student, answer)
    record_grades(tmp_path, "checkpoint", {student: {} for student in students})
    assert _written_q1(tmp_path, "ann") == _written_q1(tmp_path, "bob") == (0.0, False, EMPTY_ANSWER)
    assert _written_q1(tmp_path, "cy") == (None, True, None)  # awaits the instructor

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:  # still editable by hand in formgrader
        gb.find_grade("q1_written", "q1_clip_loss", "checkpoint", "ann").manual_score = 0.25
        gb.db.commit()
    _graded_q1(tmp_path, "bob", "Each row is a softmax over texts, each column over images.")
    record_grades(tmp_path, "checkpoint", {student: {} for student in students})  # a re-grade
    assert _written_q1(tmp_path, "ann")[0] == 0.25  # the instructor's score stays
    assert _written_q1(tmp_path, "bob") == (None, True, None)  # an answer now: to grade by hand
