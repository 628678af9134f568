"""A course hub under a class: N learners log in, start their servers, fetch and submit at once.

    python benchmarks/bench_hub.py [--learners 30] [--threads 30]     # as root; 2.5 min for 30, 4 for 80

Makes, then deletes (even on failure or Ctrl-C), N learner accounts and one instructor (vkb<hex>-lNN,
vkb<hex>-i), a hub folder /tmp/vkbench-*, course id bench-<hex> (its grader account and group), and a
JupyterHub on free ports of 127.0.0.1. Prints:
- the class at once (a pool of --threads learners): each logs in, spawns, fetches the checkpoint,
  saves the solved q5 with `# learner <id> v1` in an answer cell and submits. Spawn time p50/p95/max,
  fetch and submit latency p50/p95; memory (RSS and PSS, from /proc) of each learner's server, of the
  hub, its proxy and formgrader; CPU seconds per spawn; the largest class this machine would hold:
  by memory, (MemAvailable + N x server RSS) / server RSS, also with one kernel per learner (the RSS
  of a Python that made the checkpoint's imports); by CPU, the class whose spawns all finish within
  the hub's start timeout, 180 s x cores / CPU seconds per spawn;
- the instructor's collect of all N: every learner present, with the timestamp their submit returned
  and only their own marker in q5, all six notebooks there;
- faults, one line each: (a) everyone submits again while collects run back to back, then the newest
  of each is collected; (b) an incomplete submission (made as the learner, no submission_secret.txt) is
  skipped and the previous one kept; a server SIGKILLed during a submit; (c) a damaged q5 through
  `vlmkit autograde --hub DIR --student ID` (its line; no traceback; others' stored grades unchanged);
  (d) the exchange full: a 2 MiB tmpfs mounted over exchange/<course>/inbound after release;
- the instructor's steps: release, collect, autograde, release-feedback.
"""

import argparse
import concurrent.futures
import copy
import csv
import functools
import itertools
import os
import pwd
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from vlmkit import paths
from vlmkit.grading.authoring.examples import solved
from vlmkit.hub.client import HubMember
from vlmkit.hub.exchange import collect, release_feedback, release_to_exchange
from vlmkit.hub.run import free_ports, start_hub, stop_hub
from vlmkit.hub.setup import prepare
from vlmkit.hub.system_users import exists, read_passwords

ASSIGNMENT, Q5, ANSWER_CELL = "checkpoint", "q5_coordinate_tokens.ipynb", "q5_normalize_quantize"
MARKER = re.compile(r"# learner ([a-z0-9_-]+) v(\d+)")
START_TIMEOUT_S = 180  # c.Spawner.start_timeout in vlmkit.hub.hub_config
KERNEL_IMPORTS = ("import numpy, torch, torch.nn.functional, matplotlib; matplotlib.use('Agg'); "
                  "import matplotlib.pyplot, transformers; from vlmkit.grading import check")


class Learner:
    def __init__(self, member: HubMember):
        self.member, self.id = member, member.name
        self.spawn_s = self.fetch_s = self.submit_s = None
        self.stamp = None  # the newest submission's timestamp, as the learner's submit answer lists it
        self.version = 0
        self.error = None


# ---------------------------------------------------------------- what a learner does


@functools.lru_cache(maxsize=1)
def solved_q5():
    return solved(paths.NOTEBOOKS / ASSIGNMENT / Q5, paths.SOLUTIONS / ASSIGNMENT / Q5)


def marked_q5(learner_id: str, version: int):
    """The solved q5 with `# learner <id> v<version>` atop an answer cell: who wrote it, which try."""
    nb = copy.deepcopy(solved_q5())
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == ANSWER_CELL:
            cell.source = f"# learner {learner_id} v{version}\n{cell.source}"
    return nb


def newest_stamp(answer: dict) -> str:
    """The newest submission timestamp in an Assignment List answer (what submit returns)."""
    from nbgrader.utils import parse_utc

    stamps = [s["timestamp"] for a in answer["value"] if a.get("status") == "submitted"
              and a["assignment_id"] == ASSIGNMENT for s in a["submissions"]]
    return max(stamps, key=parse_utc)


