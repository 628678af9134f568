"""An instructor in formgrader: grades and comments a written answer, and finds the score in
grades.csv and the export, and the comment in the learner's feedback page; and formgrader without
noise on a grades folder (no exchange warning, the Submissions count, a fresh list after Back,
every file it asks for served).

The grades folder comes from the library's autograde on the course's own complete example
(through the fast path, as the determinism tests do: the sandboxed CLI is tested in
test_autograde.py); formgrader itself is started with the real `vlmkit formgrader` command and
stopped as a terminal's Ctrl-C would.
"""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from browser.servers import free_port, jupyter_server
from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.grading.engine.fast_path import run_forked
from vlmkit.grading.workflows.autograde import autograde

BIN = Path(sys.executable).parent
TOKEN = "browser-test-token"
COMMENT = "Say what the *temperature* does. <script>alert(1)</script>"


@pytest.fixture(scope="module")
def grades(tmp_path_factory):
    out = tmp_path_factory.mktemp("grades")
    for assignment in load_course():
        autograde(paths.EXAMPLES, out, assignment, students=["complete", "blank"], execute=run_forked)
    return out


def _open_submission(page, base: str, assignment: str, notebook: str, student: str) -> None:
    page.goto(f"{base}/formgrader/gradebook/{assignment}/{notebook}")
    page.wait_for_selector("a[href*='/formgrader/submissions/']")
    href = page.eval_on_selector_all(
        "a[href*='/formgrader/submissions/']",
        f"els => els.filter(e => e.textContent.trim() === {student!r}).map(e => e.href)")[0]
    page.goto(href)
    page.wait_for_function("typeof MathJax !== 'undefined' && MathJax.Hub !== undefined")


def _give_score(page, grade_id: str, score: str) -> None:
    field = page.locator(f"input#{grade_id}")
    field.fill(score)
    field.press("Tab")  # formgrader saves a score when the field loses focus
    page.wait_for_function(f"document.getElementById({grade_id!r}).classList.contains('needs_manual_grade') === false")


def _give_comment(page, grade_id: str, text: str) -> None:
    box = page.locator(f"textarea#{grade_id}-comment")
    with page.expect_response(lambda r: "/api/comment/" in r.url and r.request.method == "PUT") as saved:
        box.fill(text)
        box.press("Tab")  # formgrader saves a comment, like a score, when the box loses focus
    assert saved.value.ok


def test_written_answers_graded_in_formgrader_reach_grades_and_export(grades, page, tmp_path):
    port = free_port()
    argv = [str(BIN / "vlmkit"), "formgrader", str(grades), "--port", str(port), "--token", TOKEN]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    with jupyter_server(argv, env, tmp_path, port, TOKEN, tmp_path / "formgrader.log",
                        stop=signal.SIGINT) as base:
        page.goto(f"{base}/formgrader?token={TOKEN}")
        page.goto(f"{base}/formgrader/gradebook/capstone/capstone")
        page.wait_for_selector("text=Submission #2")  # every graded submission is listed
        assert page.locator("a[href*='/formgrader/submissions/']").count() == 4  # number + name, each
        _open_submission(page, base, "capstone", "capstone", "complete")
        written = page.locator(".nbgrader_cell", has=page.locator("input#capstone_written"))
        assert "points" not in written.inner_text()  # the learner's answer, not kit output
        verdicts = page.locator(".output_area pre").all_inner_texts()
        assert any("✓ capstone.iou" in text for text in verdicts), verdicts  # the kit's verdicts
        _give_score(page, "capstone_written", "1.5")
        _open_submission(page, base, "checkpoint", "q1_clip_loss", "complete")
        page.wait_for_selector("mjx-container, .MathJax, .MathJax_Display", state="attached")
        _give_score(page, "q1_written", "1")
        _give_comment(page, "q1_written", COMMENT)
    assert (grades / "nbgrader_config.py").exists() and not (paths.AUTOGRADER / "gradebook.db").exists()

    rows = {r["student"]: r for r in csv.DictReader((grades / "grades.csv").open())}
    assert rows["complete"]["capstone_written"] == "1.5"
    assert rows["complete"]["written"] == "not yet graded"  # q2..q6 still await a grader
    report = json.loads((grades / "report.json").read_text())
    assert report["complete"]["capstone"]["written"]["points"] == 1.5
    feedback = (grades / "feedback" / "complete" / "checkpoint" / "q1_clip_loss.html").read_text()
    written = feedback[feedback.index("<div class='written'>"):]
    assert "Say what the <em>temperature</em> does. &lt;script&gt;alert(1)&lt;/script&gt;" in written
    assert "<script" not in feedback and "1/1 point" in written  # beside the score it was typed under

    subprocess.run([str(BIN / "nbgrader"), "export"], cwd=grades, check=True, capture_output=True,
                   env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})
    export = {(r["assignment"], r["student_id"]): r
              for r in csv.DictReader((grades / "nbgrader_grades.csv").open())}
    assert (export["checkpoint", "complete"]["score"], export["checkpoint", "complete"]["max_score"]) \
        == ("7.0", "12.0")  # six autograded points and q1's written one, exactly
    assert (export["capstone", "complete"]["score"], export["capstone", "complete"]["max_score"]) == ("5.5", "6.0")
    assert export["checkpoint", "blank"]["score"] == "0.0"


def _row_of(page, student: str):
    """The Manual Grading list's row of `student` (shown as "Submission #n": names are hidden)."""
    return page.locator("#main-table tr", has=page.locator("a.name-shown", has_text=student))


def _score_of(page, student: str) -> str:
    return _row_of(page, student).locator(".score").inner_text().strip()


def test_formgrader_on_a_grades_folder_without_noise(grades, page, tmp_path):
    copy = tmp_path / "grades"
    shutil.copytree(grades, copy)  # the other test's grades stay as it leaves them
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    port, log = free_port(), tmp_path / "formgrader.log"
    argv = [str(BIN / "vlmkit"), "formgrader", str(copy), "--port", str(port), "--token", TOKEN]
    with jupyter_server(argv, os.environ, tmp_path, port, TOKEN, log, stop=signal.SIGINT) as base:
        page.goto(f"{base}/formgrader?token={TOKEN}")
        page.wait_for_load_state("networkidle")
        assert page.locator("#kit-no-exchange").is_visible() and page.locator(".alert-warning").count() == 0
        counts = page.locator("td.num-submissions").all_inner_texts()
        assert [c.strip() for c in counts] == ["2", "2"], counts  # complete and blank, both assignments
        page.goto(f"{base}/formgrader/gradebook")
        page.wait_for_load_state("networkidle")
        assert [c.strip() for c in page.locator("td.num-submissions").all_inner_texts()] == ["2", "2"]

        page.goto(f"{base}/formgrader/gradebook/checkpoint/q1_clip_loss")
        page.wait_for_load_state("networkidle")
        assert _score_of(page, "blank") == "0 / 2"
        _row_of(page, "blank").locator("a.name-hidden").click()
        page.wait_for_load_state("networkidle")  # its grades fetched: a score typed earlier is overwritten
        field = page.locator("input#q1_written")
        with page.expect_response(lambda r: "/api/grade/" in r.url and r.request.method == "PUT") as saved:
            field.fill("1")
            field.press("Tab")
        assert saved.value.ok
        page.go_back()
        page.wait_for_load_state("networkidle")
        assert _score_of(page, "blank") == "1 / 2"  # the list as it is now, without a reload
    assert failed == []  # MathJax's fonts included
    assert "exchange" not in log.read_text().lower()
