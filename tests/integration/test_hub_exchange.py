"""The course hub's exchange end to end: a real JupyterHub on 127.0.0.1, one instructor, learners A and B.

One hub for the module (tests/hub_course.py: its own accounts, course id, folder and ports, all
removed at the end): A and B log in through the hub's form (PAM), their servers start as their own
uids, and they fetch and submit through nbgrader's Assignment List handlers, as a browser would.
Covers who can reach what, which submission collect takes (newest, complete, owned), late flags,
feedback back through the exchange, and a one-learner re-grade. Needs root and the hub's proxy;
about 2 minutes, most of it the module's one autograde run and the re-grade of A.
"""

import concurrent.futures
import csv
import dataclasses
import json
import os
import pwd
import re
import secrets
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from hub_course import course_hub
from vlmkit import paths
from vlmkit.commands import main
from vlmkit.grading.authoring.examples import solved
from vlmkit.hub.client import HubMember
from vlmkit.hub.exchange import collect, release_feedback

pytestmark = pytest.mark.slow  # a real JupyterHub with learners

if os.geteuid() != 0:
    pytest.skip("the course hub makes system accounts and runs servers as them: root only",
                allow_module_level=True)

Q5 = "q5_coordinate_tokens.ipynb"
ANSWER_CELL = "q5_normalize_quantize"
# a submission copied without its last file, as the learner: (folder, the learner's checkpoint, timestamp)
UNFINISHED_COPY = 'mkdir "$1" && cp "$2"/*.ipynb "$1"/ && printf %s "$3" > "$1"/timestamp.txt'


@dataclasses.dataclass
class Course:
    layout: object
    base: str
    instructor: HubMember
    a: HubMember
    b: HubMember

    def inbound(self) -> Path:
        return self.layout.exchange / self.layout.settings.course_id / "inbound"

    def submitted(self, member: HubMember) -> Path:
        return self.layout.course / "submitted" / member.name / "checkpoint"

    def results(self, member: HubMember) -> Path:
        return self.layout.course / "results" / "checkpoint" / f"{member.name}.json"


@pytest.fixture(scope="module")
def course():
    with course_hub(learners=2) as (layout, passwords):
        base = f"http://127.0.0.1:{layout.settings.port}"
        members = [HubMember(base, name, password, layout.settings.course_id) for name, password in passwords.items()]
        for member in members:
            member.login()
        instructor, a, b = members  # course_hub lists the instructor first
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            list(pool.map(HubMember.start_server, [a, b]))
        yield Course(layout, base, instructor, a, b)


def q5_by(member: HubMember, version: int):
    """The solved q5 with `# learner <id> v<version>` atop an answer cell."""
    nb = solved(paths.NOTEBOOKS / "checkpoint" / Q5, paths.SOLUTIONS / "checkpoint" / Q5)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == ANSWER_CELL:
            cell.source = f"# learner {member.name} v{version}\n{cell.source}"
    return nb


def submit(member: HubMember, version: int = None) -> str:
    """Save a marked q5 (if `version`), submit; the newest timestamp the learner's list then shows."""
    if version is not None:
        member.put_notebook(f"checkpoint/{Q5}", q5_by(member, version))
    answer = member.assignment_action("submit", "checkpoint")
    return max((s["timestamp"] for a in answer["value"] if a.get("status") == "submitted"
                for s in a["submissions"]), key=_utc)


def _utc(text: str):
    from nbgrader.utils import parse_utc

    return parse_utc(text)


def markers(folder: Path) -> list:
    return re.findall(r"# learner ([a-z0-9_-]+) v(\d+)", (folder / Q5).read_text())


def stamp_of(folder: Path) -> str:
    return (folder / "timestamp.txt").read_text().strip()


def as_account(member: HubMember, *argv: str) -> subprocess.CompletedProcess:
    entry = pwd.getpwnam(member.name)
    return subprocess.run(list(argv), user=entry.pw_uid, group=entry.pw_gid, extra_groups=[],
                          capture_output=True, text=True, timeout=60)