def submit(learner: Learner, version: int = None) -> float:
    """Save a marked q5 (when `version` is given) and submit; seconds the submit took."""
    if version is not None:
        learner.member.put_notebook(f"{ASSIGNMENT}/{Q5}", marked_q5(learner.id, version))
        learner.version = version
    start = time.perf_counter()
    answer = learner.member.assignment_action("submit", ASSIGNMENT)
    seconds = time.perf_counter() - start
    learner.stamp = newest_stamp(answer)
    return seconds


def join_class(learner: Learner) -> None:
    """Log in, spawn, fetch, save q5 with the learner's marker, submit: the first minutes of a class."""
    try:
        learner.member.login()
        learner.spawn_s = learner.member.start_server()
        start = time.perf_counter()
        learner.member.assignment_action("fetch", ASSIGNMENT)
        learner.fetch_s = time.perf_counter() - start
        learner.submit_s = submit(learner, 1)
    except Exception as err:  # reported per learner; the run goes on with the others
        learner.error = f"{type(err).__name__}: {err}"


def as_account(name: str, script: str, *args: str) -> subprocess.CompletedProcess:
    """`sh -c script` as that account (its uid, its own group, no others)."""
    entry = pwd.getpwnam(name)
    return subprocess.run(["sh", "-c", script, "sh", *args], user=entry.pw_uid, group=entry.pw_gid,
                          extra_groups=[], capture_output=True, text=True, timeout=60)


# ---------------------------------------------------------------- what the machine holds


def proc_table() -> list[dict]:
    """Every process: pid, uid, pgid, name, cmdline, RSS and PSS (MiB), CPU seconds (self + reaped)."""
    tick, rows = os.sysconf("SC_CLK_TCK"), []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            status = dict(line.split(":", 1) for line in Path(f"/proc/{entry.name}/status").read_text().splitlines()
                          if ":" in line)
            stat = Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()
            rollup = Path(f"/proc/{entry.name}/smaps_rollup").read_text()
            cmdline = Path(f"/proc/{entry.name}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            continue  # gone meanwhile, or a kernel thread
        pss = re.search(r"^Pss:\s+(\d+)", rollup, re.MULTILINE)
        rows.append({"pid": int(entry.name), "uid": int(status["Uid"].split()[0]), "pgid": int(stat[2]),
                     "name": status["Name"].strip(), "cmdline": cmdline,
                     "rss": int(status.get("VmRSS", "0 kB").split()[0]) / 1024,
                     "pss": int(pss.group(1)) / 1024 if pss else 0.0,
                     "cpu": sum(int(v) for v in stat[11:15]) / tick})
    return rows


def meminfo_mib(key: str) -> float:
    line = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith(f"{key}:"))
    return int(line.split()[1]) / 1024


def kernel_rss_mib() -> float:
    """Peak RSS of a Python that made the checkpoint notebooks' imports: a learner's working kernel."""
    code = f"{KERNEL_IMPORTS}; import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    return int(done.stdout.split()[-1]) / 1024 if done.returncode == 0 else float("nan")


