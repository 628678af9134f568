"""A course on JupyterHub in a real browser: release, fetch, fill, validate, submit twice,
collect, autograde, grade a written answer in formgrader, release feedback, fetch feedback.

One hub (`tests/hub_course.py`: its own accounts, folder and ports, all removed after) with two
instructors and two learners. The learner works in Chromium through the hub's login page and
nbgrader's Assignment List; the instructor's steps are the kit's commands (as root, as they
would be typed) and formgrader in the browser, served by the course's hub service.
"""

import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from browser.conftest import loopback_only
from browser.lab import PANEL, replace_cell_source
from hub_course import course_hub
from vlmkit import paths
from vlmkit.commands import main as vlmkit
from vlmkit.grading.authoring.answer_banks import solution_answers

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="a course hub makes system accounts: run as root")
Q5 = "q5_coordinate_tokens"
OFFSITE = []  # per browser context: the requests it tried off the loopback (all blocked)
WRITTEN = "Coordinates are divided by the image size so one vocabulary fits every resolution."


@pytest.fixture(scope="module")
def course():
    with course_hub(learners=2, instructors=2) as (layout, members):
        yield layout, members, f"http://127.0.0.1:{layout.settings.port}"


def _logged_in(browser, base: str, name: str, password: str):
    """(context, page) of a fresh browser session after the hub's login form (no wait beyond it)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(120_000)
    OFFSITE.append(loopback_only(context))  # each context's list keeps filling as its pages load
    page = context.new_page()
    page.goto(f"{base}/hub/login")
    page.fill("input#username_input", name)
    page.fill("input#password_input", password)
    page.click("input#login_submit")
    return context, page


def _assignments_of(browser, base: str, name: str, password: str):
    """A learner's JupyterLab with nbgrader's Assignment List open: (context, page)."""
    context, page = _logged_in(browser, base, name, password)
    page.wait_for_selector(".jp-LabShell")
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
    page.wait_for_selector("#released_assignments_list_loading", state="hidden")
    return context, page


def _row(page, listing: str, name: str):
    return page.locator(f"#{listing}_assignments_list > .list_item", has_text=name)


def _fill_q5(page) -> None:
    """The learner's answers typed into q5's cells, and saved."""
    source = nbformat.read(str(paths.NOTEBOOKS / "checkpoint" / f"{Q5}.ipynb"), as_version=4)
    answers = solution_answers(paths.SOLUTIONS / "checkpoint" / f"{Q5}.ipynb")
    for index, cell in enumerate(source.cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and grade_id in answers:
            replace_cell_source(page, index, answers[grade_id])
        elif grade_id == "q5_written":
            page.locator(f"{PANEL} .jp-Cell").nth(index).dblclick()
            replace_cell_source(page, index, WRITTEN)
    page.keyboard.press("Control+s")
    page.wait_for_function(f"!document.querySelector('{PANEL}').classList.contains('jp-mod-dirty')")


def test_a_learner_submits_through_the_hub_and_gets_feedback(course, browser):
    layout, members, base = course
    learner, other = sorted(m for m in members if "-l" in m)
    context, page = _assignments_of(browser, base, learner, members[learner])
    _row(page, "released", "checkpoint").locator("button", has_text="Fetch").click()
    fetched = _row(page, "fetched", "checkpoint")
    fetched.locator("a.assignment-notebooks-link").click()
    fetched.locator(".nested_list_item a", has_text=Q5).click()  # opens the notebook in JupyterLab
    page.wait_for_selector(f"{PANEL} .jp-Cell")
    _fill_q5(page)

    page.locator(".lm-TabBar-tabLabel", has_text="Assignments").click()
    fetched.locator(".nested_list_item", has_text=Q5).locator("button", has_text="Validate").click()
    dialog = page.locator(".jp-Dialog")
    assert "Success" in dialog.inner_text(timeout=180_000), dialog.inner_text()
    dialog.locator("button", has_text="OK").click()
    for times in (1, 2):  # a second submission later replaces the first
        fetched.locator("button", has_text="Submit").first.click()
        page.wait_for_function(f"document.querySelectorAll('#submitted_assignments_list .list_item "
                               f".item_status').length >= {times}")
    context.close()

    def cli(*argv):
        assert vlmkit(list(argv)) == 0, argv

    cli("collect", "--hub", str(layout.root))
    submitted = layout.course / "submitted" / learner / "checkpoint"
    assert (submitted / "timestamp.txt").is_file()
    graded_q5 = nbformat.read(str(submitted / f"{Q5}.ipynb"), as_version=4)
    assert any(WRITTEN in cell.source for cell in graded_q5.cells)
    cli("autograde", "--hub", str(layout.root), "--assignment", "checkpoint", "--jobs", "2", "-q")
    rows = {r["student"]: r for r in csv.DictReader((layout.course / "grades.csv").open())}
    assert (rows[learner]["q5"], rows[learner]["total"]) == ("1", "1"), rows[learner]

    _grade_written_in_formgrader(browser, base, layout, members, learner)
    cli("release-feedback", "--hub", str(layout.root))
    rows = {r["student"]: r for r in csv.DictReader((layout.course / "grades.csv").open())}
    assert rows[learner]["written"] == "1"  # q5's as graded; q1..q4, q6 left empty: scored 0 by autograde
    export = _nbgrader_export(layout)
    assert (export[learner]["score"], export[learner]["max_score"]) == ("2.0", "12.0")  # q5: 1 auto + 1 written

    context, page = _assignments_of(browser, base, learner, members[learner])
    _row(page, "submitted", "checkpoint").first.locator("button", has_text="Fetch Feedback").click()
    page.wait_for_selector("#submitted_assignments_list a:has-text('view feedback')")
    pages = sorted(Path(f"/home/{learner}/checkpoint/feedback").glob(f"*/{Q5}.html"))
    assert len(pages) == 1, pages
    stamp = pages[0].parent.name
    page.goto(f"{base}/user/{learner}/files/checkpoint/feedback/{stamp}/{Q5}.html")
    text = page.locator("body").inner_text()
    assert f"{Q5}.ipynb: 1/1 autograded point" in text, text[:500]
    written = page.locator(".written").inner_text()
    assert WRITTEN in written and "awaiting" not in written and "Key points" in written, written
    context.close()

    # the other learner reaches neither the first one's server nor their feedback file
    other_session, page = _logged_in(browser, base, other, members[other])
    page.wait_for_load_state()
    response = page.goto(f"{base}/user/{learner}/files/checkpoint/feedback/{stamp}/{Q5}.html")
    assert response.status in (403, 404) or learner not in page.url, (response.status, page.url)
    other_session.close()
    denied = subprocess.run(["cat", str(pages[0])], user=other, group=other, extra_groups=[], capture_output=True)
    assert denied.returncode != 0
    assert not any(OFFSITE), OFFSITE


def _submission_in_formgrader(browser, base, layout, instructor, password, learner):
    """(context, page) of an instructor's formgrader, through the course's hub service, on the
    learner's q5 submission."""
    context, page = _logged_in(browser, base, instructor, password)
    page.wait_for_load_state()
    service = f"{base}/services/{layout.settings.course_id}/formgrader"
    page.goto(f"{service}/manage_assignments", wait_until="networkidle")  # a course with its exchange:
    assert page.locator(".alert-warning, #kit-no-exchange").count() == 0  # no warning, nbgrader's page
    assert "released" in page.locator("#main-table").inner_text()  # the exchange listed
    page.goto(f"{service}/gradebook/checkpoint/{Q5}")
    page.wait_for_selector("a[href*='/formgrader/submissions/']")
    href = page.eval_on_selector_all(
        "a[href*='/formgrader/submissions/']",
        f"els => els.filter(e => e.textContent.trim() === {learner!r}).map(e => e.href)")[0]
    page.goto(href, wait_until="networkidle")  # formgrader binds its save handlers once its scripts ran
    return context, page


def _grade_written_in_formgrader(browser, base, layout, members, learner) -> None:
    """One instructor scores the written answer; the other, in the same course, sees that score."""
    first, second = sorted(m for m in members if "-ins" in m)
    context, page = _submission_in_formgrader(browser, base, layout, first, members[first], learner)
    field = page.locator("input#q5_written")
    with page.expect_response(lambda r: "/api/grade/" in r.url and r.request.method == "PUT") as saved:
        field.fill("1")
        field.press("Tab")  # formgrader saves a score when the field loses focus
    assert saved.value.ok
    context.close()
    context, page = _submission_in_formgrader(browser, base, layout, second, members[second], learner)
    assert page.locator("input#q5_written").input_value() == "1"
    context.close()


def _nbgrader_export(layout) -> dict:
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "JUPYTER_CONFIG_PATH": layout.jupyter_config_path("grader")}
    subprocess.run([str(bin_dir / "nbgrader"), "export"], cwd=layout.course, env=env, check=True, capture_output=True)
    return {r["student_id"]: r for r in csv.DictReader((layout.course / "nbgrader_grades.csv").open())
            if r["assignment"] == "checkpoint"}
