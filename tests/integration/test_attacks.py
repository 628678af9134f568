"""Red team: hostile submissions against `vlmkit autograde`, graded in one batch.

    .venv/bin/pytest tests/integration/test_attacks.py -q        (2.5-4 minutes on 2 busy cores)

The batch runs with cgroups as this host has them (mode a). The last test runs the swarm, the
fork bomb and the kill-everything attack again with cgroups switched off by a setting
(Limits.cgroups=False, mode b), beside a bystander; the v2 code path runs against a fake cgroup
tree in tests/grading/sandbox/test_cgroups_v2.py (mode c).

Every attack (tests/attacks.py) is a student whose attacked notebook is a realistic wrong answer
plus hostile code, and whose other notebook is correct. `baseline` submits the same wrong answers
without attacks, `bystander` submits correct work. One batch grades them all (jobs=2,
Limits(wall_s=90, cell_s=15)) while the fixture watches the grader from outside: its resident
memory, FIFOs it might block on (it unblocks them so that the suite can finish, and records that
it had to), and a TCP/UDP listener that no sandbox may reach. A spy around `grade_task` keeps
every question's result, so per-attack verdicts survive a batch that crashes part-way.

Each test states what a trustworthy grader guarantees; a failing test is an attack that WON.
"""

import csv
import hashlib
import io
import json
import os
import re
import socket
import stat
import subprocess
import sysconfig
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import attacks as A
import nbformat
import numpy
import pytest

import vlmkit
from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.grading.checking import registry
from vlmkit.grading.outputs.feedback import MAX_FEEDBACK_BYTES
from vlmkit.grading.outputs.grade_files import grades_csv
from vlmkit.grading.sandbox import accounts, cgroups
from vlmkit.grading.sandbox.limits import Limits
from vlmkit.grading.sandbox.run import bwrap_available, run_notebook
from vlmkit.grading.workflows import autograde as autograde_module

pytestmark = pytest.mark.sandbox  # hostile submissions graded in one sandboxed batch

LIMITS = Limits(wall_s=90, cell_s=15)
DEADLINE_S = 480  # the batch is declared hung after this
FIFO_GRACE_S = 5  # a grader blocked this long on a FIFO would never return on its own
RSS_GROWTH_LIMIT = 200 << 20  # the batch without the giant notebook grows it by ~60 MB
# A fork bomb and a multi-process memory hog run only where the sandbox caps a run's processes
# and memory as a group; elsewhere they would take down the shared machine.
PROCESS_LIMIT_ACTIVE = bool(getattr(LIMITS, "processes", None)) and cgroups.available()

ATTACKS = A.attacks(0, "127.0.0.1", Path("/subs"), PROCESS_LIMIT_ACTIVE)  # names/kinds; payload args unused
NAMES = sorted(ATTACKS)
STUDENTS = sorted([*NAMES, "baseline", "bystander"])


# ------------------------------------------------------------------ what must never reach feedback

def _payload_text() -> str:
    return "\n".join([json.dumps([vars(a) for a in ATTACKS.values()]), A.snoop(0, "", ""), A.vandal("")])


def _generated(check_id: str) -> bool:
    """A check on inputs drawn by grading/checking/generated.py: its smallest failing input is quoted in the
    feedback by design (issue 21), so those inputs are not secrets."""
    return check_id.endswith("_generated")


def _public_text() -> str:
    """What feedback may legitimately show: the course's notebooks, visible cases, generated inputs,
    the payloads."""
    parts = [json.dumps([c.case for q in ("q5", "q6") for c in registry.visible_checks(q).values()]),
             json.dumps([c.case for q in ("q5", "q6")
                         for c in registry.hidden_checks(q, paths.HIDDEN_CHECKS).values() if _generated(c.id)])]
    for nb in (A.Q5, A.Q6):
        parts += [(paths.NOTEBOOKS / "checkpoint" / nb).read_text(), (paths.SOLUTIONS / "checkpoint" / nb).read_text()]
    return "\n".join(parts + [_payload_text()])