def pct(values: list, q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def spread(label: str, values: list, unit: str = "s", scale: float = 1.0) -> str:
    if not values:
        return f"  {label:8s} (none)"
    v = [x * scale for x in values]
    return f"  {label:8s} p50 {pct(v, .5):7.2f} {unit}  p95 {pct(v, .95):7.2f} {unit}  max {max(v):7.2f} {unit}"


def memory_report(learners: list, hub, layout, spawn_wall: float) -> None:
    table = proc_table()
    uids = {pwd.getpwnam(lr.id).pw_uid: lr for lr in learners if lr.spawn_s is not None}
    per = {uid: [p for p in table if p["uid"] == uid] for uid in uids}
    rss = [sum(p["rss"] for p in ps) for ps in per.values() if ps]
    pss = [sum(p["pss"] for p in ps) for ps in per.values() if ps]
    cpu = [sum(p["cpu"] for p in ps) for ps in per.values() if ps]
    grader = pwd.getpwnam(layout.grader).pw_uid
    hub_p = [p for p in table if p["pid"] == hub.pid]
    proxy = [p for p in table if "configurable-http-proxy" in p["cmdline"]
             and f"--port {layout.settings.port} " in p["cmdline"]]
    formgrader = [p for p in table if p["uid"] == grader]
    print("memory (idle servers after the submit; RSS counts shared pages in full, PSS shares them out):")
    print(spread("server", rss, "MiB") + f"   PSS p50 {pct(pss, .5):.1f} MiB   processes/learner "
          f"{statistics.mean(len(ps) for ps in per.values()):.1f}")
    for label, ps in (("hub", hub_p), ("proxy", proxy), ("formgrader", formgrader)):
        print(f"  {label:10s} RSS {sum(p['rss'] for p in ps):7.1f} MiB   PSS {sum(p['pss'] for p in ps):7.1f} MiB"
              f"   CPU so far {sum(p['cpu'] for p in ps):5.1f} s")
    available, total, cores = meminfo_mib("MemAvailable"), meminfo_mib("MemTotal"), os.cpu_count()
    kernel = kernel_rss_mib()
    server, usable = pct(rss, .5), available + len(rss) * pct(rss, .5)
    hub_cpu = sum(p["cpu"] for p in hub_p) / max(1, len(rss))
    per_spawn = pct(cpu, .5) + hub_cpu
    print(f"  CPU per spawn: server {pct(cpu, .5):.2f} s (p50, to ready plus one fetch and submit) + hub "
          f"{hub_cpu:.2f} s; {len(rss)} spawns took {spawn_wall:.1f} s wall on {cores} cores")
    print(f"largest class on this machine ({total / 1024:.1f} GiB RAM, {available / 1024:.1f} GiB available now "
          f"with {len(rss)} servers up, {cores} cores):")
    print(f"  memory, idle servers: (available {available:.0f} + {len(rss)} x {server:.0f}) / {server:.0f} MiB "
          f"= {usable / server:.0f} learners")
    print(f"  memory, each learner also running a kernel with the checkpoint's imports ({kernel:.0f} MiB RSS, "
          f"torch+transformers; RSS over-counts the shared libraries): {usable / (server + kernel):.0f} learners")
    print(f"  CPU, everyone logging in at once: spawns share {cores} cores at ~{per_spawn:.1f} CPU-s each, so they "
          f"all finish together after ~N x {per_spawn:.1f} / {cores} s: within the {START_TIMEOUT_S} s start "
          f"timeout up to {START_TIMEOUT_S} x {cores} / {per_spawn:.1f} = {START_TIMEOUT_S * cores / per_spawn:.0f}"
          f" learners (past that all of them near the timeout, not only the last); logging in over a few minutes "
          f"lifts it; kernels and grading take the same cores")


# ---------------------------------------------------------------- what the instructor gets


def submitted_q5_markers(layout, learner_id: str) -> list:
    path = layout.course / "submitted" / learner_id / ASSIGNMENT / Q5
    return [(m.group(1), int(m.group(2))) for m in MARKER.finditer(path.read_text())] if path.exists() else []


def check_collected(layout, report, learners: list) -> list[str]:
    """Problems with the collect: learners missing, timestamps not theirs, q5 not theirs, files lost."""
    from nbgrader.utils import parse_utc

    got = {c.student: c for c in report.collected if c.assignment == ASSIGNMENT}
    problems, notebooks = [], sorted(p.name for p in (paths.NOTEBOOKS / ASSIGNMENT).glob("*.ipynb"))
    for lr in learners:
        if lr.stamp is None:
            problems.append(f"{lr.id}: never submitted ({lr.error})")
        elif lr.id not in got:
            problems.append(f"{lr.id}: not collected")
        elif got[lr.id].timestamp != parse_utc(lr.stamp):
            problems.append(f"{lr.id}: collected {got[lr.id].timestamp}, submitted {lr.stamp}")
        elif submitted_q5_markers(layout, lr.id) != [(lr.id, lr.version)]:
            problems.append(f"{lr.id}: q5 carries {submitted_q5_markers(layout, lr.id)}, not v{lr.version}")
        else:
            folder = layout.course / "submitted" / lr.id / ASSIGNMENT
            missing = [n for n in notebooks if not (folder / n).is_file()]
            if missing:
                problems.append(f"{lr.id}: lost {missing}")
    stamps = [c.timestamp for c in got.values()]
    if len(set(stamps)) != len(stamps):
        problems.append("two learners share a timestamp")
    return problems


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def verdict(problems: list) -> str:
    return "OK" if not problems else f"PROBLEMS ({len(problems)}): " + "; ".join(problems[:4])


def inbound(layout) -> Path:
    return layout.exchange / layout.settings.course_id / "inbound"


def nbgrader_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f %Z")


# ---------------------------------------------------------------- the faults


def fault_resubmit_during_collect(layout, learners: list) -> None:
    """Everyone submits v2 while the instructor collects, back to back until the submits are done."""
    for lr in learners:  # saved first, so only the submits themselves race the collects
        lr.member.put_notebook(f"{ASSIGNMENT}/{Q5}", marked_q5(lr.id, 2))
        lr.version = 2

    def resubmit(lr):
        start = time.perf_counter()
        try:
            submit(lr)
        except Exception as err:  # shows in the check below: that learner's v2 is not collected
            lr.error = f"{type(err).__name__}: {err}"
        return start, time.perf_counter()

    collects, skipped = [], 0
    with concurrent.futures.ThreadPoolExecutor(len(learners)) as pool:
        futures = [pool.submit(resubmit, lr) for lr in learners]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not collects or not all(f.done() for f in futures)):
            start = time.perf_counter()
            skipped += len(collect(layout).skipped)
            collects.append((start, time.perf_counter()))
        spans = [f.result() for f in futures]
    overlapped = sum(1 for s, e in spans if any(cs < e and s < ce for cs, ce in collects))
    report, again_s = timed(collect, layout)
    problems = check_collected(layout, report, learners)
    print(f"(a) {len(learners)} resubmits while {len(collects)} collect(s) ran back to back (each p50 "
          f"{pct([e - s for s, e in collects], .5):.2f} s): {overlapped} submits overlapped a collect, {skipped} "
          f"in-flight submissions skipped; collect again ({again_s:.2f} s): newest v2 of every learner: "
          f"{verdict(problems)}")


