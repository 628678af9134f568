"""The score table printed after grading and self-check, and the totals and missing parts it shows.

    print(question_table(assignment, results))    # one row per question, the total and the band
"""

import textwrap

from vlmkit.course import Assignment, band
from vlmkit.grading.checking.points import fmt_points


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
