"""The class report on a synthetic class whose numbers are known by construction (no notebook runs).

The class (checkpoint and capstone; see synthetic_class.py): 4 solutions, 2 blanks, 3 learners with
q5's "round instead of floor", 2 with q5's "no clamping" (one also with the capstone's first wrong
answer, the other with its pipeline fed pixels scaled to 0..1), one with q1's first wrong answer,
q2 timed out and q6 missing, and one whose checkpoint grading never finished.
Run: .venv/bin/python -m pytest -q tests/grading/outputs/test_class_report.py
"""

import argparse
import contextlib
import csv
import io
import json
import re

import pytest
from synthetic_class import KIT_METRICS, MEASURED_CHECKS, MISWIRED_METRICS, source_cells, write_class, wrong

from vlmkit.commands import class_report as class_report_command
from vlmkit.course import SCORE_BANDS
from vlmkit.errors import KitError
from vlmkit.grading.nbgrader_io.gradebook import written_cell_counts
from vlmkit.grading.outputs.class_report import (
    CLASS_KEY,
    CSV_COLUMNS,
    diagnosis,
    pseudonyms,
    same_mistake,
    write_class_report,
)

ROUND, CLAMP, Q1_WRONG, CAPSTONE_WRONG = wrong("q5", 0), wrong("q5", 1), wrong("q1", 0), wrong("capstone", 0)
PIXELS = wrong("capstone", 15)
assert PIXELS[1] == "mistake: pixels scaled to 0..1" and PIXELS[2] == {"capstone_test_pipeline"}
LEARNERS = {
    **{f"zsol{i}": {"checkpoint": {}, "capstone": {}} for i in range(4)},
    **{f"zblank{i}": {"checkpoint": dict.fromkeys(("q1", "q2", "q3", "q4", "q5", "q6"), "blank"),
                      "capstone": {"capstone": "blank"}} for i in range(2)},
    **{f"zround{i}": {"checkpoint": {"q5": ROUND}, "capstone": {}} for i in range(3)},
    "zclamp0": {"checkpoint": {"q5": CLAMP}, "capstone": {"capstone": CAPSTONE_WRONG}},
    "zclamp1": {"checkpoint": {"q5": CLAMP}, "capstone": {"capstone": PIXELS}},
    "zmixed": {"checkpoint": {"q1": Q1_WRONG, "q2": "timeout", "q6": "missing"}, "capstone": {}},
    "zunfinished": {"checkpoint": None, "capstone": {}},
}
FIGURES = re.compile(r"<img alt='figure' src='data:image/png;base64,[A-Za-z0-9+/=]+'>")


def first_check(question, grade_id):
    return next(c.check_ids[0] for c in source_cells(question) if c.grade_id == grade_id)


def cell_index(question, grade_id):
    return [c.grade_id for c in source_cells(question)].index(grade_id)


def lost_points(question, outcome):
    return sum(c.points for c in source_cells(question) if c.grade_id in outcome[2])


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    grades = tmp_path_factory.mktemp("grades")
    write_class(grades, LEARNERS)
    (grades / "report.json").write_text(json.dumps({"zsol0": {"checkpoint": {"points": 6}}}))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):  # through the command, as `vlmkit class-report GRADES`
        assert class_report_command.run(argparse.Namespace(grades=str(grades), anonymise=False)) == 0
    assert f"class report: {grades / 'class_report.html'}" in printed.getvalue()
    return grades, json.loads((grades / "report.json").read_text()), (grades / "class_report.html").read_text()


def test_the_misconceptions_rank_checks_by_learners_failing_them(report):
    _, data, _ = report
    ranked = data[CLASS_KEY]["misconceptions"]
    both = sorted(ROUND[2] & CLAMP[2], key=lambda g: cell_index("q5", g))
    (only_round,) = ROUND[2] - CLAMP[2]
    expected = [first_check("q5", g) for g in both] + [first_check("q5", only_round)]
    assert [m["check"] for m in ranked[:3]] == expected
    assert [(m["failed"], m["attempted"]) for m in ranked[:3]] == [(5, 10), (5, 10), (3, 10)]
    assert ranked[0]["share"] == 0.5 and ranked[0]["days"] == [63, 65] and ranked[0]["question"] == "q5"
    assert ranked[0]["message"] == ROUND[1]  # 3 learners said so, 2 the clamping message
    assert ranked[0]["messages"] == [[ROUND[1], 3], [CLAMP[1], 2]]
    q1 = [m for m in ranked if m["question"] == "q1" and m["failed"]]
    assert {m["check"] for m in q1} == {first_check("q1", g) for g in Q1_WRONG[2]}
    assert all((m["failed"], m["attempted"]) == (1, 10) for m in q1)
    capstone = next(m for m in ranked if m["question"] == "capstone" and m["failed"])
    assert (capstone["failed"], capstone["attempted"]) == (1, 11)  # blanks are not misconceptions
    assert sum(m["failed"] for m in ranked) == 5 + 5 + 3 + len(Q1_WRONG[2]) + len(CAPSTONE_WRONG[2]) + len(PIXELS[2])