def fault_incomplete(layout, lr: Learner) -> None:
    folder = inbound(layout) / f"{lr.id}+{ASSIGNMENT}+{nbgrader_now()}+{secrets.token_hex(6)}"
    home = Path(pwd.getpwnam(lr.id).pw_dir) / ASSIGNMENT
    made = as_account(lr.id, 'mkdir "$1" && cp "$2"/*.ipynb "$1"/ && printf %s "$3" > "$1/timestamp.txt"',
                      str(folder), str(home), folder.name.split("+")[2])
    report = collect(layout, lr.id)
    lines = [line for line in report.skipped if lr.id in line and "incomplete" in line]
    problems = check_collected(layout, report, [lr]) + ([] if made.returncode == 0 else [made.stderr.strip()])
    print(f"(b) incomplete submission made as {lr.id} (no submission_secret.txt): "
          f"{'skipped: ' + lines[0] if lines else 'NOT skipped'}; previous v{lr.version} kept: {verdict(problems)}")


def fault_killed_server(layout, lr: Learner) -> None:
    """SIGKILL the learner's server while its submit copies a 48 MiB file into the exchange."""
    home = Path(pwd.getpwnam(lr.id).pw_dir) / ASSIGNMENT
    as_account(lr.id, 'dd if=/dev/zero of="$1/pad.bin" bs=1M count=48 status=none', str(home))
    server = [p for p in proc_table() if p["uid"] == pwd.getpwnam(lr.id).pw_uid and "singleuser" in p["cmdline"]]
    if not server:
        print(f"(b) no server process of {lr.id} found to kill")
        return
    before = {e.name for e in os.scandir(inbound(layout))}
    outcome = {}

    def submitting():  # the request itself, to see what the learner's browser would get
        try:
            response = lr.member.server("post", "assignments/submit",
                                        data={"course_id": layout.settings.course_id, "assignment_id": ASSIGNMENT})
            outcome["answer"] = f"the submit request got HTTP {response.status_code}"
        except Exception as err:
            outcome["answer"] = f"the submit request failed: {type(err).__name__}: {str(err)[:120]}"

    thread = threading.Thread(target=submitting)
    kept, old_version = lr.stamp, lr.version
    thread.start()
    deadline, killed = time.monotonic() + 20, None
    while time.monotonic() < deadline and killed is None:
        new = [e.name for e in os.scandir(inbound(layout)) if e.name not in before and e.name.startswith(lr.id)]
        if new:
            os.kill(server[0]["pid"], signal.SIGKILL)
            killed = new[0]
        time.sleep(0.001)
    thread.join(120)
    complete = killed and (inbound(layout) / killed / "submission_secret.txt").exists()
    lr.stamp, lr.version = kept, old_version
    report = collect(layout, lr.id)
    skipped = [line for line in report.skipped if lr.id in line and "incomplete" in line]
    problems = check_collected(layout, report, [lr]) if not complete else []
    print(f"(b) {lr.id}'s server (pid {server[0]['pid']}) SIGKILLed "
          f"{'as the submission folder appeared' if killed else 'never: no folder appeared'}; {outcome['answer']}; "
          f"left {'a complete' if complete else 'an incomplete'} folder; collect "
          f"{'skipped it' if skipped else 'took it' if complete else 'did not mention it'}, kept v{lr.version}: "
          f"{verdict(problems)}")
    as_account(lr.id, 'rm -f "$1/pad.bin"', str(home))
    restart, restart_s = None, None
    try:
        restart_s = lr.member.start_server()
        restart = submit(lr, 3)
        report = collect(layout, lr.id)
        problems = check_collected(layout, report, [lr])
        print(f"(b) {lr.id} starts the server again ({restart_s:.1f} s) and submits v3 ({restart * 1000:.0f} ms); "
              f"collected: {verdict(problems)}")
    except Exception as err:
        print(f"(b) {lr.id} could not carry on after the kill: {type(err).__name__}: {err}")


