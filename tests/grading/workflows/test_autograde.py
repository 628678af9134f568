"""Autograding the bundled examples: full marks, zero, and the outputs an instructor gets (what
those outputs hold on any stored results: tests/grading/outputs/test_stored_results.py)."""

import csv
import json
import re
import shutil

import pytest

from conftest import verdicts_of
from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.errors import KitError
from vlmkit.grading.authoring.answer_banks import written_answers, wrong_answers
from vlmkit.grading.engine.fast_path import run_forked
from vlmkit.grading.engine.grade import grade_notebook
from vlmkit.grading.nbgrader_io.gradebook import grade_by_hand
from vlmkit.grading.outputs.grade_files import write_outputs
from vlmkit.grading.outputs.results import load_results
from vlmkit.grading.workflows.autograde import autograde

pytestmark = pytest.mark.sandbox  # the examples graded through `vlmkit autograde`

COURSE = load_course()
CHECKPOINT, CAPSTONE = COURSE["checkpoint"], COURSE["capstone"]


@pytest.fixture(scope="module")
def graded_all(tmp_path_factory):
    """Both assignments graded into one folder, as `vlmkit autograde` does: assignment → results."""
    out = tmp_path_factory.mktemp("grading")
    return out, {name: autograde(paths.EXAMPLES, out, name, jobs=2) for name in COURSE}


@pytest.fixture(scope="module")
def graded(graded_all):
    out, results = graded_all
    return out, results["checkpoint"]


def test_solutions_score_full_marks_on_every_question(graded):
    _, results = graded
    for q in CHECKPOINT.questions:
        assert results["complete"][q.id]["score"] == pytest.approx(1.0), results["complete"][q.id]


def test_blank_release_scores_zero(graded):
    _, results = graded
    assert all(r["score"] == 0 for r in results["blank"].values())
    assert all(r["status"] == "graded" for r in results["blank"].values())


@pytest.mark.parametrize("student", ["complete", "blank", "mistakes"])
def test_fast_path_reaches_the_sandboxs_verdicts(graded_all, student):
    """The fast path (no kernel, no sandbox) that `vlmkit audit` uses agrees check by check."""
    _, graded = graded_all
    for name, assignment in COURSE.items():
        for q in assignment.questions:
            learner = paths.EXAMPLES / student / name / q.notebook
            fast = grade_notebook(q.id, paths.SOLUTIONS / name / q.notebook, learner, paths.HIDDEN_CHECKS,
                                  execute=run_forked)
            assert verdicts_of(fast.to_json()) == verdicts_of(graded[name][student][q.id]), (student, q.id)


def test_mistakes_lose_exactly_the_listed_cells(graded_all):
    _, graded = graded_all
    for name, assignment in COURSE.items():
        for q in assignment.questions:
            wrong = wrong_answers(q.id)
            mistakes = graded[name]["mistakes"][q.id]
            lost = {c["grade_id"] for c in mistakes["cells"] if c["score"] < c["max_score"]}
            assert wrong and lost == wrong[0][3], (q.id, wrong[0][0] if wrong else "no wrong answers")


def test_the_capstone_is_graded_apart_from_the_checkpoint(graded_all):
    _, graded = graded_all
    capstone = {student: results["capstone"] for student, results in graded["capstone"].items()}
    assert capstone["complete"]["score"] == CAPSTONE.total == 4, capstone["complete"]
    assert capstone["blank"]["score"] == 0 and capstone["blank"]["status"] == "graded"
    assert 0 < capstone["mistakes"]["score"] < 4


def test_the_class_report_draws_the_pipelines_measured_metrics(graded_all):
    out, _ = graded_all
    metrics = json.loads((out / "report.json").read_text())["#class"]["metrics"]
    assert [e["check"] for e in metrics] == ["capstone.pipeline.test_set", "capstone.hidden.pipeline_test_set"]
    for entry in metrics:
        # complete and mistakes ran the pipeline (the mistake is in the evaluation); the blank's is a stub
        assert (entry["learners"], entry["measured"]) == (3, 2)
        by_name = {m["metric"]: m for m in entry["metrics"]}
        assert {"scene_accuracy", "vqa_accuracy", "detection_precision", "detection_recall",
                "grounding_miou"} <= set(by_name) and any(name.startswith("vqa_accuracy/") for name in by_name)
        assert all(m["learners"] == 2 and m["short_of_kit"] == 0 and 0 <= m["min"] <= m["max"] <= 1
                   for m in entry["metrics"])
    assert "Pipeline metrics" in (out / "class_report.html").read_text()


def test_feedback_pages_of_executed_notebooks_show_no_traceback(graded):
    """The pages' content on stored results: tests/grading/outputs/test_stored_results.py."""
    out, _ = graded
    pages = list((out / "feedback").rglob("*.html"))
    assert len(pages) == 3 * sum(len(a.questions) for a in COURSE.values())
    for page in pages:
        text = page.read_text()
        assert "Traceback" not in text and re.search(r" points?\]", text)
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


