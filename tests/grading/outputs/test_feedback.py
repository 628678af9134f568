"""Feedback pages and the written-answer columns, on plain data and the course's own notebooks
(no notebook is run: about a second in all)."""

import csv
import io
import os
import stat

import nbformat
import pytest

from conftest import COURSE
from vlmkit import paths
from vlmkit.errors import KitError
from vlmkit.grading.checking.files import OUTPUT_MODE, atomic_write
from vlmkit.grading.checking.points import points_text
from vlmkit.grading.engine.merge import merge
from vlmkit.grading.nbgrader_io.cells import read_notebook
from vlmkit.grading.nbgrader_io.written import NOT_GRADED, course_written_cells, key_points
from vlmkit.grading.outputs.class_report import pseudonyms
from vlmkit.grading.outputs.feedback import MAX_FEEDBACK_BYTES, feedback_html, markdown_html, math_html
from vlmkit.grading.outputs.grade_files import grades_csv, written_entry
from vlmkit.grading.outputs.rebuild import refresh

Q1 = "q1_clip_loss.ipynb"
OUTPUT_MARKER = "printed-by-the-learner-7731"


def test_markdown_renders_prose_tables_and_math_and_escapes_html():
    page = markdown_html("# Title\n\n**bold** and $x_i^2$\n\n$$\\frac{a}{b}$$\n\n| a | b |\n| --- | --- |\n"
                         "| 1 | 2 |\n\n<script>alert(1)</script> <b onclick=x>b</b>")
    assert "<h1>Title</h1>" in page and "<strong>bold</strong>" in page and "<td>2</td>" in page
    assert page.count("<math") == 2 and "<msubsup><mi>x</mi><mi>i</mi><mn>2</mn></msubsup>" in page
    assert "<mfrac><mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow></mfrac>" in page
    assert "<script" not in page and "<b " not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("tex", ["\\text{<img src=x onerror=alert(1)>}", "\\href{javascript:alert(1)}{x}",
                                 "\\text{<!DOCTYPE x>}", "\\frac{" * 2000])
def test_formulas_that_carry_more_than_mathml_show_as_escaped_tex(tex):
    out = math_html(tex)
    assert out.startswith("<code class='tex'>") and "<img" not in out and "href" not in out.replace("\\href", "")


def test_markdown_loads_nothing_from_outside():
    page = markdown_html("![tracker](http://example.org/pixel.png) [link](javascript:alert(1))")
    assert "<img" not in page and 'href="javascript' not in page


def _q1_graded(written_answer="My answer: **both** directions, $s = 1/\\tau$."):
    """The complete example's q1 merged with its source, a written answer and a learner output."""
    learner = read_notebook(paths.EXAMPLES / "complete" / "checkpoint" / Q1)
    for cell in learner.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "q1_written":
            cell.source = written_answer
        if meta.get("grade_id") == "q1_loss":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=OUTPUT_MARKER)]
    merged, _ = merge(read_notebook(paths.SOLUTIONS / "checkpoint" / Q1), learner)
    verdict = {"check": "q1.logits.example", "passed": False, "message": "logits differ"}
    result = {"notebook": Q1, "score": 0.75, "max_score": 1.0, "notes": [],
              "cells": [{"grade_id": gid, "score": 0.25 * (gid != "q1_test_loss"), "max_score": 0.25,
                         "verdicts": [verdict]}
                        for gid in ("q1_test_loss", "q1_test_symmetry", "q1_test_temperature", "q1_test_training")]}
    return result, merged


def test_feedback_shows_code_verdicts_and_rendered_markdown_but_no_secrets():
    result, merged = _q1_graded()
    page = feedback_html(result, merged)
    assert "<h1>Checkpoint Q1 — The CLIP contrastive loss</h1>" in page and "<math" in page
    assert "def clip_logits(image_emb, text_emb, logit_scale):" in page  # the learner's code
    assert page.count("<pre class='verdict'>") == 4 and "✗ q1.logits.example: logits differ" in page
    assert "(hidden tests ran here)" in page and "q1.hidden" not in page and "BEGIN HIDDEN" not in page
    assert OUTPUT_MARKER not in page and "BEGIN SOLUTION" not in page


def test_written_answer_awaits_grading_then_shows_score_and_key_points():
    result, merged = _q1_graded()
    keys = course_written_cells("checkpoint")["q1_written"].key_points
    assert keys.startswith("*Key points.*") and "BEGIN SOLUTION" not in keys
    waiting = feedback_html(result, merged, {"q1_written": {"score": None, "max_score": 1.0, "key_points": keys}})
    assert "awaiting grading (1 point)" in waiting and "<strong>both</strong>" in waiting
    assert "Each direction normalises over a different set" not in waiting
    graded = feedback_html(result, merged, {"q1_written": {"score": 0.5, "max_score": 1.0, "key_points": keys}})
    assert "0.5/1 point" in graded and "Each direction normalises over a different set" in graded