def autograde_cli(layout, student: str) -> tuple:
    argv = [sys.executable, "-m", "vlmkit", "autograde", "--hub", str(layout.root), "--student", student,
            "--assignment", ASSIGNMENT, "--jobs", "2", "-q"]
    done, seconds = timed(subprocess.run, argv, capture_output=True, text=True, timeout=600)
    return done, seconds


def stored_results(layout) -> dict:
    return {p.name: p.read_bytes() for p in (layout.course / "results" / ASSIGNMENT).glob("*.json")}


def fault_damaged(layout, damaged: Learner, other: Learner) -> float:
    """`other` graded first, then `damaged` submits invalid JSON as q5 and is graded alone."""
    done, first_s = autograde_cli(layout, other.id)
    if done.returncode:
        print(f"(c) autograde of {other.id} failed: {(done.stderr or done.stdout).strip()[-300:]}")
        return first_s
    before = stored_results(layout)
    response = damaged.member.server("put", f"api/contents/{ASSIGNMENT}/{Q5}",
                                     json={"type": "file", "format": "text", "content": '{"cells": [ damaged'})
    damaged.version = None
    submit(damaged)
    collect(layout, damaged.id)
    done, seconds = autograde_cli(layout, damaged.id)
    output = done.stdout + done.stderr
    lines = output.splitlines()
    block = lines[next((i for i, line in enumerate(lines) if line.startswith(f"== {damaged.id}")), len(lines)):]
    row = next((i for i, line in enumerate(block) if line.startswith("q5")), None)
    detail = [] if row is None else list(itertools.takewhile(lambda x: x.startswith(" "), block[row + 1:]))
    shown = " ".join(line.strip() for line in block[row:row + 1] + detail) if row is not None else "NONE"
    after = stored_results(layout)
    changed = sorted(name for name in before if name != f"{damaged.id}.json" and after.get(name) != before[name])
    others = [name for name in before if name != f"{damaged.id}.json"]
    print(f"(c) damaged q5 (saved HTTP {response.status_code}, submitted, collected); autograde --student "
          f"{damaged.id}: exit {done.returncode} in {seconds:.1f} s, traceback: {'Traceback' in output}; its line: "
          f"{shown}; other learners' stored results changed: {changed or 'none'} "
          f"(of {len(others)})")
    return first_s