def test_the_reteaching_list_has_one_entry_per_mistake_naming_its_checks(report):
    _, data, page = report
    mistakes = data[CLASS_KEY]["diagnoses"]

    def entry(question, outcome, learners, attempted):
        cells = sorted(outcome[2], key=lambda g: cell_index(question, g))
        return (question, outcome[1], [first_check(question, g) for g in cells], learners, attempted)

    capstone = sorted([entry("capstone", w, 1, 11) for w in (CAPSTONE_WRONG, PIXELS)],
                      key=lambda e: cell_index("capstone", next(c.grade_id for c in source_cells("capstone")
                                                                 if c.check_ids[0] == e[2][0])))
    assert len(ROUND[2]) > 1 and len(CLAMP[2]) > 1  # each mistake fails several checks: one entry each
    assert [(m["question"], m["diagnosis"], m["checks"], m["learners"], m["attempted"]) for m in mistakes] == [
        entry("q5", ROUND, 3, 10), entry("q5", CLAMP, 2, 10), entry("q1", Q1_WRONG, 1, 10), *capstone]
    assert mistakes[0]["share"] == 0.3 and mistakes[0]["days"] == [63, 65]
    (item,) = [li for li in re.findall(r"<li>.*?</li>", FIGURES.sub("", page)) if ROUND[1] in li]
    assert all(f"<code>{check}</code>" in item for check in mistakes[0]["checks"]) and "3 of 10" in item


def test_a_diagnosis_is_the_mistake_a_message_names_whichever_check_gave_it():
    hint = "it equals the image→text cross-entropy alone: CLIP averages both directions"
    assert diagnosis(f"clip_loss: wrong values (beyond tolerance 1e-05) — {hint}") == hint
    assert diagnosis(f"clip_loss(grads): wrong values — {hint} (on 3 of 5 unseen inputs)") == hint
    assert diagnosis("quantize: wrong values (on 2 of 8 unseen inputs)") == "quantize: wrong values"
    assert same_mistake(diagnosis("normalize_actions (7-DoF, out of range): wrong values (beyond tolerance 1e-06)")) \
        == same_mistake(diagnosis("normalize_actions: wrong values (beyond tolerance 1e-06)")) \
        == "normalize_actions: wrong values"
    assert same_mistake("more than half a bin (0.5/1000)") == same_mistake("more than half a bin (0.5/1024)")
    assert same_mistake("MLPProjector, output (every parameter (all) moved) vs the reference's: wrong values") \
        == "MLPProjector, output vs the reference's: wrong values"
    assert diagnosis("mistake: round instead of floor") == "mistake: round instead of floor"


def test_bands_questions_and_capstone(report):
    _, data, _ = report
    figures = data[CLASS_KEY]
    checkpoint = figures["checkpoint"]
    assert (checkpoint["learners"], checkpoint["grading_unfinished"]) == (12, 1)
    mixed_total = 6 - lost_points("q1", Q1_WRONG) - 2
    assert 2 <= mixed_total < 4
    assert [b["learners"] for b in checkpoint["bands"]] == [4, 5, 1, 2]
    assert [b["band"] for b in checkpoint["bands"]] == [text for _, text in SCORE_BANDS]
    assert checkpoint["score_counts"] == {"0": 2, f"{mixed_total:g}": 1, f"{6 - lost_points('q5', ROUND):g}": 3,
                                          f"{6 - lost_points('q5', CLAMP):g}": 2, "6": 4}
    questions = {q["question"]: q for q in figures["questions"]}
    assert questions["q5"]["full_marks"] == 5 / 12 and questions["q5"]["not_attempted"] == 2 / 12
    assert questions["q2"]["timeout"] == 1 and questions["q2"]["full_marks"] == 9 / 12
    assert questions["q6"]["not_attempted"] == 3 / 12 and questions["q6"]["mean"] == 9 / 12
    assert questions["capstone"]["learners"] == 13
    capstone = figures["assignments"]["capstone"]
    assert (capstone["complete"], capstone["learners"]) == (9, 13)


def test_the_reteaching_plan_by_course_day(report):
    _, data, _ = report
    days = {d["day"]: d for d in data[CLASS_KEY]["days"]}
    assert list(days) == list(range(59, 69))
    assert (days[63]["sent_back"], days[63]["learners"]) == (7, 12) == (days[65]["sent_back"], days[65]["learners"])
    assert [days[d]["sent_back"] for d in (59, 60, 66)] == [3, 3, 3]
    assert (days[64]["questions"], days[64]["learners"], days[64]["share"]) == ([], 0, 0.0)
    assert (days[67]["sent_back"], days[67]["learners"]) == (4, 13)
    assert days[63]["top_checks"] == [m["check"] for m in data[CLASS_KEY]["misconceptions"][:3]]


