"""A synthetic class's grading results, stored as `vlmkit autograde` stores them, no notebook run.

Each learner's question gets one known outcome: "solution" (every check passes), "blank" (every
check still hits the NotImplementedError stub), "timeout", "missing", or a wrong answer from
autograder/wrong_answers (`wrong(question, k)`): the test cells that answer must lose fail their
first check, with a message naming the mistake. The test cells and their checks are the source
notebooks' own, so the numbers a class report shows can be worked out by hand.
The capstone's measured checks (its pipeline's metrics on test samples) store KIT_METRICS as the
kit's pipeline's numbers and as the learner's, or MISWIRED_METRICS as the learner's when the
outcome loses the pipeline's test cell; a blank or timed-out pipeline stores none.
Used by tests/grading/outputs/test_class_report.py, tests/grading/outputs/test_stored_results.py and
benchmarks/bench_class_report.py.
"""

import functools
import json
from pathlib import Path

from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.grading.authoring.answer_banks import wrong_answers
from vlmkit.grading.checking.verdict import NOT_IMPLEMENTED
from vlmkit.grading.nbgrader_io.cells import graded_cells, read_notebook

COURSE = load_course()
DID_NOT_RUN = "did not run (its test cell failed or was skipped)"
MEASURED_CHECKS = ("capstone.pipeline.test_set", "capstone.hidden.pipeline_test_set")
KIT_METRICS = {"scene_accuracy": 1.0, "vqa_accuracy": 0.95, "vqa_accuracy/color": 0.9,
               "detection_precision": 0.98, "detection_recall": 0.99, "grounding_miou": 0.9}
# A pipeline fed the wrong pixels: it finds nothing, so it has no detection precision at all.
MISWIRED_METRICS = {"scene_accuracy": 0.2, "vqa_accuracy": 0.3, "vqa_accuracy/color": 0.15,
                    "detection_recall": 0.0, "grounding_miou": 0.0}


@functools.lru_cache(maxsize=None)
def source_notebook(question: str) -> Path:
    """The question's source notebook in solutions/."""
    assignment = next(a for a in COURSE.values() if any(q.id == question for q in a.questions))
    return paths.SOLUTIONS / assignment.name / next(q.notebook for q in assignment.questions if q.id == question)


@functools.lru_cache(maxsize=None)
def source_cells(question: str) -> tuple:
    """The question's autograded cells (grade_id, points, check ids), in the source notebook's order."""
    return tuple(graded_cells(read_notebook(source_notebook(question))))


@functools.lru_cache(maxsize=None)
def wrong(question: str, k: int = 0) -> tuple:
    """("wrong", message, lost test cells) for the question's k-th listed wrong answer."""
    name, _, _, lost = wrong_answers(question)[k]
    return ("wrong", f"mistake: {name}", frozenset(lost))


def question_result(question: str, outcome) -> dict:
    cells = source_cells(question)
    status = outcome if outcome in ("timeout", "missing") else "graded"
    rows = []
    for cell in ([] if status == "missing" else cells):
        lost = outcome != "solution" and (not isinstance(outcome, tuple) or cell.grade_id in outcome[2])
        verdicts = []
        for i, check in enumerate(cell.check_ids):
            if outcome == "blank":
                verdicts.append((check, False, NOT_IMPLEMENTED))
            elif outcome == "timeout":
                verdicts.append((check, False, DID_NOT_RUN))
            else:
                verdicts.append((check, not (lost and i == 0), outcome[1] if lost and i == 0 else "passed"))
        plain = [{"check": c, "passed": p, "message": m, "detail": ""} for c, p, m in verdicts]
        for verdict in plain:
            if verdict["check"] in MEASURED_CHECKS and outcome not in ("blank", "timeout"):
                verdict["measures"] = {"reached": MISWIRED_METRICS if lost else KIT_METRICS,
                                       "reference": KIT_METRICS}
        rows.append({"grade_id": cell.grade_id, "score": 0.0 if lost else cell.points, "max_score": cell.points,
                     "verdicts": plain, "error": ""})
    return {"question": question, "notebook": source_notebook(question).name, "score": sum(r["score"] for r in rows),
            "max_score": sum(c.points for c in cells), "status": status, "cells": rows, "notes": []}


def write_class(grades: Path, learners: dict) -> None:
    """learners: student → assignment → ({question: outcome}, missing questions are "solution"),
    or → None for a grading that never finished."""
    for student, assignments in learners.items():
        for name, outcomes in assignments.items():
            record = {"student": student, "assignment": name, "status": "in progress", "questions": {}}
            if outcomes is not None:
                record.update(status="complete", questions={
                    q.id: question_result(q.id, outcomes.get(q.id, "solution")) for q in COURSE[name].questions})
            path = grades / "results" / name / f"{student}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(record, indent=1))