def test_the_graders_comments_show_beside_their_cells_rendered_and_escaped():
    result, merged = _q1_graded()
    comments = {"q1_written": "Good: **both** directions. <script>alert(1)</script> $\\tau$",
                "q1_loss": "Clamp *before* exponentiating."}
    page = feedback_html(result, merged, {"q1_written": {"score": 1.0, "max_score": 1.0, "key_points": "k"}},
                         comments)
    written = page[page.index("<div class='written'>"):]
    assert written.index("Your grader's comment") < written.index("My answer")  # next to the score
    assert "<strong>both</strong>" in written and "&lt;script&gt;alert(1)&lt;/script&gt;" in written
    assert "<script" not in page and "<mi>τ</mi>" in written
    comment = page.index("</pre><div class='comment md'><p><b>Your grader's comment</b></p><p>Clamp <em>before</em>")
    assert "def clip_logits" in page[page.rindex("<pre class='code'>", 0, comment):comment]  # under that answer
    assert feedback_html(result, merged).count("grader's comment") == 0


def test_learner_markdown_cannot_inject_html_and_the_page_is_capped():
    result, merged = _q1_graded("<script>steal()</script><div id='fake-score'>6/6</div> $\\text{<img src=x>}$")
    page = feedback_html(result, merged)
    assert "<script" not in page and "<div id=" not in page and "<img" not in page
    merged.cells += [nbformat.v4.new_code_cell("<&>" * 2000) for _ in range(200)]  # 21 kB each, escaped
    page = feedback_html(result, merged)
    assert len(page.encode()) <= MAX_FEEDBACK_BYTES and "size limit" in page


def test_key_points_are_the_solution_region_or_the_whole_cell():
    assert key_points("intro\n### BEGIN SOLUTION\n- a\n- b\n### END SOLUTION\n") == "- a\n- b"
    assert key_points("  the whole model answer\n") == "the whole model answer"


def _result(score):
    return {"score": score, "max_score": 1.0, "status": "graded", "cells": []}


def test_grades_csv_reports_written_answers_apart_from_the_autograded_score():
    checkpoint = {q.id: _result(1.0) for q in COURSE["checkpoint"].questions}
    graded = {"checkpoint": {"ann": checkpoint, "bob": checkpoint, "cy": checkpoint},
              "capstone": {"ann": {"capstone": _result(4.0) | {"max_score": 4.0}}}}
    half = {"score": 0.5, "max_score": 1.0}
    written = {"checkpoint": {"ann": {f"q{i}_written": half for i in range(1, 7)},
                              "bob": {"q1_written": half, "q2_written": {"score": None, "max_score": 1.0}}},
               "capstone": {"ann": {"capstone_written": {"score": 1.5, "max_score": 2.0}}}}
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(grades_csv(COURSE, graded, written)))}
    assert list(rows["ann"])[-6:] == ["total", "band", "written", "capstone", "capstone_complete", "capstone_written"]
    assert (rows["ann"]["total"], rows["ann"]["written"], rows["ann"]["capstone_written"]) == ("6", "3", "1.5")
    assert rows["ann"]["band"].startswith("6/6")  # the band is the autograded 0-6 alone
    assert rows["bob"]["written"] == rows["cy"]["written"] == NOT_GRADED
    assert rows["cy"]["capstone_written"] == ""  # no capstone submitted
    assert written_entry(written["checkpoint"]["bob"]) == {
        "points": None, "max_points": 2.0, "status": NOT_GRADED, "cells": {"q1_written": 0.5, "q2_written": None}}


def test_refreshing_an_empty_folder_says_what_to_run_first(tmp_path):
    with pytest.raises(KitError, match="run `vlmkit autograde"):
        refresh(tmp_path)


def test_points_take_the_singular_only_for_one():
    assert [points_text(1), points_text(0.5), points_text(2), points_text(0, 1), points_text(0.25, 0.25),
            points_text(1, 1, "autograded"), points_text(3, 6, "autograded")] == \
        ["1 point", "0.5 points", "2 points", "0/1 point", "0.25/0.25 points", "1/1 autograded point",
         "3/6 autograded points"]


def test_outputs_are_readable_by_the_graders_group_and_the_pseudonym_key_is_not(tmp_path):
    old = os.umask(0o077)  # whatever the umask, the mode is the kit's
    try:
        atomic_write(tmp_path / "grades.csv", "student\n")
        key = pseudonyms(tmp_path, ["a"])
    finally:
        os.umask(old)
    assert OUTPUT_MODE == 0o640 and stat.S_IMODE((tmp_path / "grades.csv").stat().st_mode) == 0o640
    assert key and stat.S_IMODE((tmp_path / ".pseudonym_key").stat().st_mode) == 0o600


def test_math_reads_as_jupyterlab_draws_it():
    # q1's own formulas: an escaped underscore inside \text, and \mathcal without braces
    assert "<mtext>log_scale</mtext>" in math_html(r"e^{\text{log\_scale}}")
    script = math_html(r"\mathcal L_{I\to T}")
    assert "<mi>ℒ</mi>" in script and "mathvariant" not in script  # browsers ignore mathvariant="script"
    assert math_html(r"\mathcal{L}") == math_html(r"\mathcal L") and "<mi>ℝ</mi>" in math_html(r"\mathbb R")