def test_the_capstone_pipelines_metrics_against_the_kits(report):
    _, data, page = report
    entries = {e["check"]: e for e in data[CLASS_KEY]["metrics"]}
    assert list(entries) == list(MEASURED_CHECKS)
    for entry in entries.values():
        # 13 finished the capstone; the 2 blanks' pipelines never ran; 10 reach the kit's numbers, zclamp1 not
        assert (entry["assignment"], entry["learners"], entry["measured"]) == ("capstone", 13, 11)
        metrics = {m["metric"]: m for m in entry["metrics"]}
        assert list(metrics) == list(KIT_METRICS)  # every metric the kit measures, in its order
        for name, kit in KIT_METRICS.items():
            m, miswired = metrics[name], MISWIRED_METRICS.get(name)
            values = [kit] * 10 + ([miswired] if miswired is not None else [])
            assert (m["kit"], m["learners"], m["median"], m["max"]) == (kit, len(values), kit, kit)
            assert m["mean"] == pytest.approx(sum(values) / len(values))
            assert m["min"] == min(values) and m["short_of_kit"] == (miswired is not None)
            assert sum(m["histogram"]) == len(values) and m["histogram"][min(int(kit * 10), 9)] >= 10
        assert metrics["scene_accuracy"]["histogram"] == [0, 0, 1, 0, 0, 0, 0, 0, 0, 10]
        assert metrics["detection_precision"]["learners"] == 10  # nothing found: no precision to count
    text = FIGURES.sub("", page)
    assert "11 of 13 learners' pipelines ran" in text and "more than 0.01 below the kit" in text


def test_tidy_csv_and_report_json(report):
    grades, data, _ = report
    rows = list(csv.DictReader((grades / "class_report.csv").open()))
    assert list(rows[0]) == CSV_COLUMNS
    checks = {q: sum(len(c.check_ids) for c in source_cells(q)) for q in ("q1", "q2", "q3", "q4", "q5", "q6")}
    capstone = sum(len(c.check_ids) for c in source_cells("capstone"))
    assert len(rows) == 12 * sum(checks.values()) - checks["q6"] + 13 * capstone  # zmixed's q6 is missing
    first = first_check("q5", sorted(ROUND[2], key=lambda g: cell_index("q5", g))[0])
    mine = [r for r in rows if r["student"] == "zround0" and r["check"] == first]
    assert [(r["assignment"], r["question"], r["passed"], r["days"]) for r in mine] == [("checkpoint", "q5", "0",
                                                                                           "63;65")]
    assert not [r for r in rows if r["student"] == "zunfinished" and r["assignment"] == "checkpoint"]
    assert data["zsol0"] == {"checkpoint": {"points": 6}}  # the per-student entries are untouched


def test_the_page_is_offline_and_has_every_section(report):
    _, _, page = report
    assert not re.search(r"https?://|<script|<link|@import|url\(", page)
    assert len(FIGURES.findall(page)) == 7 and page.count("<img") == 7  # 5 + one per measured check
    text = FIGURES.sub("", page)
    for heading in ("Checkpoint scores", "Per question", "Misconceptions", "Re-teaching plan by course day",
                    "capstone across the class", "Pipeline metrics", "Written answers"):
        assert heading in text
    assert "zmixed" in text and "q2: timeout" in text and "zunfinished" in text


def test_anonymised_names_are_stable_and_no_id_shows(report):
    grades, _, _ = report
    written = write_class_report(grades, anonymise=True)
    names = {r["student"] for r in csv.DictReader(written["csv"].open())}
    page = FIGURES.sub("", written["html"].read_text())
    assert names == set(pseudonyms(grades, LEARNERS).values())  # the same again: the key is kept
    assert len(names) == 13 and all(re.fullmatch(r"learner-[0-9a-f]{10}", name) for name in names)
    assert len(set(re.findall(r"learner-[0-9a-f]{10}", page))) == 2  # zmixed's timeout, zunfinished
    assert not [s for s in LEARNERS if s in page]


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader 0.9 with SQLAlchemy 2, as in gradebook.py
def test_written_answers_are_counted_from_the_gradebook(tmp_path, monkeypatch):
    from nbgrader.api import Gradebook

    # A new gradebook asks the alembic command for its schema version (seconds); the rows don't need it.
    monkeypatch.setattr("nbgrader.api.get_alembic_version", lambda: "not-stamped")
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        gb.add_assignment("capstone")
        gb.add_notebook("capstone", "capstone")
        gb.add_grade_cell("capstone_written", "capstone", "capstone", max_score=2, cell_type="markdown")
        gb.add_grade_cell("capstone_test", "capstone", "capstone", max_score=1, cell_type="code")
        for student, manual in (("a", 1.5), ("b", None), ("c", 0.0)):
            gb.add_student(student)
            gb.add_submission("capstone", student)
            gb.find_grade("capstone_written", "capstone", "capstone", student).manual_score = manual
        gb.db.commit()
    assert written_cell_counts(tmp_path / "gradebook.db") == [
        {"assignment": "capstone", "cell": "capstone_written", "points": 2.0, "graded": 2, "awaiting": 1}]


def test_missing_or_empty_grades_is_a_one_line_error(tmp_path):
    for grades in (tmp_path / "nowhere", tmp_path):
        with pytest.raises(KitError, match="run `vlmkit autograde") as err:
            write_class_report(grades)
        assert "\n" not in str(err.value)
        (tmp_path / "results" / "checkpoint").mkdir(parents=True, exist_ok=True)
