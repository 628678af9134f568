"""The class report (`vlmkit class-report GRADES`): what a whole class got wrong, by mistake, check and day.

    from vlmkit.grading.outputs.class_report import write_class_report
    written = write_class_report(Path("grades"), anonymise=False)   # {"html": ..., "csv": ..., "json": ...}

Built only from what grading stored in GRADES: results/<assignment>/<student>.json (every check's
verdict, with the metrics the capstone's pipeline checks measured: class_metrics) and gradebook.db
(the instructor's manual scores of written answers); it never runs a notebook. Writes
class_report.html (one offline file, figures embedded: class_report_page), class_report.csv (tidy:
one row per student x check that ran) and the same figures under the key "#class" of report.json:
"#" is never in a student id, so the per-student entries stay as they were. Learners appear only by
submission id, or with `anonymise` by a stable pseudonym (a keyed hash of the id; the key stays in
GRADES/.pseudonym_key). No learner code or output is read: verdict messages are the kit's own words
(a verdict's learner-made `detail` is never used), measures are numbers the kit computed.
"""

import csv
import hashlib
import hmac
import io
import json
import re
import secrets
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

from vlmkit.course import DAYS, SCORE_BANDS, band, load_course
from vlmkit.grading.checking.files import atomic_write
from vlmkit.grading.checking.judges import HINT, INPUT_COUNT
from vlmkit.grading.checking.verdict import NOT_IMPLEMENTED
from vlmkit.grading.nbgrader_io.gradebook import written_cell_counts
from vlmkit.grading.outputs.class_metrics import metric_distributions
from vlmkit.grading.outputs.results import load_graded
from vlmkit.grading.outputs.score_table import missing_parts, total

CLASS_KEY = "#class"
HTML_NAME, CSV_NAME, KEY_NAME = "class_report.html", "class_report.csv", ".pseudonym_key"
CSV_COLUMNS = ["student", "assignment", "question", "cell", "check", "passed", "days"]
NOT_RUN_STATUSES = ("missing", "broken", "timeout", "crashed", "failed")
TOP_CHECKS_PER_DAY = 3
MESSAGES_KEPT = 5  # distinct failure messages kept per check, most common first
ASIDE = re.compile(r" ?\([^()]*\)")  # what a message says about its inputs or tolerance


def attempted(result) -> bool:
    """Whether a learner tried a question: it ran, and not most of its checks still hit the stub."""
    if result is None or result["status"] != "graded":
        return False
    verdicts = [v for cell in result["cells"] for v in cell["verdicts"]]
    stub = sum(v["message"] == NOT_IMPLEMENTED for v in verdicts)
    return any(v["passed"] for v in verdicts) or stub * 2 <= len(verdicts)


def full_marks(result) -> bool:
    return result is not None and result["score"] >= result["max_score"] > 0


def finished(by_student: dict) -> dict:
    return {name: results for name, results in by_student.items() if results is not None}


def question_stats(assignment, by_student: dict) -> list:
    done = finished(by_student)
    stats = []
    for q in assignment.questions:
        results = [r.get(q.id) for r in done.values()]
        statuses = Counter(r["status"] if r else "missing" for r in results)
        n = len(results)
        stats.append({
            "question": q.id, "assignment": assignment.name, "topic": q.topic, "days": list(q.days),
            "points": q.points, "learners": n,
            "mean": sum(r["score"] for r in results if r) / n if n else 0.0,
            "full_marks": sum(map(full_marks, results)) / n if n else 0.0,
            "not_attempted": sum(not attempted(r) for r in results
                                 if not r or r["status"] in ("graded", "missing")) / n if n else 0.0,
            **{status: statuses[status] for status in NOT_RUN_STATUSES if status != "missing"},
        })
    return stats


def diagnosis(message: str) -> str:
    """The mistake a verdict message names, the same whichever check gave it: the hint after " — "
    (judges.py, the checks' diagnose) when there is one, else the whole message; without the
    "(on k of n unseen inputs)" count, which varies from learner to learner."""
    message = INPUT_COUNT.sub("", message)
    _, hinted, hint = message.partition(HINT)
    return hint if hinted else message


def same_mistake(diagnosis_text: str) -> str:
    """What diagnoses of one mistake share: the text without its asides, which name the inputs or
    the tolerance ("normalize_actions (7-DoF, out of range): wrong values (beyond tolerance 1e-06)"
    and "normalize_actions: wrong values (…)" are both "normalize_actions: wrong values")."""
    removed = 1
    while removed:  # innermost asides first, so nested ones go too
        diagnosis_text, removed = ASIDE.subn("", diagnosis_text)
    return diagnosis_text