def denied(done: subprocess.CompletedProcess) -> bool:
    return done.returncode != 0 and "Permission denied" in done.stderr


@pytest.fixture(scope="module")
def submitted(course):
    """A submits q5 with their marker (v1), B the checkpoint as fetched; the instructor collects."""
    for member in (course.a, course.b):
        member.assignment_action("fetch", "checkpoint")
    stamps = {"a": submit(course.a, 1), "b": submit(course.b)}
    return stamps, collect(course.layout)


def test_learners_reach_only_their_own_work(course, submitted):
    stamps, report = submitted
    assert {c.student: (c.timestamp, c.late_by_s) for c in report.collected} == {
        course.a.name: (_utc(stamps["a"]), 0.0), course.b.name: (_utc(stamps["b"]), 0.0)}
    assert markers(course.submitted(course.a)) == [(course.a.name, "1")] and not markers(course.submitted(course.b))
    home = Path(pwd.getpwnam(course.a.name).pw_dir)
    assert as_account(course.a, "cat", str(home / "checkpoint" / Q5)).returncode == 0
    assert denied(as_account(course.b, "cat", str(home / "checkpoint" / Q5)))
    assert denied(as_account(course.b, "ls", str(home)))
    assert denied(as_account(course.b, "ls", str(course.inbound())))
    # A's submission is there, but B can neither list the inbound folder nor match its name
    assert any(course.inbound().glob(f"{course.a.name}+checkpoint+*/{Q5}"))
    guess = as_account(course.b, "sh", "-c", 'cat "$1/$2"+checkpoint+*/' + Q5, "sh", str(course.inbound()),
                       course.a.name)
    assert guess.returncode != 0 and "learner" not in guess.stdout

    formgrader = f"{course.base}/services/{course.layout.settings.course_id}/formgrader"
    as_b = {"Authorization": f"token {course.b.token}"}
    assert requests.get(formgrader, headers=as_b, allow_redirects=False, timeout=60).status_code == 403
    assert course.b.session.get(formgrader, timeout=60).status_code == 403  # the browser's way: OAuth refuses
    as_instructor = {"Authorization": f"token {course.instructor.token}"}
    assert requests.get(formgrader, headers=as_instructor, allow_redirects=False, timeout=60).status_code in (200, 302)
    a_server = f"{course.base}/user/{course.a.name}/api/contents"
    assert requests.get(a_server, headers=as_b, allow_redirects=False, timeout=60).status_code == 403
    assert course.a.server("get", "api/contents").status_code == 200


def test_a_later_submit_wins(course, submitted):
    newer = submit(course.a, 2)
    report = collect(course.layout, course.a.name)
    assert [c.timestamp for c in report.collected if c.student == course.a.name] == [_utc(newer)]
    assert stamp_of(course.submitted(course.a)) == newer
    assert markers(course.submitted(course.a)) == [(course.a.name, "2")]
    assert stamp_of(course.submitted(course.b)) == submitted[0]["b"]