def test_nbgrader_export_reads_the_kits_grades(graded_all, tmp_path):
    import os
    import subprocess
    import sys

    out, results = graded_all
    csv_path = tmp_path / "export.csv"
    bin_dir = os.path.dirname(sys.executable)
    subprocess.run([os.path.join(bin_dir, "nbgrader"), "export",
                    f"--CourseDirectory.db_url=sqlite:///{out / 'gradebook.db'}",
                    f"--CsvExportPlugin.to={csv_path}"], check=True, capture_output=True,
                   env={**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"]}, cwd=tmp_path)
    rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(csv_path.open())}
    assert len(rows) == sum(len(by_student) for by_student in results.values())
    for assignment, by_student in results.items():
        for student, questions in by_student.items():
            score = float(rows[assignment, student]["score"])
            assert score == pytest.approx(sum(q["score"] for q in questions.values()))
            # exact: the autograded points plus the written answers' (1 per question, 2 for the capstone)
            assert rows[assignment, student]["max_score"] == {"checkpoint": "12.0", "capstone": "6.0"}[assignment]


def _grade_written(out, student: str, scores: dict) -> None:
    """What an instructor does in formgrader: a manual score for written cells (grade_id → points)."""
    grade_by_hand(out / "gradebook.db", "checkpoint", student, {g: (score, None) for g, score in scores.items()})


def test_manual_grades_reach_grades_csv_report_and_feedback(graded_all, tmp_path):
    from vlmkit.grading.nbgrader_io.gradebook import record_grades
    from vlmkit.grading.outputs.rebuild import refresh

    out = tmp_path / "out"
    shutil.copytree(graded_all[0], out)
    rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert rows["complete"]["written"] == "not yet graded"
    assert rows["blank"]["written"] == "0"  # every answer left as released: scored 0, nothing to grade
    _grade_written(out, "complete", {f"q{i}_written": 1.0 for i in range(1, 6)})
    record_grades(out, "checkpoint", {"complete": graded_all[1]["checkpoint"]["complete"]})  # a re-grade
    pages = refresh(out)
    assert len(pages) == 3 * sum(len(a.questions) for a in COURSE.values())
    q1 = (out / "feedback" / "complete" / "checkpoint" / "q1_clip_loss.html").read_text()
    q6 = (out / "feedback" / "complete" / "checkpoint" / "q6_vla_actions.html").read_text()
    key_points = "<p><b>Key points</b></p>"  # the example's answers are the key points themselves
    assert "1/1 point" in q1 and key_points in q1
    assert "awaiting grading" in q6 and key_points not in q6 and "<math" in q6
    rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert rows["complete"]["written"] == "not yet graded"  # q6's answer is not graded yet
    _grade_written(out, "complete", {"q6_written": 0.5})
    refresh(out)
    rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert (rows["complete"]["total"], rows["complete"]["written"]) == ("6", "5.5")
    assert rows["complete"]["capstone_written"] == "not yet graded"
    written = json.loads((out / "report.json").read_text())["complete"]["checkpoint"]["written"]
    assert (written["points"], written["max_points"], written["status"]) == (5.5, 6.0, "graded")


def test_the_demo_shows_how_each_examples_written_answers_are_graded(graded_all, tmp_path):
    """Awaiting a grader (complete), empty and scored 0 (blank), scored by hand by the demo
    (mistakes: the marks of autograder/written_answers/), with the written points apart."""
    from vlmkit.grading.authoring.demo_written import grade_written_examples

    out = tmp_path / "out"
    shutil.copytree(graded_all[0], out)
    marks = {q.id: written_answers(q.id)[0] for a in COURSE.values() for q in a.questions}
    shown = grade_written_examples(out).splitlines()
    assert "  blank     checkpoint: written 0/6 points (6 empty: scored 0 automatically)" in shown
    assert "  complete  checkpoint: written not yet graded (6 awaiting a grader)" in shown
    checkpoint = sum(marks[q.id][3] for q in CHECKPOINT.questions)
    assert f"  mistakes  checkpoint: written {checkpoint:g}/6 points (6 scored by hand)" in shown
    assert f"            capstone: written {marks['capstone'][3]:g}/2 points (1 scored by hand)" in shown
    text = " ".join(" ".join(shown).split())  # long lines wrap
    for _, grade_id, _, score, comment in marks.values():  # each answer's score and its comment's first sentence
        assert re.search(rf"{grade_id} {score:g}/\d points?: {re.escape(comment.split('. ')[0])}", text), grade_id
    rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert (rows["mistakes"]["written"], rows["mistakes"]["capstone_written"]) == (f"{checkpoint:g}",
                                                                                   f"{marks['capstone'][3]:g}")
    assert rows["mistakes"]["total"] == f"{sum(r['score'] for r in graded_all[1]['checkpoint']['mistakes'].values()):g}"
    assert rows["complete"]["written"] == "not yet graded"
    page = (out / "feedback" / "mistakes" / "checkpoint" / "q2_siglip.html").read_text()
    assert "0.5/1 point" in page and "<p><b>Key points</b></p>" in page
    assert "Your grader's comment" in page and "the reason it scales is not" in page
    with pytest.raises(KitError, match="no written answer q9_written"):
        grade_by_hand(out / "gradebook.db", "checkpoint", "mistakes", {"q9_written": (0.5, "")})
    with pytest.raises(KitError, match="q1_written worth 2 points"):
        grade_by_hand(out / "gradebook.db", "checkpoint", "mistakes", {"q1_written": (2, "")})


def test_every_graded_notebook_is_written_where_formgrader_lists_it(graded_all):
    out, results = graded_all
    for assignment, by_student in results.items():
        for student, questions in by_student.items():
            for result in questions.values():
                notebook = json.loads((out / "autograded" / student / assignment / result["notebook"]).read_text())
                shown = "".join(t for c in notebook["cells"] for o in c.get("outputs", []) for t in o["text"])
                assert len(re.findall(r" points?\]", shown)) == len(result["cells"])  # each test cell's verdicts