def fault_full_exchange(layout, fillers: list, big: Learner, late: Learner) -> None:
    """A 2 MiB tmpfs over inbound/: the fillers fit, `big` (a 3 MiB file) fails, then `late` tries."""
    target = inbound(layout)
    mode, earlier = oct(os.stat(target).st_mode & 0o7777)[2:], sorted(os.listdir(target))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size=2m,mode={mode}", "tmpfs", str(target)],
                             capture_output=True, text=True)
    if mounted.returncode:
        print(f"(d) mount refused ({mounted.stderr.strip()}): exchange-full case not run")
        return
    outcomes = []
    try:
        for lr in fillers:
            submit(lr, 4)
        as_account(big.id, 'dd if=/dev/urandom of="$1/data.bin" bs=1M count=3 status=none',
                   str(Path(pwd.getpwnam(big.id).pw_dir) / ASSIGNMENT))
        for lr in (big, late):
            try:
                submit(lr)
                outcomes.append(f"{lr.id}: submitted")
            except Exception as err:  # the hub's ClearSubmit: one line (nbgrader's own: a long shutil.Error)
                text = str(err)[len(lr.id) + 2:]
                partial = any(e.name.startswith(f"{lr.id}+") and not (Path(e.path) / "submission_secret.txt").exists()
                              for e in os.scandir(target))
                outcomes.append(f"{lr.id}'s submit failed ({len(text)} characters): "
                                f"{text if len(text) < 300 else text[:60] + '...'}; partial folder left: {partial}")
        folders = {e.name.split("+")[0]: e.name for e in os.scandir(target)}
        intact = [lr for lr in fillers if (target / folders.get(lr.id, "-") / "submission_secret.txt").is_file()
                  and [(m.group(1), int(m.group(2))) for m in MARKER.finditer(
                      (target / folders[lr.id] / Q5).read_text())] == [(lr.id, 4)]]
        report, seconds = timed(collect, layout)
        used = shutil.disk_usage(target)
        print(f"(d) tmpfs 2 MiB over exchange/{layout.settings.course_id}/inbound (mounted after release, "
              f"mode {mode}): {len(fillers)} submits fit, {len(intact)} of them complete with their own q5; "
              f"then " + "; ".join(outcomes))
        print(f"(d) collect while full ({seconds:.2f} s, {used.used / 2**20:.1f} of {used.total / 2**20:.1f} MiB "
              f"used): fillers {verdict(check_collected(layout, report, fillers))}; skipped: "
              f"{[line for line in report.skipped if big.id in line or late.id in line] or 'nothing'}")
    finally:
        unmounted = subprocess.run(["umount", str(target)], capture_output=True, text=True)
        as_account(big.id, 'rm -f "$1/data.bin"', str(Path(pwd.getpwnam(big.id).pw_dir) / ASSIGNMENT))
    print(f"(d) unmounted (exit {unmounted.returncode}): the {len(earlier)} earlier folders of inbound/ are "
          f"{'back unchanged' if sorted(os.listdir(target)) == earlier else 'CHANGED'}")


# ---------------------------------------------------------------- set-up and clean-up