def test_incomplete_and_foreign_submissions_are_skipped(course, submitted):
    kept, kept_markers = stamp_of(course.submitted(course.a)), markers(course.submitted(course.a))
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    # what a server killed between nbgrader's copy and its last write leaves: no submission_secret.txt
    incomplete = course.inbound() / f"{course.a.name}+checkpoint+{now}+{secrets.token_hex(6)}"
    home = Path(pwd.getpwnam(course.a.name).pw_dir) / "checkpoint"
    made = as_account(course.a, "sh", "-c", UNFINISHED_COPY, "sh", str(incomplete), str(home), now)
    assert made.returncode == 0, made.stderr
    # B drops a complete-looking submission under A's name (the inbound folder is writable by all)
    foreign = course.inbound() / f"{course.a.name}+checkpoint+{now}+{secrets.token_hex(6)}"
    made = as_account(course.b, "sh", "-c", 'mkdir "$1" && cd "$1" && printf %s "$2" > timestamp.txt && '
                      'printf x > submission_secret.txt && printf "# learner $3 v9" > ' + Q5,
                      "sh", str(foreign), now, course.b.name)
    assert made.returncode == 0, made.stderr
    # and a folder no submit writes: a name whose timestamp is not one (nbgrader's own collect stops at it)
    garbage = course.inbound() / f"{course.a.name}+checkpoint+not-a-date+x"
    assert as_account(course.b, "mkdir", str(garbage)).returncode == 0

    report = collect(course.layout, course.a.name)
    about_a = [line for line in report.skipped if course.a.name in line]
    assert any("incomplete" in line for line in about_a), report.skipped
    assert any(f"account {course.b.name}" in line and "refused" in line for line in about_a), report.skipped
    assert any("not-a-date" in line and "not a submission's name" in line for line in about_a), report.skipped
    assert len(about_a) == 3
    assert stamp_of(course.submitted(course.a)) == kept and markers(course.submitted(course.a)) == kept_markers


def test_a_past_due_date_flags_the_submission_late(course, submitted, capsys):
    layout = course.layout
    past = dataclasses.replace(layout, settings=dataclasses.replace(layout.settings, due={"checkpoint": "2020-01-01"}))
    past.save()  # what `vlmkit hub --due checkpoint=2020-01-01` would have written
    try:
        assert main(["collect", "--hub", str(layout.root), "--student", course.a.name]) == 0
    finally:
        layout.save()
    out = capsys.readouterr().out
    assert re.search(rf"collected {course.a.name}/checkpoint: submitted .* UTC  LATE by \d", out), out
    with open(layout.course / "collected.csv", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["student"] == course.a.name)
    assert row["late"] == "True" and int(row["late_by_s"]) > 0
    assert row["timestamp"] == f"{_utc(stamp_of(course.submitted(course.a))).isoformat()}Z"


@pytest.fixture(scope="module")
def graded(course, submitted):
    """The module's one autograde of everyone (A and B); B's stored results as they were written."""
    assert main(["autograde", "--hub", str(course.layout.root), "--assignment", "checkpoint", "--jobs", "2",
                 "-q"]) == 0
    return course.results(course.b).read_bytes()


def test_feedback_goes_back_to_its_learner_only(course, graded):
    results = {m: json.loads(course.results(m).read_text())["questions"]["q5"] for m in (course.a, course.b)}
    assert results[course.a]["score"] == results[course.a]["max_score"] > 0 and results[course.b]["score"] == 0
    released = release_feedback(course.layout)
    assert sorted(released) == sorted(f"{m.name}/checkpoint" for m in (course.a, course.b))
    course.a.assignment_action("fetch_feedback", "checkpoint")
    feedback = Path(pwd.getpwnam(course.a.name).pw_dir) / "checkpoint" / "feedback"
    assert [p.name for p in feedback.iterdir()] == [stamp_of(course.submitted(course.a))]
    pages = sorted(feedback.glob("*/*.html"))
    assert {p.name for p in pages} >= {Q5.replace(".ipynb", ".html")} and all(p.stat().st_size for p in pages)
    assert as_account(course.a, "cat", str(pages[0])).returncode == 0
    assert denied(as_account(course.b, "cat", str(pages[0])))
    exchange_feedback = course.layout.exchange / course.layout.settings.course_id / "feedback"
    assert denied(as_account(course.b, "ls", str(exchange_feedback)))


def test_regrading_one_learner_keeps_the_others_results(course, graded):
    before_a = course.results(course.a).read_bytes()
    assert main(["autograde", "--hub", str(course.layout.root), "--student", course.a.name, "--assignment",
                 "checkpoint", "--jobs", "2", "-q"]) == 0
    assert course.results(course.b).read_bytes() == graded
    regraded = json.loads(course.results(course.a).read_text())
    assert regraded["status"] == "complete" and course.results(course.a).read_bytes() != before_a
