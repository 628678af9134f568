"""What grading produces: the printed score table, grades.csv, report.json and feedback HTML.

Feedback shows the notebook that ran (trusted test cells with hidden blocks removed, the
learner's code) and the grader's verdicts, never anything the learner's code printed or
raised; it is capped in size whatever the learner wrote.
"""

import csv
import html
import io
import json
import os
import re
import tempfile
from pathlib import Path

from vlmkit.course import Assignment, band

HIDDEN_BLOCK = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.DOTALL)
MAX_FEEDBACK_BYTES = 2 << 20
MAX_TEXT = 5000  # characters of one cell's source shown in feedback


def atomic_write(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


def _fmt(points: float) -> str:
    return f"{points:.2f}".rstrip("0").rstrip(".")


def total(results: dict) -> float:
    return round(sum(r["score"] for r in results.values()), 6)


def question_table(assignment: Assignment, results: dict, title: str = "") -> str:
    """The table selfcheck and autograde both print for one learner. results: question id → dict."""
    lines = [title] if title else []
    lines.append(f"{'question':9s}{'topic':28s}{'points':>8s}  result")
    missed = []
    for q in assignment.questions:
        r = results.get(q.id)
        if r is None:
            lines.append(f"{q.id:9s}{q.topic[:27]:28s}{'-':>8s}  not graded")
            continue
        score = f"{_fmt(r['score'])}/{_fmt(r['max_score'])}"
        ok = r["score"] >= r["max_score"] > 0
        detail = "passed" if ok else f"FAILED  {first_failure(r)}"
        lines.append(f"{q.id:9s}{q.topic[:27]:28s}{score:>8s}  {detail[:110]}")
        if not ok:
            missed.append(f"  {q.id} {q.topic}: revisit {q.revisit()}")
    score = total(results)
    if assignment.name == "checkpoint":  # the score table's bands are the checkpoint's 0-6
        lines.append(f"total: {_fmt(score)}/{_fmt(assignment.total)}  ->  {band(score)}")
    else:
        lines.append(assignment_line(assignment, results))
    if missed:
        lines += ["to review:"] + missed
    return "\n".join(lines)


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
        return f"{assignment.title} complete ({_fmt(total(results))}/{_fmt(assignment.total)})"
    return f"{assignment.title}: {_fmt(total(results))}/{_fmt(assignment.total)}, still missing: " \
           + "; ".join(missing)


def _failed(results) -> bool:
    """True for a student whose grading did not finish (None) or had a question fail to grade."""
    return results is None or any(r.get("status") == "failed" for r in results.values())


def grades_csv(course: dict, graded: dict) -> str:
    """graded: assignment → student → {question id → result}. One row per student, sorted.

    Columns: student, the checkpoint's questions, total, band, then for every other assignment
    graded (the capstone) its points and whether it is complete.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    checkpoint = course["checkpoint"]
    ids = [q.id for q in checkpoint.questions]
    others = [course[name] for name in course if name != "checkpoint" and name in graded]
    writer.writerow(["student", *ids, "total", "band",
                     *[col for a in others for col in (a.name, f"{a.name}_complete")]])
    students = sorted({name for by_student in graded.values() for name in by_student})
    for name in students:
        results = graded.get("checkpoint", {}).get(name, {})
        if results is None:  # the student's grading never finished
            row = [""] * (len(ids) + 1) + ["grading failed: re-run autograde"]
        elif not results:  # not submitted for the checkpoint
            row = [""] * (len(ids) + 2)
        else:  # a question whose grading failed is blank; the others keep their scores
            row = [_fmt(results[i]["score"]) if i in results and results[i]["status"] != "failed"
                   else "" for i in ids]
            row += [_fmt(total(results)),
                    band(total(results)) if not _failed(results) else "incomplete: re-run autograde"]
        for other in others:
            mine = graded[other.name].get(name, {})
            if not mine or _failed(mine):
                row += ["", "grading failed" if mine is None or mine else ""]
            else:
                row += [_fmt(total(mine)), "yes" if not missing_parts(other, mine) else "no"]
        writer.writerow([name, *row])
    return out.getvalue()


def write_outputs(out: Path, course: dict, graded: dict) -> None:
    """grades.csv and report.json over every assignment graded into `out` so far."""
    atomic_write(out / "grades.csv", grades_csv(course, graded))
    report = {}
    for assignment, by_student in graded.items():
        spec = course[assignment]
        for name, results in by_student.items():
            if results is None:
                report.setdefault(name, {})[assignment] = {"status": "grading failed: re-run autograde"}
                continue
            entry = {"points": total(results), "max_points": spec.total,
                     "missing": missing_parts(spec, results), "questions": results}
            if assignment == "checkpoint":
                entry["band"] = band(total(results))
            report.setdefault(name, {})[assignment] = entry
    atomic_write(out / "report.json", json.dumps(dict(sorted(report.items())), indent=1))


# ---------------------------------------------------------------- feedback

def _verdict_lines(cell_result: dict) -> str:
    lines = [f"[{_fmt(cell_result['score'])}/{_fmt(cell_result['max_score'])} points]"]
    for v in cell_result["verdicts"]:
        lines.append(f"✓ {v['check']}" if v["passed"] else f"✗ {v['check']}: {v['message']}")
    return "\n".join(lines)


def feedback_html(result: dict, notebook: dict) -> str:
    """A learner's feedback page: their code, the trusted test cells, and the kit's verdicts.

    `notebook` is the notebook that was run (trusted sources, learner answers). Nothing the
    learner's code printed or raised is shown: it may carry anything, and they see their own
    outputs when they run the notebook themselves.
    """
    cells_by_id = {c["grade_id"]: c for c in result.get("cells", [])}
    parts = [f"<h1>{html.escape(result['notebook'])}: {_fmt(result['score'])}/"
             f"{_fmt(result['max_score'])}</h1>"]
    parts += [f"<p class='note'>{html.escape(n)}</p>" for n in result.get("notes", [])]
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if cell.get("cell_type") == "markdown":
            parts.append(f"<div class='md'><pre>{html.escape(source[:MAX_TEXT])}</pre></div>")
            continue
        source = HIDDEN_BLOCK.sub("# (hidden tests ran here)\n", source)
        parts.append(f"<pre class='code'>{html.escape(source[:MAX_TEXT])}</pre>")
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in cells_by_id:
            parts.append(f"<pre class='verdict'>{html.escape(_verdict_lines(cells_by_id[grade_id]))}</pre>")
    style = ("body{font-family:sans-serif;max-width:60em;margin:auto}pre{white-space:pre-wrap}"
             ".code{background:#f4f4f4;padding:.5em}.verdict{background:#eef;padding:.5em}"
             ".note{color:#a60}")
    page = f"<!doctype html><meta charset='utf-8'><style>{style}</style>" + "\n".join(parts)
    return page.encode()[:MAX_FEEDBACK_BYTES].decode(errors="ignore")