def _hidden_markers() -> list[str]:
    """Tokens of the hidden checks' inputs that appear nowhere public, and hidden-module source text."""
    cases = json.dumps([c.case for q in ("q5", "q6")
                        for c in registry.hidden_checks(q, paths.HIDDEN_CHECKS).values() if not _generated(c.id)])
    tokens = set(re.findall(r"\d+\.\d{3,}|\d{5,}", cases)) | {"traffic light", "detect cat"}
    public = _public_text()
    source = ["def ref_", "PARSE_TEXT", "PALI_TEXT", "match_reference(ref_"]
    hidden = "".join((paths.HIDDEN_CHECKS / f"{q}.py").read_text() for q in ("q5", "q6"))
    assert all(s in hidden for s in source), "autograder/hidden changed: update the source markers"
    return sorted(t for t in tokens if t not in public) + source


HIDDEN_MARKERS = _hidden_markers()
SOLUTION_MARKERS = ["### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS"]
INJECTED_MARKUP = ["<script", "id='fake-score'"]
FORBIDDEN_LOOT = ["/solutions", "/autograder/hidden", "bystander", "grades.csv", "/results/", "gradebook.db",
                  "/feedback/"]


# ------------------------------------------------------------------ watching the grader

class Listener:
    """TCP and UDP on one port, all interfaces: no sandbox may get through."""

    def __init__(self):
        self.tcp = socket.create_server(("0.0.0.0", 0))
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("0.0.0.0", self.port))
        for sock in (self.tcp, self.udp):
            sock.settimeout(0.3)
        self.hits, self.stop = [], threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, addr = self.tcp.accept()
                self.hits.append(("tcp", addr, conn.recv(100)))
                conn.close()
            except OSError:
                pass
            try:
                data, addr = self.udp.recvfrom(100)
                self.hits.append(("udp", addr, data))
            except OSError:
                pass

    def close(self):
        self.stop.set()
        self.thread.join(2)
        self.tcp.close()
        self.udp.close()


