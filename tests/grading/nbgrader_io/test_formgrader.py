"""What formgrader reads: the autograded notebooks `vlmkit autograde` writes, the config
`vlmkit formgrader` writes, the empty written answers scored 0 in the gradebook and the kit's
changes to formgrader's pages (formgrader_pages: Submissions count, no exchange, fresh lists; the browser
walk through formgrader is in tests/browser/; stopping it by signal in test_server_signals.py)."""

import json

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from vlmkit import paths
from vlmkit.errors import KitError
from vlmkit.grading.nbgrader_io.autograded import autograded_notebook
from vlmkit.grading.nbgrader_io.formgrader import EXPORT_FILE, formgrader_server
from vlmkit.grading.nbgrader_io.gradebook import EMPTY_ANSWER, record_grades

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


def _api(api_class, grades, **config_values):
    """nbgrader's API on the grades folder GRADES as formgrader builds it (CourseDirectory from the config)."""
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    config = PyFileConfigLoader("nbgrader_config.py", str(grades)).load_config()
    config.merge(Config(config_values))
    return api_class(CourseDirectory(config=config), config=config)


def test_formgrader_counts_graded_submissions_and_lists_no_exchange_without_a_course(tmp_path, caplog):
    from nbgrader.apps.api import NbGraderAPI

    from vlmkit.grading.nbgrader_io.formgrader import write_config
    from vlmkit.grading.nbgrader_io.formgrader_pages import KitAPI

    for student in ("ann", "bob"):
        _graded_q1(tmp_path, student, "Symmetric: each direction normalises over its own set.")
    record_grades(tmp_path, "checkpoint", {"ann": {}, "bob": {}})
    write_config(tmp_path)
    (tmp_path / "submitted" / "cy" / "checkpoint").mkdir(parents=True)  # collected, not yet graded
    assert _api(NbGraderAPI, tmp_path).get_assignment("checkpoint")["num_submissions"] == 1  # nbgrader's count
    assert "Unwritable directory" in caplog.text  # ... and its critical line about the exchange
    caplog.clear()
    api = _api(KitAPI, tmp_path)
    assert api.get_assignment("checkpoint")["num_submissions"] == 3
    assert api.get_assignment("capstone")["num_submissions"] == 0  # none graded, none collected
    assert api.exchange_missing and not api.exchange_is_functional  # Release and Collect stay off
    assert caplog.text == ""


def test_formgrader_of_a_course_keeps_its_exchange(tmp_path):
    from vlmkit.grading.nbgrader_io.formgrader import write_config
    from vlmkit.grading.nbgrader_io.formgrader_pages import KitAPI

    exchange = tmp_path / "exchange"
    exchange.mkdir(mode=0o777)
    exchange.chmod(0o777)
    (tmp_path / "course").mkdir()
    _graded_q1(tmp_path / "course", "ann", "Symmetric.")
    record_grades(tmp_path / "course", "checkpoint", {"ann": {}})
    write_config(tmp_path / "course")
    api = _api(KitAPI, tmp_path / "course", CourseDirectory={"course_id": "vlm-checkpoint"},
               Exchange={"root": str(exchange)})
    assert not api.exchange_missing and api.exchange_is_functional  # a hub's course: Release, Collect
    assert api.exchange_root == str(exchange) and api.get_assignment("checkpoint")["num_submissions"] == 1


def _manage_assignments(**page):
    """Formgrader's Manage Assignments page through the kit's templates, as the handler renders it."""
    from jinja2 import Environment, FileSystemLoader
    from nbgrader.server_extensions.formgrader import handlers

    from vlmkit.grading.nbgrader_io.formgrader_pages import kit_loader

    env = Environment(loader=kit_loader(FileSystemLoader([handlers.template_path])))
    return env.get_template("manage_assignments.tpl").render(
        url_prefix=".", base_url="/fg", windows=False, current_config={}, default_timezone="+0000", **page)


def test_manage_assignments_warns_of_a_missing_exchange_only_where_the_course_has_one():
    without_course = _manage_assignments(course_id="", exchange="", exchange_missing=True)
    assert 'id="kit-no-exchange"' in without_course and "warning" not in without_course
    assert 'href="/fg/formgrader/gradebook"' in without_course and "manage_assignments.js" in without_course
    hub = _manage_assignments(course_id="vlm-checkpoint", exchange="/srv/hub/exchange", exchange_missing=True)
    assert 'id="warning-exchange"' in hub and "kit-no-exchange" not in hub  # nbgrader's own, on a hub
    assert "warning" not in _manage_assignments(course_id="vlm-checkpoint", exchange="/x", exchange_missing=False)


def test_formgrader_api_answers_are_never_reused_from_the_browser_cache():
    from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

    from vlmkit.grading.nbgrader_io.formgrader_pages import NoStoreApi

    def cache_control(path):
        headers = HTTPHeaders({"Content-Type": "application/json"})
        request = HTTPServerRequest(start_line=RequestStartLine("GET", path, "HTTP/1.1"),
                                    headers=HTTPHeaders({"Host": "127.0.0.1"}))
        NoStoreApi(request).transform_first_chunk(200, headers, b"[]", True)
        return headers.get("Cache-Control")

    assert cache_control("/formgrader/api/submitted_notebooks/checkpoint/q1_clip_loss") == "no-store"
    assert cache_control("/services/c/formgrader/api/assignments") == "no-store"
    assert cache_control("/static/jupyter_server_mathjax/MathJax.js") is None  # static files stay cached


def test_formgrader_pages_go_wherever_formgrader_does(tmp_path):
    import vlmkit.grading.nbgrader_io.formgrader_pages as pages
    from vlmkit.grading.nbgrader_io.jupyter_env import EXCHANGE_PAGES, FORMGRADER_PAGES, LEARNER_HIDDEN, config_files

    assert FORMGRADER_PAGES == pages.__name__ == pages._jupyter_server_extension_points()[0]["module"]
    for hidden, kept in ((EXCHANGE_PAGES, True), (LEARNER_HIDDEN, False)):
        extensions = json.loads(config_files(hidden, tmp_path)["jupyter_server_config.json"])["ServerApp"]
        assert extensions["jpserver_extensions"].get(FORMGRADER_PAGES, False) is kept
    (tmp_path / "gradebook.db").touch()
    (tmp_path / "autograded").mkdir()
    argv, _ = formgrader_server(tmp_path)
    assert f"--ServerApp.jpserver_extensions={FORMGRADER_PAGES}=True" in argv
