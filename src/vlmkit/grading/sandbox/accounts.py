"""The unprivileged uid each sandboxed run's learner code runs as, and the process cap that binds it.

    with run_account(limits) as uid:     # None: learner code keeps the grader's uid
        ... in the child before exec: RLIMIT_NPROC = nproc_cap(uid, limits), then become(uid) ...

RLIMIT_NPROC caps the tasks (processes and threads) of a *real uid*, and never binds root. So a
grader running as root gives every run a uid of its own, from a range no account uses:
`Limits.learner_uid + (grader pid mod BLOCKS) * SLOTS + slot`, skipping any uid a process still
holds. One uid shared by all runs would pool the cap: a fork bomb in one notebook would use up
the count and make the forks of every notebook graded beside it fail. With a uid per run,
RLIMIT_NPROC = Limits.processes bounds each run alone, `kill -1` as that uid reaches only that
run, and afterwards every process left with that uid (daemons that left the session) is killed.

A grader that is not root keeps its own uid: the cap then counts the grader's own tasks too, so
it is what the uid runs now plus Limits.processes, shared by the runs in flight.
"""

import os
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from vlmkit.errors import KitError

SLOTS = 256  # runs in flight in one grader process
BLOCKS = 1 << 20  # grader processes on one host that get disjoint uid blocks
_lock = threading.Lock()
_busy: set = set()


def uid_span(limits) -> range:
    """Every uid learner code may get, from any grader process."""
    return range(limits.learner_uid, limits.learner_uid + BLOCKS * SLOTS)


def own_block(limits) -> range:
    """The uids this grader process gives its runs."""
    start = limits.learner_uid + (os.getpid() % BLOCKS) * SLOTS
    return range(start, start + SLOTS)


def _mapped(span: range) -> bool:
    """Whether this process's user namespace maps every uid of the span (a rootless container may not)."""
    try:
        lines = Path("/proc/self/uid_map").read_text().split("\n")
    except OSError:
        return False
    for line in filter(None, map(str.split, lines)):
        inside, _, count = map(int, line)
        if inside <= span.start and span.stop <= inside + count:
            return True
    return False


def can_switch(limits) -> bool:
    """Runs get uids of their own: the grader is root and the range is usable."""
    return limits.learner_uid > 0 and os.geteuid() == 0 and _mapped(uid_span(limits))


def _tasks_by_uid() -> dict:
    """uid → tasks (threads included, as RLIMIT_NPROC counts them) of every process on the host."""
    counts = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                uid = entry.stat().st_uid
                tasks = len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:  # it ended meanwhile
                continue
            counts[uid] = counts.get(uid, 0) + tasks
    return counts


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (which only waits for its parent to reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _running(uid: int) -> bool:
    """Whether a process of `uid` is still alive."""
    for entry in os.scandir("/proc"):
        try:
            if entry.name.isdigit() and entry.stat().st_uid == uid and alive(int(entry.name)):
                return True
        except OSError:  # it ended meanwhile
            continue
    return False


def kill_all(uid: int) -> None:
    """SIGKILL every process of `uid`, from a process of that uid (kill -1 spares only itself)."""
    for _ in range(50):
        if not _running(uid):
            return
        subprocess.run(["kill", "-KILL", "-1"], user=uid, group=uid, extra_groups=[],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        time.sleep(0.02)


@contextmanager
def run_account(limits):
    """The uid for one run (None where runs keep the grader's uid); its leftovers die at the end."""
    if not can_switch(limits):
        yield None
        return
    with _lock:
        in_use = _tasks_by_uid()
        uid = next((u for u in own_block(limits) if u not in _busy and u not in in_use), None)
        if uid is None:
            raise KitError(f"more than {SLOTS} notebooks in flight in one grader process; lower --jobs")
        _busy.add(uid)
    try:
        yield uid
    finally:
        kill_all(uid)
        with _lock:
            _busy.discard(uid)


def nproc_cap(uid, limits) -> int:
    """RLIMIT_NPROC for a run: the run's own count under its own uid, else on top of the grader's."""
    if uid is not None:
        return limits.processes
    return _tasks_by_uid().get(os.getuid(), 0) + limits.processes


def become(uid: int) -> None:
    """Drop every group and become `uid` for good (root's capabilities go with it)."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def reachable_by(uid: int, path: Path) -> bool:
    """Whether `uid` (no groups) may walk down to `path`: every folder above it searchable."""
    for folder in Path(path).resolve().parents:
        try:
            info = folder.stat()
        except FileNotFoundError:  # made later, by the grader, for the run
            continue
        if not info.st_mode & (0o100 if info.st_uid == uid else 0o001):
            return False
    return True