def tally_failures(course: dict, graded: dict) -> dict:
    """One pass over the stored verdicts of the learners who attempted each question: per check,
    who ran and who failed it with which message; per (question, diagnosis), who made that
    mistake and on which checks. misconceptions() and diagnoses() rank what this counts."""
    order = {}
    checks = defaultdict(lambda: {"failed": 0, "attempted": 0, "messages": Counter()})
    mistakes = defaultdict(lambda: {"learners": 0, "checks": set(), "texts": set()})
    attempted_by = Counter()  # (assignment, question) → learners who attempted it
    for a_index, assignment in enumerate(course.values()):
        for results in finished(graded.get(assignment.name, {})).values():
            for q_index, q in enumerate(assignment.questions):
                result = results.get(q.id)
                if not attempted(result):
                    continue
                attempted_by[assignment.name, q.id] += 1
                failed, ran = {}, set()
                for c_index, cell in enumerate(result["cells"]):
                    for v_index, v in enumerate(cell["verdicts"]):
                        if v["check"] not in order:  # the course's order, whoever ran it first
                            order[v["check"]] = ((a_index, q_index, c_index, v_index), q, assignment.name,
                                                 cell["grade_id"])
                        ran.add(v["check"])
                        if not v["passed"]:
                            failed.setdefault(v["check"], v["message"])
                for check_id in ran:
                    checks[check_id]["attempted"] += 1
                made = defaultdict(dict)  # same_mistake → {check: its diagnosis}
                for check_id, message in failed.items():
                    checks[check_id]["failed"] += 1
                    checks[check_id]["messages"][message] += 1
                    text = diagnosis(message)
                    made[same_mistake(text)][check_id] = text
                for mistake, texts in made.items():
                    entry = mistakes[assignment.name, q.id, mistake]
                    entry["learners"] += 1
                    entry["checks"] |= set(texts)
                    entry["texts"] |= set(texts.values())
    return {"order": order, "checks": checks, "mistakes": mistakes, "attempted": attempted_by}


def misconceptions(tally: dict) -> list:
    """Every check, ranked by how many learners who attempted its question failed it.

    Ties keep the course's order (question, test cell, check). `message` is the most common one
    the check gave those learners; `messages` the most common few, with how many got each (the
    capstone's pipeline checks name the metric that missed the kit's own pipeline's).
    """
    order, ranked = tally["order"], []
    for check_id, counts in tally["checks"].items():
        _, q, assignment_name, cell = order[check_id]
        messages = counts["messages"].most_common(MESSAGES_KEPT)
        ranked.append({"check": check_id, "question": q.id, "assignment": assignment_name, "cell": cell,
                       "days": list(q.days), "failed": counts["failed"], "attempted": counts["attempted"],
                       "share": counts["failed"] / counts["attempted"],
                       "message": messages[0][0] if messages else "", "messages": messages})
    return sorted(ranked, key=lambda m: (-m["failed"], order[m["check"]][0]))


def diagnoses(tally: dict) -> list:
    """The re-teaching list: each distinct mistake (diagnosis) of each question once, with the
    checks it failed in the course's order, ranked by how many learners made it (of those who
    attempted the question); ties keep the course's order of their first check. `diagnosis` is
    the mistake's wording, or what its wordings share where its checks word it differently."""
    order, ranked = tally["order"], []
    for (assignment_name, question, shared), entry in tally["mistakes"].items():
        checks = sorted(entry["checks"], key=lambda c: order[c][0])
        attempted_it = tally["attempted"][assignment_name, question]
        wording = next(iter(entry["texts"])) if len(entry["texts"]) == 1 else shared
        ranked.append({"diagnosis": wording, "question": question, "assignment": assignment_name,
                       "days": list(order[checks[0]][1].days), "checks": checks, "learners": entry["learners"],
                       "attempted": attempted_it, "share": entry["learners"] / attempted_it})
    return sorted(ranked, key=lambda d: (-d["learners"], order[d["checks"][0]][0], d["diagnosis"]))


def day_plan(course: dict, graded: dict, ranked: list) -> list:
    """For each course day, the share of learners the score table sends back to it (they missed
    full marks on a question of that day), and the checks most failed on that day's questions."""
    plan = []
    for day, topic in DAYS.items():
        sent, learners = set(), set()
        questions = []
        for assignment in course.values():
            day_questions = [q for q in assignment.questions if day in q.days]
            questions += [q.id for q in day_questions]
            for name, results in finished(graded.get(assignment.name, {})).items():
                if day_questions:
                    learners.add(name)
                if any(not full_marks(results.get(q.id)) for q in day_questions):
                    sent.add(name)
        top = [m["check"] for m in ranked if day in m["days"] and m["failed"]][:TOP_CHECKS_PER_DAY]
        plan.append({"day": day, "topic": topic, "questions": questions, "sent_back": len(sent),
                     "learners": len(learners), "share": len(sent) / len(learners) if learners else 0.0,
                     "top_checks": top})
    return plan