def remove_course(layout, names: list, root: Path, hub) -> None:
    """Stop the hub, end what still runs as our accounts, delete them, their group and the folder."""
    if hub is not None:
        stop_hub(hub)
    uids = {pwd.getpwnam(n).pw_uid for n in names if exists(n)}
    for p in proc_table():
        if p["uid"] in uids:
            try:
                os.kill(p["pid"], signal.SIGKILL)
            except ProcessLookupError:
                pass
    for name in names:
        if exists(name):
            subprocess.run(["userdel", "-r", name], capture_output=True)
    if layout is not None:
        subprocess.run(["groupdel", layout.instructors_group], capture_output=True)
        subprocess.run(["umount", str(inbound(layout))], capture_output=True)  # if (d) was cut short
    shutil.rmtree(root, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--threads", type=int, default=30, help="learners acting at once (default: %(default)s)")
    args = parser.parse_args(argv)
    if os.geteuid() != 0 or args.learners < 8:
        parser.error("run as root, with --learners 8 or more")
    tag = secrets.token_hex(2)
    ids = [f"vkb{tag}-l{i:02d}" for i in range(1, args.learners + 1)]
    root = Path(tempfile.mkdtemp(prefix="vkbench-", dir="/tmp"))
    os.chmod(root, 0o755)
    course_id, layout, hub = f"bench-{tag}", None, None
    names = [f"vkb{tag}-i", *ids, f"grader-{course_id}"]
    try:
        roster = root / "roster.csv"
        with roster.open("w", newline="") as fh:
            csv.writer(fh).writerows([("id", "name", "role"), (names[0], "Bench Instructor", "instructor"),
                                      *((i, f"Learner {i}", "learner") for i in ids)])
        layout, prepare_s = timed(prepare, roster, root / "hub", port=free_ports(), course_id=course_id)
        _, release_s = timed(release_to_exchange, layout)
        hub, hub_s = timed(start_hub, layout, root / "hub.log")
        print(f"course {course_id}: {args.learners} learners + 1 instructor on 127.0.0.1:{layout.settings.port}; "
              f"accounts and folders {prepare_s:.1f} s, hub start {hub_s:.1f} s")
        passwords, base = read_passwords(layout.passwords), f"http://127.0.0.1:{layout.settings.port}"
        learners = [Learner(HubMember(base, i, passwords[i], course_id=course_id)) for i in ids]
        with concurrent.futures.ThreadPoolExecutor(args.threads) as pool:
            _, class_s = timed(lambda: list(pool.map(join_class, learners)))
        ok = [lr for lr in learners if lr.error is None]
        print(f"class at once: {len(ok)}/{len(learners)} learners logged in, spawned, fetched and submitted in "
              f"{class_s:.1f} s ({args.threads} at a time)")
        for lr in learners:
            if lr.error:
                print(f"  FAILED {lr.id}: {lr.error[:200]}")
        print(spread("spawn", [lr.spawn_s for lr in ok]))
        print(spread("fetch", [lr.fetch_s for lr in ok], "ms", 1000))
        print(spread("submit", [lr.submit_s for lr in ok], "ms", 1000))
        memory_report(learners, hub, layout, class_s)
        report, collect_s = timed(collect, layout)
        print(f"collect of all {len(learners)}: {collect_s:.2f} s, {len(report.collected)} collected, "
              f"{len(report.skipped)} skipped; each learner's own timestamp and own q5 (v1), six notebooks: "
              f"{verdict(check_collected(layout, report, learners))}")
        if len(ok) < 8:
            print("too few learners got through to run the faults")
            return 1
        fault_resubmit_during_collect(layout, ok)
        fault_incomplete(layout, ok[0])
        fault_killed_server(layout, ok[-1])
        grade_s = fault_damaged(layout, ok[1], ok[2])
        fault_full_exchange(layout, ok[3:6], ok[6], ok[7])
        released, feedback_s = timed(release_feedback, layout)
        start = time.perf_counter()
        ok[2].member.assignment_action("fetch_feedback", ASSIGNMENT)
        fetched = list((Path(pwd.getpwnam(ok[2].id).pw_dir) / ASSIGNMENT / "feedback").glob("*/*.html"))
        print(f"instructor steps: release (2 assignments) {release_s:.1f} s; collect of {len(learners)} "
              f"{collect_s:.2f} s; autograde --student (1 learner, checkpoint, jobs 2) {grade_s:.1f} s; "
              f"release-feedback ({len(released)} graded) {feedback_s:.2f} s; {ok[2].id}'s fetch_feedback "
              f"{(time.perf_counter() - start) * 1000:.0f} ms, {len(fetched)} pages")
        return 0
    finally:
        start = time.perf_counter()
        remove_course(layout, names, root, hub)
        print(f"cleaned up: hub stopped, {len(names)} accounts and the group deleted, {root} removed "
              f"({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    sys.exit(main())
