"""What grading produces: the printed score table, grades.csv and report.json.

grades.csv and report.json carry the autograded scores (from results/) and, apart from them,
the written answers' manual scores from the nbgrader gradebook (formgrader writes them); the
learner's feedback pages are grading/outputs/feedback.py's.
"""

import csv
import io
import json
import textwrap
from pathlib import Path

from vlmkit.course import Assignment, band
from vlmkit.grading.checking.files import atomic_write
from vlmkit.grading.checking.points import fmt_points
from vlmkit.grading.nbgrader_io.written import NOT_GRADED, manual_scores, written_total


def total(results: dict) -> float:
    return round(sum(r["score"] for r in results.values()), 6)


TABLE_WIDTH = 96  # a failure's detail wraps here, so the table reads in a 100-column terminal
DETAIL_LINES = 3  # lines of a failure's detail; the rest is in the notebook itself


def question_table(assignment: Assignment, results: dict, title: str = "") -> str:
    """The table selfcheck and autograde both print for one learner. results: question id → dict.

    Questions absent from `results` were not checked (selfcheck of some notebooks): the total
    then covers the checked ones, and the checkpoint's band is only given when all were checked.
    """
    topic_width = max(len(q.topic) for q in assignment.questions) + 2
    lines = [title] if title else []
    lines.append(f"{'question':9s}{'topic':{topic_width}s}{'points':>8s}  result")
    missed = []
    for q in assignment.questions:
        r = results.get(q.id)
        if r is None:
            lines.append(f"{q.id:9s}{q.topic:{topic_width}s}{'-':>8s}  not checked")
            continue
        score = f"{fmt_points(r['score'])}/{fmt_points(r['max_score'])}"
        ok = r["score"] >= r["max_score"] > 0
        lines.append(f"{q.id:9s}{q.topic:{topic_width}s}{score:>8s}  {'passed' if ok else 'FAILED'}")
        if not ok:
            lines += _wrapped_detail(first_failure(r))
            missed.append(f"  {q.id} {q.topic}: revisit {q.revisit()}")
    lines.append(_total_line(assignment, results))
    if missed:
        lines += ["to review:"] + missed
    return "\n".join(lines)


def _wrapped_detail(detail: str) -> list[str]:
    indent = " " * 11
    return textwrap.wrap(detail, TABLE_WIDTH, initial_indent=indent, subsequent_indent=indent,
                         max_lines=DETAIL_LINES, placeholder=" ...")


def _total_line(assignment: Assignment, results: dict) -> str:
    """The checkpoint's total and band (or how many questions were checked); other assignments' line."""
    if assignment.name != "checkpoint":  # the score table's bands are the checkpoint's 0-6
        return assignment_line(assignment, results)
    checked = [q for q in assignment.questions if q.id in results]
    if len(checked) < len(assignment.questions):
        return (f"{len(checked)} of {len(assignment.questions)} checked: {fmt_points(total(results))}/"
                f"{fmt_points(sum(q.points for q in checked))} (the band needs all {len(assignment.questions)})")
    return f"total: {fmt_points(total(results))}/{fmt_points(assignment.total)}  ->  {band(total(results))}"


def first_failure(result: dict) -> str:
    for cell in result.get("cells", []):
        for v in cell["verdicts"]:
            if not v["passed"]:
                return f"{v['check']}: {v['message']}" + (f": {v['detail']}" if v.get("detail") else "")
    notes = result.get("notes") or [result.get("status", "")]
    return notes[-1] if notes else ""


def missing_parts(assignment: Assignment, results: dict) -> list[str]:
    """What keeps an assignment from being complete (empty when it is)."""
    missing = []
    for q in assignment.questions:
        r = results.get(q.id)
        if r is None or r["status"] in ("missing", "broken", "failed"):
            missing.append(f"{q.notebook} ({r['status'] if r else 'not submitted'})")
        elif r["score"] < r["max_score"]:
            failing = sum(c["score"] < c["max_score"] for c in r["cells"])
            missing.append(f"{q.id}: {failing} test cell(s) failing, first {first_failure(r)}")
    return missing


def assignment_line(assignment: Assignment, results: dict) -> str:
    missing = missing_parts(assignment, results)
    if not missing:
        return f"{assignment.title} complete ({fmt_points(total(results))}/{fmt_points(assignment.total)})"
    return f"{assignment.title}: {fmt_points(total(results))}/{fmt_points(assignment.total)}, still missing: " \
           + "; ".join(missing)


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