def score_counts(by_student: dict) -> dict:
    """Total score (as text, e.g. "4.75") → number of learners, lowest first."""
    counts = Counter(total(results) for results in finished(by_student).values())
    return {f"{score:g}": counts[score] for score in sorted(counts)}


def bands(by_student: dict) -> list:
    counts = Counter(band(total(results)) for results in finished(by_student).values())
    return [{"lowest": lowest, "band": text, "learners": counts[text]} for lowest, text in SCORE_BANDS]


def assignment_summary(assignment, by_student: dict) -> dict:
    done = finished(by_student)
    return {"title": assignment.title, "max_points": assignment.total, "learners": len(done),
            "grading_unfinished": len(by_student) - len(done),
            "complete": sum(not missing_parts(assignment, results) for results in done.values()),
            "score_counts": score_counts(by_student)}


def needs_attention(course: dict, graded: dict) -> list:
    """(student, why) for learners whose grading did not finish or whose notebook did not run."""
    found = []
    for assignment, by_student in graded.items():
        for name, results in sorted(by_student.items()):
            if results is None:
                found.append((name, f"{assignment}: grading did not finish (re-run autograde)"))
                continue
            for q in course[assignment].questions:
                status = results[q.id]["status"] if q.id in results else "missing"
                if status in NOT_RUN_STATUSES and status != "missing":
                    found.append((name, f"{q.id}: {status}"))
    return found


def summarise(course: dict, graded: dict, written: list) -> dict:
    """The class figures (the "#class" entry of report.json; the page draws the same numbers)."""
    tally = tally_failures(course, graded)
    ranked = misconceptions(tally)
    checkpoint = graded.get("checkpoint", {})
    return {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "checkpoint": {**assignment_summary(course["checkpoint"], checkpoint), "bands": bands(checkpoint)}
        if checkpoint else None,
        "questions": [row for a in course.values() if a.name in graded
                      for row in question_stats(a, graded[a.name])],
        "misconceptions": ranked,
        "diagnoses": diagnoses(tally),
        "days": day_plan(course, graded, ranked),
        "assignments": {a: assignment_summary(course[a], graded[a]) for a in graded if a != "checkpoint"},
        "metrics": metric_distributions(graded),
        "written_answers": written,
    }


def pseudonyms(grades: Path, students) -> dict:
    """student id → stable pseudonym: an HMAC of the id under a key kept beside the grades, so the
    same learner gets the same name on every run, and nobody without the key can test a guess."""
    key_file = Path(grades) / KEY_NAME
    if not key_file.exists():
        atomic_write(key_file, secrets.token_hex(32), mode=0o600)  # the key is a secret, even from the group
    key = key_file.read_text().strip().encode()
    return {s: "learner-" + hmac.new(key, s.encode(), hashlib.sha256).hexdigest()[:10] for s in students}


def tidy_csv(course: dict, graded: dict, names: dict) -> str:
    """One row per (student, check that ran): for pandas or a learning-management system."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for assignment, by_student in graded.items():
        questions = {q.id: q for q in course[assignment].questions}
        for name, results in sorted(finished(by_student).items()):
            for qid, result in results.items():
                days = ";".join(map(str, questions[qid].days)) if qid in questions else ""
                writer.writerows((names[name], assignment, qid, cell["grade_id"], v["check"],
                                  int(v["passed"]), days)
                                 for cell in result.get("cells", []) for v in cell["verdicts"])
    return out.getvalue()


def write_class_report(grades: Path, anonymise: bool = False, graded: dict = None) -> dict:
    """Write class_report.html, class_report.csv and report.json's "#class"; returns their paths.

    `graded`: the stored results when the caller has already loaded them (load_graded)."""
    from vlmkit.grading.outputs.class_report_page import render_page  # matplotlib loads only here

    grades = Path(grades)
    course = load_course()
    graded = graded or load_graded(grades)
    figures = summarise(course, graded, written_cell_counts(grades / "gradebook.db"))
    students = sorted({name for by_student in graded.values() for name in by_student})
    names = pseudonyms(grades, students) if anonymise else {s: s for s in students}
    attention = [(names[name], why) for name, why in needs_attention(course, graded)]
    written = {"html": grades / HTML_NAME, "csv": grades / CSV_NAME, "json": grades / "report.json"}
    atomic_write(written["html"], render_page(figures, attention, anonymise))
    atomic_write(written["csv"], tidy_csv(course, graded, names))
    report = json.loads(written["json"].read_text()) if written["json"].exists() else {}
    report[CLASS_KEY] = figures
    atomic_write(written["json"], json.dumps(report, indent=1))
    return written
