"""The instructor's loop through nbgrader's exchange, on a hub folder (see vlmkit.hub.layout).

    released = release_to_exchange(layout)       # generate both assignments, release_assignment
    report = collect(layout)                      # nbgrader collect (complete submissions only)
    released = release_feedback(layout)           # the kit's feedback pages → release_feedback

Every step runs nbgrader's own exchange classes with the hub's configuration (the files `vlmkit
hub` wrote: jupyter/common/nbgrader_config.py and course/nbgrader_config.py), so what a learner's
Assignment List shows and what nbgrader's CLI sees in course/ agree. Run as root, each step
hands what it wrote in course/ back to the grader account, which serves formgrader.
"""

import csv
import shutil
from dataclasses import dataclass
from pathlib import Path

from vlmkit.errors import KitError
from vlmkit.grading.nbgrader_io.generate import assignments, generate
from vlmkit.grading.nbgrader_io.gradebook import submitted_at
from vlmkit.grading.outputs.rebuild import refresh
from vlmkit.hub.complete_collect import CompleteSubmissionsCollect
from vlmkit.hub.layout import HubLayout

COLLECTED_FILE = "collected.csv"
FEEDBACK_KEYS = ("timestamp.txt", "submission_secret.txt")  # what release_feedback reads beside a page


def nbgrader_config(layout: HubLayout):
    """nbgrader's configuration for this course, loaded from the hub's own config files."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", str(layout.jupyter / "common")).load_config()
    config.merge(PyFileConfigLoader("nbgrader_config.py", str(layout.course)).load_config())
    return config


def _api(layout: HubLayout, **extra):
    from nbgrader.apps import NbGraderAPI

    config = nbgrader_config(layout)
    for section, values in extra.items():
        for key, value in values.items():
            setattr(getattr(config, section), key, value)
    return NbGraderAPI(config=config)


def _only(student) -> dict:
    """Config that limits a step to one learner (nbgrader's --student), or none."""
    return {"CourseDirectory": {"student_id": student}} if student else {}


def _check(result: dict, doing: str) -> None:
    if not result["success"]:
        errors = [line.strip() for line in result.get("log", "").splitlines() if "[error]" in line.lower()]
        raised = (result.get("error") or "").strip().splitlines()[-1:]  # the exception, when it raised
        raise KitError(f"nbgrader could not {doing}: {(errors or raised or ['no reason given'])[-1]}")


def release_to_exchange(layout: HubLayout) -> list[str]:
    """Generate every assignment into course/release/ and release it to the exchange."""
    db_url = f"sqlite:///{layout.course / 'gradebook.db'}"
    released = []
    for assignment in assignments():
        target = layout.course / "release" / assignment
        shutil.rmtree(target, ignore_errors=True)
        generate(assignment, target, db_url=db_url)
        _set_due_date(layout, assignment)
        api = _api(layout, ExchangeReleaseAssignment={"force": True})
        _check(api.release_assignment(assignment), f"release {assignment} to the exchange")
        released.append(assignment)
    layout.hand_over_course()
    return released


def _set_due_date(layout: HubLayout, assignment: str) -> None:
    """The course's due date in the gradebook too, so `nbgrader export` reports lateness."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{layout.course / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment(assignment, duedate=layout.settings.due_date(assignment))


@dataclass
class Submission:
    student: str
    assignment: str
    timestamp: object  # naive UTC datetime, as nbgrader keeps it
    late_by_s: float  # 0 when on time or without a due date


@dataclass
class ExchangeCollectReport:
    collected: list
    skipped: list  # one line each


def collect(layout: HubLayout, student: str = None) -> ExchangeCollectReport:
    """nbgrader collect of every assignment (the newest complete submission of each learner),
    then the late ones flagged against hub.json's due dates; writes course/collected.csv."""
    report = ExchangeCollectReport([], [])
    for assignment in assignments():
        if not (layout.exchange / layout.settings.course_id / "outbound" / assignment).is_dir():
            continue  # never released: nothing to collect
        api = _api(layout, ExchangeFactory={"collect": CompleteSubmissionsCollect}, **_only(student))
        result = api.collect(assignment, update=True)
        _check(result, f"collect {assignment}")
        report.skipped += [f"{assignment}: {line}" for line in _skipped_lines(result.get("log", ""))]
        due = layout.settings.due_date(assignment)
        for folder in sorted((layout.course / "submitted").glob(f"*/{assignment}")):
            stamp = submitted_at(folder)
            if stamp is None:
                continue
            late = (stamp - due).total_seconds() if due else 0.0
            report.collected.append(Submission(folder.parent.name, assignment, stamp, max(late, 0.0)))
    _write_collected(layout.course / COLLECTED_FILE, report.collected)
    layout.hand_over_course()
    return report


def _skipped_lines(log: str) -> list[str]:
    return [line.split("SKIPPED: ", 1)[1] for line in log.splitlines() if "SKIPPED: " in line]


def _write_collected(path: Path, collected: list) -> None:
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "assignment", "timestamp", "late", "late_by_s"])
        for c in collected:
            writer.writerow([c.student, c.assignment, f"{c.timestamp.isoformat()}Z", c.late_by_s > 0,
                             round(c.late_by_s)])


def release_feedback(layout: HubLayout, student: str = None) -> list[str]:
    """Bring the kit's feedback pages up to date with formgrader's manual grades and comments
    (as `vlmkit feedback` does: no notebook runs), then put them (course/feedback/<student>/
    <assignment>/*.html) into the exchange with nbgrader's release_feedback; returns
    "student/assignment" released."""
    if (layout.course / "results").is_dir():
        refresh(layout.course)
    released = []
    for assignment in assignments():
        pattern = f"{student or '*'}/{assignment}"
        folders = [f for f in sorted((layout.course / "feedback").glob(pattern)) if any(f.glob("*.html"))]
        for folder in folders:
            submitted = layout.course / "submitted" / folder.parent.name / assignment
            if not all((submitted / key).is_file() for key in FEEDBACK_KEYS):
                continue  # not a submission through the exchange (e.g. collected from zips)
            for key in FEEDBACK_KEYS:
                shutil.copy2(submitted / key, folder / key)
            for page in folder.glob("*.html"):  # nbgrader copies the mode: the learner must read it
                page.chmod(0o644)  # (others still cannot list: the exchange names it by a secret hash)
            released.append(f"{folder.parent.name}/{assignment}")
        if folders:
            api = _api(layout)  # release_feedback(student_id=...) limits itself to that learner
            _check(api.release_feedback(assignment, student_id=student), f"release feedback for {assignment}")
    layout.hand_over_course()
    return released
