"""What `vlmkit autograde` derives from its stored results: grades.csv, report.json, the printed
summary and the feedback pages, rebuilt by `refresh` from a synthetic class's results (no notebook
run, a few seconds). The graded notebooks are the source notebooks, hidden tests included, as
nbgrader's autograded copies are.

Run: pytest tests/grading/outputs/test_stored_results.py
"""

import csv
import json
import re
import shutil

import pytest
from synthetic_class import COURSE, source_notebook, write_class, wrong

from vlmkit.grading.outputs.rebuild import refresh
from vlmkit.grading.outputs.results import load_graded
from vlmkit.grading.workflows.autograde import print_summary

CHECKPOINT = COURSE["checkpoint"]
OUTCOMES = {"complete": lambda question: "solution", "blank": lambda question: "blank", "mistakes": wrong}


@pytest.fixture(scope="module")
def grades(tmp_path_factory):
    """(the grades folder, the feedback pages) for three learners, as the bundled examples grade."""
    out = tmp_path_factory.mktemp("grades")
    write_class(out, {student: {name: {q.id: outcome(q.id) for q in assignment.questions}
                                for name, assignment in COURSE.items()}
                      for student, outcome in OUTCOMES.items()})
    for student in OUTCOMES:
        for name, assignment in COURSE.items():
            for q in assignment.questions:
                graded = out / "autograded" / student / name / q.notebook
                graded.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source_notebook(q.id), graded)
    return out, refresh(out)


def test_grades_csv_has_the_course_columns_and_bands(grades):
    out, _ = grades
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert list(rows[0]) == ["student", *[q.id for q in CHECKPOINT.questions], "total", "band", "written",
                             "capstone", "capstone_complete", "capstone_written"]
    by_student = {r["student"]: r for r in rows}
    assert float(by_student["complete"]["total"]) == len(CHECKPOINT.questions)
    assert float(by_student["blank"]["total"]) == 0 and "redo the phase" in by_student["blank"]["band"]
    assert (by_student["complete"]["capstone"], by_student["complete"]["capstone_complete"]) == ("4", "yes")
    assert (by_student["blank"]["capstone"], by_student["blank"]["capstone_complete"]) == ("0", "no")
    report = json.loads((out / "report.json").read_text())
    assert report["complete"]["checkpoint"]["points"] == len(CHECKPOINT.questions)
    assert report["complete"]["capstone"]["points"] == 4 and not report["complete"]["capstone"]["missing"]


def test_printed_summary_ends_with_the_capstone_line(grades, capsys):
    out, _ = grades
    print_summary(COURSE, load_graded(out))
    blocks = {b.splitlines()[0]: b for b in capsys.readouterr().out.split("\n== ") if b.strip()}
    complete, blank = blocks["complete"].splitlines(), blocks["blank"].splitlines()
    assert complete[-1] == "Phase V capstone complete (4/4)"
    assert blank[-1].startswith("Phase V capstone: 0/4, still missing: capstone: 4 test cell(s) failing")
    assert any("6/6" in line and "ready for VLM fine-tuning" in line for line in complete)


def test_feedback_has_verdicts_but_no_hidden_test_source(grades):
    _, pages = grades
    assert len(pages) == len(OUTCOMES) * sum(len(a.questions) for a in COURSE.values())
    for page in pages:
        text = page.read_text()
        # the hidden checks' names show with their verdicts; their calls, the source, do not
        assert "BEGIN HIDDEN TESTS" not in text and not re.search(r"check\((&quot;|\")[a-z0-9]+\.hidden", text)
        assert "(hidden tests ran here)" in text
        assert "check(&quot;" in text or "check(\"" in text
