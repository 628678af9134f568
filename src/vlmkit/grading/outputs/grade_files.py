"""The class's grade files: grades.csv and report.json, rebuilt from the stored results.

grades.csv and report.json carry the autograded scores (from results/) and, apart from them,
the written answers' manual scores from the nbgrader gradebook (formgrader writes them); the
printed table is score_table.py's, the learner's feedback pages are feedback.py's.
"""

import csv
import io
import json
from pathlib import Path

from vlmkit.course import band
from vlmkit.grading.checking.files import atomic_write
from vlmkit.grading.checking.points import fmt_points
from vlmkit.grading.nbgrader_io.gradebook import manual_scores
from vlmkit.grading.nbgrader_io.written import NOT_GRADED, written_total
from vlmkit.grading.outputs.score_table import missing_parts, total


def _failed(results) -> bool:
    """True for a student whose grading did not finish (None) or had a question fail to grade."""
    return results is None or any(r.get("status") == "failed" for r in results.values())


def written_column(name: str) -> str:
    """The grades.csv column of an assignment's written answers (the checkpoint's is `written`)."""
    return "written" if name == "checkpoint" else f"{name}_written"


def _written_value(results, scores: dict) -> str:
    """A student's written-answer points, "not yet graded" until every written cell has a manual
    score, blank when the student submitted nothing for the assignment."""
    if results == {} and not scores:
        return ""
    points = written_total(scores)
    return NOT_GRADED if points is None else fmt_points(points)


def grades_csv(course: dict, graded: dict, written: dict = None) -> str:
    """graded: assignment → student → {question id → result}; written: assignment → student →
    manual_scores() of the written cells. One row per student, sorted.

    Columns: student, the checkpoint's questions, total, band (the autograded 0-6), written (the
    checkpoint's written answers, graded by hand), then for every other assignment graded (the
    capstone) its points, whether it is complete, and its written answers.
    """
    written = written or {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    checkpoint = course["checkpoint"]
    ids = [q.id for q in checkpoint.questions]
    others = [course[name] for name in course if name != "checkpoint" and name in graded]
    writer.writerow(["student", *ids, "total", "band", written_column("checkpoint"),
                     *[col for a in others for col in (a.name, f"{a.name}_complete", written_column(a.name))]])
    students = sorted({name for by_student in graded.values() for name in by_student})
    for name in students:
        results = graded.get("checkpoint", {}).get(name, {})
        if results is None:  # the student's grading never finished
            row = [""] * (len(ids) + 1) + ["grading failed: re-run autograde"]
        elif not results:  # not submitted for the checkpoint
            row = [""] * (len(ids) + 2)
        else:  # a question whose grading failed is blank; the others keep their scores
            row = [fmt_points(results[i]["score"]) if i in results and results[i]["status"] != "failed"
                   else "" for i in ids]
            row += [fmt_points(total(results)),
                    band(total(results)) if not _failed(results) else "incomplete: re-run autograde"]
        row.append(_written_value(results, written.get("checkpoint", {}).get(name, {})))
        for other in others:
            mine = graded[other.name].get(name, {})
            if not mine or _failed(mine):
                row += ["", "grading failed" if mine is None or mine else ""]
            else:
                row += [fmt_points(total(mine)), "yes" if not missing_parts(other, mine) else "no"]
            row.append(_written_value(mine, written.get(other.name, {}).get(name, {})))
        writer.writerow([name, *row])
    return out.getvalue()


def written_entry(scores: dict) -> dict:
    """report.json's account of one student's written answers in one assignment."""
    points = written_total(scores)
    return {"points": points, "max_points": round(sum(s["max_score"] for s in scores.values()), 6),
            "status": NOT_GRADED if points is None else "graded",
            "cells": {grade_id: s["score"] for grade_id, s in sorted(scores.items())}}


def write_outputs(out: Path, course: dict, graded: dict) -> None:
    """grades.csv and report.json over every assignment graded into `out` so far, with the
    written answers' manual scores from out/gradebook.db."""
    written = {assignment: manual_scores(out / "gradebook.db", assignment) for assignment in graded}
    atomic_write(out / "grades.csv", grades_csv(course, graded, written))
    report = {}
    for assignment, by_student in graded.items():
        spec = course[assignment]
        for name, results in by_student.items():
            if results is None:
                report.setdefault(name, {})[assignment] = {"status": "grading failed: re-run autograde"}
                continue
            entry = {"points": total(results), "max_points": spec.total,
                     "missing": missing_parts(spec, results), "questions": results,
                     "written": written_entry(written[assignment].get(name, {}))}
            if assignment == "checkpoint":
                entry["band"] = band(total(results))
            report.setdefault(name, {})[assignment] = entry
    # the class-wide sections other steps add under "#" keys (never a student id) stay
    previous = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else {}
    report.update({key: entry for key, entry in previous.items() if key.startswith("#")})
    atomic_write(out / "report.json", json.dumps(dict(sorted(report.items())), indent=1))
