"""Autograding the bundled examples: full marks, zero, and the outputs an instructor gets."""

import csv
import json
import shutil

import pytest

from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.grading.autograde import autograde, load_results
from vlmkit.grading.examples import wrong_answers
from vlmkit.grading.report import write_outputs

CHECKPOINT = load_course()["checkpoint"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = tmp_path_factory.mktemp("grading")
    return out, autograde(paths.EXAMPLES, out, "checkpoint", jobs=2)


def test_solutions_score_full_marks_on_every_question(graded):
    _, results = graded
    for q in CHECKPOINT.questions:
        assert results["complete"][q.id]["score"] == pytest.approx(1.0), results["complete"][q.id]


def test_blank_release_scores_zero(graded):
    _, results = graded
    assert all(r["score"] == 0 for r in results["blank"].values())
    assert all(r["status"] == "graded" for r in results["blank"].values())


def test_mistakes_lose_exactly_the_listed_cells(graded):
    _, results = graded
    for q in CHECKPOINT.questions:
        wrong = wrong_answers(q.id)
        if not wrong:
            continue
        lost = {c["grade_id"] for c in results["mistakes"][q.id]["cells"] if c["score"] < c["max_score"]}
        assert lost == wrong[0][3], (q.id, wrong[0][0])


def test_grades_csv_and_report(graded):
    out, _ = graded
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert list(rows[0]) == ["student", *[q.id for q in CHECKPOINT.questions], "total", "band"]
    by_student = {r["student"]: r for r in rows}
    assert float(by_student["blank"]["total"]) == 0 and "redo the phase" in by_student["blank"]["band"]
    report = json.loads((out / "report.json").read_text())
    assert report["complete"]["checkpoint"]["points"] == len(CHECKPOINT.questions)


def test_feedback_has_verdicts_but_no_hidden_test_source(graded):
    out, _ = graded
    pages = list((out / "feedback").rglob("*.html"))
    assert len(pages) == 3 * len(CHECKPOINT.questions)
    for page in pages:
        text = page.read_text()
        assert "BEGIN HIDDEN TESTS" not in text and "Traceback" not in text
        assert "check(&quot;" in text or "check(\"" in text
        assert "points]" in text
        assert len(text.encode()) < 2 << 20


def test_regrading_replaces_previous_grades(graded, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded[0], out)
    subs = tmp_path / "subs"
    shutil.copytree(paths.EXAMPLES / "blank", subs / "complete")  # "complete" resubmits blank work
    autograde(subs, out, "checkpoint", jobs=2, students=["complete"])
    results = load_results(out, "checkpoint")
    assert all(r["score"] == 0 for r in results["complete"].values())
    assert results["mistakes"].keys() == graded[1]["mistakes"].keys()  # others kept
    rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert float(rows["complete"]["total"]) == 0 and float(rows["mistakes"]["total"]) > 0


def test_an_interrupted_regrade_shows_failed_not_the_old_score(graded, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded[0], out)
    record = out / "results" / "checkpoint" / "complete.json"
    data = json.loads(record.read_text())
    record.write_text(json.dumps({**data, "status": "in progress", "questions": {}}))
    write_outputs(out, load_course(), {"checkpoint": load_results(out, "checkpoint")})
    rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert rows["complete"]["total"] == "" and "failed" in rows["complete"]["band"]


def test_nbgrader_export_reads_the_kits_grades(graded, tmp_path):
    import os
    import subprocess
    import sys

    out, results = graded
    csv_path = tmp_path / "export.csv"
    bin_dir = os.path.dirname(sys.executable)
    subprocess.run([os.path.join(bin_dir, "nbgrader"), "export",
                    f"--CourseDirectory.db_url=sqlite:///{out / 'gradebook.db'}",
                    f"--CsvExportPlugin.to={csv_path}"], check=True, capture_output=True,
                   env={**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"]}, cwd=tmp_path)
    rows = {r["student_id"]: r for r in csv.DictReader(csv_path.open())}
    for student, questions in results.items():
        assert float(rows[student]["score"]) == pytest.approx(sum(q["score"] for q in questions.values()))