def _host_ip() -> str:
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _protected_files() -> dict:
    """An installed package every kernel imports, and the course's own files."""
    files = [p for p in Path(numpy.__file__).parent.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    # not the manifest or notebooks/: the course is being edited and released while this runs
    files += [paths.HIDDEN_CHECKS / f"{q}.py" for q in ("q5", "q6")]
    files += [paths.SOLUTIONS / "checkpoint" / nb for nb in (A.Q5, A.Q6)]
    return {str(p): _sha(p) for p in files}


def _site_packages_entries() -> set:
    return set(os.listdir(sysconfig.get_paths()["purelib"]))


def _tree(root: Path) -> dict:
    return {str(p.relative_to(root)): _sha(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _workdir_entries(work: Path) -> list:
    """Files in the sandboxes' working folders (which the grader creates and deletes meanwhile)."""
    entries = []
    for folder in work.iterdir():
        try:
            entries += [folder / name for name in os.listdir(folder)]
        except OSError:
            pass
    return entries


def _unblock_fifos(work: Path, seen: dict, rescued: list) -> None:
    """Unblock any FIFO the grader has been waiting on for FIFO_GRACE_S; record that it was needed."""
    now = time.monotonic()
    for path in _workdir_entries(work):
        try:
            if not stat.S_ISFIFO(os.lstat(path).st_mode):
                continue
        except FileNotFoundError:
            continue
        first = seen.setdefault(str(path), now)
        if now - first < FIFO_GRACE_S:
            continue
        try:  # succeeds only while a reader (the grader: the sandbox is gone) is blocked in open()
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            continue
        rescued.append(f"{path.name} in {path.parent.name}: grader blocked {now - first:.0f}+ s")
        seen.pop(str(path))


# ------------------------------------------------------------------ the batch

@dataclass(repr=False)  # pytest prints reprs of failing asserts' operands: keep them short
class Batch:
    subs: Path
    out: Path
    results: dict  # (student, question) -> QuestionResult
    error: str = ""
    seconds: float = 0.0
    deadline_hit: bool = False
    rescued: list = field(default_factory=list)
    rss_growth: int = 0
    protected: tuple = ()  # (before, after)
    site_packages: tuple = ()
    bystander_files: tuple = ()
    net_hits: list = field(default_factory=list)

    def __repr__(self):
        return f"Batch({len(self.results)} results, {self.seconds:.0f} s)"

    def result(self, student, question):
        assert (student, question) in self.results, (
            f"{student}/{question} was never graded (batch error: {self.error[-300:] or 'none'}; "
            f"deadline hit: {self.deadline_hit})")
        return self.results[(student, question)]

    def csv_rows(self):
        """grades.csv as this run wrote it; else what grades_csv() makes of the results."""
        path = self.out / "grades.csv"
        text = path.read_text() if path.exists() else ""
        source = "grades.csv"
        if not text or "stale_previous_run" in text:
            students = {}
            for (student, q), r in self.results.items():
                students.setdefault(student, {})[q] = r.to_json()
            text, source = grades_csv(load_course(), {"checkpoint": students}), "rebuilt (no grades.csv this run)"
        return {row["student"]: row for row in csv.DictReader(io.StringIO(text))}, source

    def feedback(self, student, question):
        return self.out / "feedback" / student / "checkpoint" / f"{Path(A.NOTEBOOK[question]).stem}.html"

    def report(self, student):
        """What the student's kernel reported (see attacks.py: the detail of a failing check)."""
        question = ATTACKS[student].question
        for cell in self.result(student, question).cells:
            for v in cell["verdicts"]:
                if v["check"] == A.REPORT_CHECK[question] and v.get("detail"):
                    return v["detail"].removeprefix("Report: ")
        return ""


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    subs, out, work = (tmp_path_factory.mktemp(n) for n in ("subs", "out", "work"))
    listener = Listener()
    A.write_students(subs, A.attacks(listener.port, _host_ip(), subs, PROCESS_LIMIT_ACTIVE))
    # a previous run's export: re-grading must replace it, never leave it standing
    (out / "grades.csv").write_text("student,q5,q6,total,band\nstale_previous_run,1,1,2,stale\n")

    results, seconds, state = {}, {}, {}
    real_task = autograde_module.grade_task

    def spying_task(student_dir, assignment, question, limits, execute):
        start = time.monotonic()
        result = real_task(student_dir, assignment, question, limits, execute)
        results[(Path(student_dir).name, question.id)] = result
        seconds[(Path(student_dir).name, question.id)] = time.monotonic() - start
        return result

    def run_batch():
        try:
            autograde_module.autograde(subs, out, "checkpoint", jobs=2, limits=LIMITS)
        except BaseException:  # noqa: BLE001 - the crash is the evidence
            state["error"] = traceback.format_exc()

    protected, site, bystander = _protected_files(), _site_packages_entries(), _tree(subs / "bystander")
    batch = Batch(subs, out, results)
    rss0 = peak = _rss()
    seen = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(autograde_module, "grade_task", spying_task)
        mp.setattr(tempfile, "tempdir", str(work))  # sandbox workdirs where the FIFO watch looks
        thread = threading.Thread(target=run_batch, daemon=True)
        start = time.monotonic()
        thread.start()
        while thread.is_alive() and time.monotonic() - start < DEADLINE_S:
            peak = max(peak, _rss())
            _unblock_fifos(work, seen, batch.rescued)
            thread.join(0.1)
        batch.deadline_hit, batch.seconds = thread.is_alive(), time.monotonic() - start
    listener.close()
    batch.error, batch.rss_growth, batch.net_hits = state.get("error", ""), peak - rss0, listener.hits
    batch.protected = (protected, _protected_files())
    batch.site_packages = (site, _site_packages_entries())
    batch.bystander_files = (bystander, _tree(subs / "bystander"))
    slowest = sorted(seconds.items(), key=lambda kv: -kv[1])[:6]
    print(f"\nattack batch: {batch.seconds:.0f} s, grader RSS +{batch.rss_growth >> 20} MB, "
          f"FIFO rescues {batch.rescued}, error: {batch.error.splitlines()[-1] if batch.error else None}\n"
          f"slowest tasks: {[(f'{s}/{q}', round(t)) for (s, q), t in slowest]}, "
          f"all tasks {sum(seconds.values()):.0f} s")
    return batch


# ------------------------------------------------------------------ per attack

@pytest.mark.parametrize("name", NAMES)
def test_attack_gains_no_points_over_the_same_wrong_answer(batch, name):
    q = ATTACKS[name].question
    mine, base = batch.result(name, q), batch.result("baseline", q)
    assert mine.score <= base.score, (
        f"{name} scored {mine.score}/{mine.max_score} on {q}; the same wrong answer without the attack "
        f"scored {base.score} (status {mine.status}, notes {mine.notes})")


@pytest.mark.parametrize("name", NAMES)
def test_attackers_other_notebook_keeps_full_marks(batch, name):
    other = A.OTHER[ATTACKS[name].question]
    result = batch.result(name, other)
    assert (result.score, result.status) == (result.max_score, "graded"), (result.status, result.notes)
    rows, source = batch.csv_rows()
    row = rows.get(name, {})
    assert row.get(other) == "1" and "failed" not in row.get("band", ""), f"{source}: {row}"


@pytest.mark.parametrize("name", NAMES)
def test_attackers_feedback_is_bounded_and_leaks_nothing(batch, name):
    q = ATTACKS[name].question
    result, page_path = batch.result(name, q), batch.feedback(name, q)
    assert page_path.exists(), f"no feedback page (status {result.status}; batch error: " \
                               f"{batch.error.splitlines()[-1] if batch.error else 'none'})"
    page = page_path.read_text(errors="replace")
    problems = [f"{len(page.encode())} bytes"] if len(page.encode()) > MAX_FEEDBACK_BYTES else []
    for label, needles in (("hidden check input/source", HIDDEN_MARKERS), ("solution text", SOLUTION_MARKERS),
                           ("the bystander's work", [A.BYSTANDER_SECRET]), ("injected markup", INJECTED_MARKUP)):
        hits = [n for n in needles if n.lower() in page.lower()]
        if hits:
            context = [page[max(0, page.find(h) - 60):page.find(h) + 60] for h in hits[:2]]
            problems.append(f"{label}: {hits[:5]} e.g. {context}")
    verdicts = page.count("<pre class='verdict'>")
    if verdicts != len(result.cells):
        problems.append(f"{verdicts} grader verdict blocks for {len(result.cells)} graded cells")
    assert not problems, f"{name} feedback: " + "; ".join(problems)


# ------------------------------------------------------------------ the batch as a whole

def test_batch_finishes_on_its_own(batch):
    assert not batch.deadline_hit, f"batch still running after {DEADLINE_S} s"
    assert not batch.rescued, "the grader blocked on a FIFO and finished only because the test " \
                              f"unblocked it: {batch.rescued}"
    assert not batch.error, f"the batch crashed:\n{batch.error[-1500:]}"


def test_grades_csv_and_results_are_this_runs_and_complete(batch):
    text = (batch.out / "grades.csv").read_text()
    assert "stale_previous_run" not in text, "grades.csv is the previous run's: this run never replaced it"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["student"] for r in rows] == STUDENTS
    for row in rows:
        for q in ("q5", "q6"):
            assert row[q] == "" or float(row[q]) == batch.result(row["student"], q).score, row
    for student in STUDENTS:
        record = json.loads((batch.out / "results" / "checkpoint" / f"{student}.json").read_text())
        assert record["status"] == "complete", (student, record["status"])


def test_bystander_keeps_full_marks_and_files(batch):
    for q in ("q5", "q6"):
        r = batch.result("bystander", q)
        assert (r.score, r.status) == (1.0, "graded"), r.notes
    assert batch.bystander_files[0] == batch.bystander_files[1]
    rows, source = batch.csv_rows()
    assert rows["bystander"]["total"] == "2", (source, rows["bystander"])


def test_baseline_is_a_real_comparison_point(batch):
    for q in ("q5", "q6"):
        r = batch.result("baseline", q)
        assert r.status == "graded" and 0 < r.score < r.max_score, (q, r.score, r.notes)


def test_installed_packages_and_course_files_unchanged(batch):
    """numpy and the course's files by hash; vlmkit, which other people edit meanwhile, by the vandal's mark."""
    before, after = batch.protected
    assert [p for p, h in before.items() if after.get(p) != h] == []
    assert batch.site_packages[0] == batch.site_packages[1], batch.site_packages[0] ^ batch.site_packages[1]
    marked = [str(p) for p in Path(vlmkit.__file__).parent.rglob("*.py") if A.VANDAL_MARK in p.read_text()]
    assert marked == []


def test_vandal_wrote_nothing_outside_its_box(batch):
    report = batch.report("vandal_flood_and_disk")
    match = re.search(r"VANDAL-WROTE (\d+) (.*) VANDAL-DISK", report)
    assert match, f"no report from the vandal's kernel: {report!r}"
    assert match.group(1) == "0", match.group(0)[:2000]


def test_sandbox_bounds_total_disk_writes(batch):
    report = batch.report("vandal_flood_and_disk")
    match = re.search(r"VANDAL-DISK-BYTES (\d+) VANDAL-BOX (\S+)", report)
    assert match, f"no report from the vandal's kernel: {report!r}"
    if bwrap_available() and match.group(2).startswith("/tmp"):
        # /tmp in the sandbox is a private tmpfs (RAM, in the run's memory group), capped in size
        assert int(match.group(1)) <= LIMITS.tmp_bytes
        return
    assert int(match.group(1)) <= LIMITS.file_bytes, (
        f"one notebook wrote {int(match.group(1)) >> 20} MB to the grading host's disk "
        f"(the limit is {LIMITS.file_bytes >> 20} MB per file, with no total)")


def test_snoop_reads_nothing_it_should_not(batch):
    report = batch.report("snoop_and_network")
    assert report.startswith("LOOT"), f"no report from the snoop's kernel: {report!r}"
    loot = report.split(" NET-REACHED")[0]
    assert [f for f in FORBIDDEN_LOOT if f in loot] == [], loot[:2000]


def test_no_network_reaches_the_grading_host(batch):
    assert batch.net_hits == []
    report = batch.report("snoop_and_network")
    assert report.endswith("NET-REACHED []"), report[-300:]


def test_grader_memory_does_not_grow_with_learner_output(batch):
    assert batch.rss_growth < RSS_GROWTH_LIMIT, (
        f"the grader's own resident memory grew by {batch.rss_growth >> 20} MB during the batch "
        f"(giant_notebook submitted 64 MB; stderr floods and giant outputs are in vandal_flood_and_disk)")


def test_leak_markers_are_meaningful(batch):
    """No marker is in honest feedback or in any payload, so finding one in feedback means a leak."""
    assert len(HIDDEN_MARKERS) > 20
    payloads = _payload_text().lower()
    assert [n for n in SOLUTION_MARKERS + INJECTED_MARKUP + [A.VANDAL_MARK] if n.lower() in payloads] == []
    for student in ("baseline", "bystander"):
        for q in ("q5", "q6"):
            page = batch.feedback(student, q).read_text().lower()
            assert [n for n in HIDDEN_MARKERS + SOLUTION_MARKERS + INJECTED_MARKUP if n.lower() in page] == []


@pytest.mark.skipif(not PROCESS_LIMIT_ACTIVE, reason="the sandbox reports no active process limit "
                    "(Limits.processes with cgroups): a fork bomb would take down the shared machine")
def test_fork_bomb_and_memory_swarm_are_contained(batch):
    report = batch.report("processes_swarm_bomb_kill")
    match = re.search(r"SWARM-KILLED (\d) of (\d); SWARM-REFUSED \d; PEAK-PROCESSES (\d+); FORK-REFUSED (\d)", report)
    assert match, f"no report from the swarm's kernel: {report!r}"
    killed, waited, peak, refused = map(int, match.groups())
    assert killed >= 1 and waited == 4, f"4 children touched 7 GB together and none was stopped ({report})"
    # /proc is listed while the bomb's shells die and are reborn, so one listing can count a
    # process and its successor: allow that much over the cap, not a runaway.
    assert peak <= 1.1 * LIMITS.processes, f"the fork bomb peaked at {peak} processes"
    # A cap bound the bomb: its shells were refused forks (how far it grew first depends on the machine).
    assert refused, f"the fork bomb ran 10 s and was never refused a fork (peak {peak} processes)"


# ------------------------------------------------------------------ mode (b): no cgroup at all

# The per-process memory cap is set where an idle kernel (~0.8 GB of address space) fits and a
# swarm child (+1.6 GB) does not: without a group, RLIMIT_AS on each of at most `processes`
# tasks is the whole memory bound.
NO_CGROUP_LIMITS = Limits(wall_s=60, cell_s=20, cgroups=False, processes=64, memory_bytes=2 << 30)
BYSTANDER_FORKS = r"""
import json, os, subprocess, time
tried, refused, start = 0, 0, time.time()
while time.time() < start + 12:   # the attacker's swarm and fork bomb run meanwhile
    tried += 1
    try:
        subprocess.run(["true"], check=True)
    except (OSError, subprocess.CalledProcessError):
        refused += 1
    time.sleep(0.2)
open(os.environ["VLMKIT_RECORD"], "w").write(json.dumps({"uid": os.getuid(), "tried": tried, "refused": refused}))
"""


def _run_cells(folder: Path, cells: list, limits: Limits):
    folder.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(notebook, str(folder / "notebook.ipynb"))
    (folder / "cases.json").write_text("{}")
    return run_notebook(folder, limits)


def _learner_processes() -> list:
    ours = accounts.own_block(NO_CGROUP_LIMITS)  # other graders on this machine use other blocks
    return [p.name for p in Path("/proc").iterdir() if p.name.isdigit() and _owner(p) in ours]


def _owner(path: Path) -> int:
    try:
        return path.stat().st_uid
    except OSError:
        return -1


@pytest.mark.skipif(not (bwrap_available() and accounts.can_switch(NO_CGROUP_LIMITS)),
                    reason="needs bubblewrap and a root grader that can give each run its own uid")
def test_without_cgroups_the_runs_uid_and_rlimits_bound_swarm_bomb_and_kill_all(tmp_path):
    """Mode (b): no cgroup caps anything; the run's own uid, RLIMIT_NPROC and RLIMIT_AS must."""
    with ThreadPoolExecutor(2) as pool:
        attack = pool.submit(_run_cells, tmp_path / "attacker", A.PROCESS_ATTACK, NO_CGROUP_LIMITS)
        bystander = pool.submit(_run_cells, tmp_path / "bystander", [BYSTANDER_FORKS], NO_CGROUP_LIMITS)
        attack.result(), bystander.result()
    report = (tmp_path / "attacker" / "records.jsonl").read_text()
    match = re.search(r"SWARM-KILLED (\d) of (\d); SWARM-REFUSED (\d); PEAK-PROCESSES (\d+); FORK-REFUSED (\d)",
                      report)
    assert match, f"no report from the attacker's kernel: {report[-500:]!r}"
    killed, waited, swarm_refused, peak, bomb_refused = map(int, match.groups())
    assert (killed, waited, swarm_refused) == (0, 4, 4), f"each 1.6 GB child must be refused by RLIMIT_AS ({report})"
    assert bomb_refused and peak <= 1.1 * NO_CGROUP_LIMITS.processes, f"fork bomb peaked at {peak} ({report})"
    seen = json.loads((tmp_path / "bystander" / "records.jsonl").read_text())
    assert seen["uid"] in accounts.uid_span(NO_CGROUP_LIMITS), seen  # unprivileged, not the grader's
    assert seen["tried"] >= 20 and seen["refused"] == 0, f"the bomb's cap reached the bystander: {seen}"
    assert _learner_processes() == [], "processes of a finished run outlived it"
    assert subprocess.run(["true"]).returncode == 0  # the grader itself can still fork
