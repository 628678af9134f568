"""Self-check: the learner's table from visible checks, the same verdicts as the autograder."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import CHECKPOINT, COURSE, solved_notebook, with_answer
from vlmkit import paths
from vlmkit.errors import KitError
from vlmkit.grading.authoring.answer_banks import delegating_answers
from vlmkit.grading.outputs.score_table import question_table
from vlmkit.grading.workflows.autograde import autograde
from vlmkit.grading.workflows.selfcheck import locate, resolve, selfcheck

pytestmark = pytest.mark.sandbox  # self-check runs notebooks in sandboxes

Q5 = "q5_coordinate_tokens.ipynb"


def test_selfcheck_exit_status_and_table(tmp_path):
    nbformat.write(solved_notebook(Q5), str(tmp_path / Q5))
    done = subprocess.run([sys.executable, "-m", "vlmkit", "selfcheck", str(tmp_path / Q5)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "q5" in done.stdout and "passed" in done.stdout
    assert done.stderr.startswith(f"checked {Q5}: 1/1 (")  # the notebook's line, as it was done
    assert "1 of 6 checked: 1/1 (the band needs all 6)" in done.stdout
    assert "->" not in done.stdout and "redo the phase" not in done.stdout  # no band from one notebook
    blank = subprocess.run([sys.executable, "-m", "vlmkit", "selfcheck",
                            str(paths.EXAMPLES / "blank" / "checkpoint" / Q5)], capture_output=True, text=True)
    assert blank.returncode == 1 and "revisit Day" in blank.stdout


def test_selfcheck_and_autograde_agree_on_visible_checks(tmp_path):
    mistakes = paths.EXAMPLES / "mistakes" / "checkpoint" / Q5
    mine = selfcheck([mistakes])["checkpoint"]["q5"]
    graded = autograde(paths.EXAMPLES, tmp_path, "checkpoint", students=["mistakes"])["mistakes"]["q5"]
    hidden = {v["check"] for c in graded["cells"] for v in c["verdicts"] if ".hidden." in v["check"]}
    visible = {v["check"]: v for c in graded["cells"] for v in c["verdicts"] if v["check"] not in hidden}
    assert {v["check"]: v for c in mine["cells"] for v in c["verdicts"]} == visible


def test_selfcheck_of_the_capstone_reports_the_capstone_not_the_checkpoint_band():
    done = subprocess.run([sys.executable, "-m", "vlmkit", "selfcheck",
                           str(paths.EXAMPLES / "mistakes" / "capstone" / "capstone.ipynb")],
                          capture_output=True, text=True)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Phase V capstone: 3/4, still missing: capstone: 1 test cell(s) failing" in done.stdout
    assert "/6" not in done.stdout  # the 0-6 bands belong to the checkpoint


def test_selfcheck_tells_a_learner_early_that_a_delegating_answer_loses_its_cells(tmp_path):
    """The learner hears it before submitting: same cells, same reason as autograde."""
    name, grade_id, code, lost = delegating_answers("q1")[0]
    notebook = tmp_path / "q1_clip_loss.ipynb"
    nbformat.write(with_answer(notebook.name, grade_id, code), str(notebook))
    result = selfcheck([notebook])["checkpoint"]["q1"]
    failed = {c["grade_id"]: [v["message"] for v in c["verdicts"] if not v["passed"]] for c in result["cells"]}
    assert {cell for cell, messages in failed.items() if messages} == lost
    assert all(any("open_clip.loss.ClipLoss" in m and "your own implementation" in m for m in failed[cell])
               for cell in lost)


def result(score, failure=""):
    verdicts = [{"check": "q3.bridge.example", "passed": False, "message": failure}] if failure else []
    return {"score": score, "max_score": 1, "status": "graded",
            "cells": [{"grade_id": "c", "score": score, "max_score": 1, "verdicts": verdicts}]}


def test_table_shows_full_topics_and_wraps_a_long_failure_within_100_columns():
    results = {q.id: result(1) for q in CHECKPOINT.questions}
    results["q3"] = result(0.5, "the Q-Former must map any number of patches to 32 queries " * 4)
    table = question_table(CHECKPOINT, results)
    assert "Bridges: MLP, Q-Former, Perceiver" in table and "LLaVA data and two-stage training" in table
    assert max(len(line) for line in table.splitlines()) <= 100
    detail = [line for line in table.splitlines() if line.startswith(" " * 11)]
    assert detail[0].strip().startswith("q3.bridge.example: the Q-Former") and len(detail) == 3
    assert table.splitlines()[-3] == "total: 5.5/6  ->  4-5/6: strong, review gaps"


def test_table_of_some_notebooks_counts_the_checked_ones_without_a_band():
    table = question_table(CHECKPOINT, {"q1": result(1), "q5": result(0.25, "floor, not round")})
    assert "2 of 6 checked: 1.25/2 (the band needs all 6)" in table
    assert "total:" not in table and "redo the phase" not in table
    assert sum("not checked" in line for line in table.splitlines()) == 4


def test_a_path_as_jupyterlabs_file_browser_shows_it_is_found_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a folder without checkpoint/ (the learner's terminal may be anywhere)
    shown = f"checkpoint/{Q5}"
    assert resolve(shown) == paths.NOTEBOOKS / "checkpoint" / Q5
    assert [(a.name, q.id) for a, q, _ in locate([shown], COURSE)] == [("checkpoint", "q5")]
    assert resolve(f"notebooks/checkpoint/{Q5}") == paths.ROOT / "notebooks" / "checkpoint" / Q5
    (tmp_path / "checkpoint").mkdir()
    nbformat.write(solved_notebook(Q5), str(tmp_path / shown))
    assert resolve(shown) == Path(shown)  # one in this folder comes first
    with pytest.raises(KitError, match="does not exist"):
        resolve("checkpoint/q9_missing.ipynb")
