"""Running a Jupyter server in the foreground until it is told to stop (`vlmkit lab`, `vlmkit formgrader`).

    status = serve(argv, env, root_dir)   # returns once the server and everything it started is gone

The server runs in the folder it serves (so a JupyterLab terminal, which opens in the server's
working folder unless the front end names another, opens beside the file browser's root) and in
a session of its own. SIGINT (Ctrl-C), SIGTERM (`kill`, a service manager) and SIGHUP (the
terminal closed) all stop it the same way: SIGTERM to its process group, which makes Jupyter
shut down its kernels and terminals (they run in sessions of their own), then, after a grace
period, SIGKILL to the group and to every process it had started that is still alive, so no
orphan keeps serving the port. The caller then does what follows a stop (formgrader's refresh).
"""

import contextlib
import os
import signal
import subprocess
from pathlib import Path

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_S = 20  # Jupyter's own shutdown of kernels and terminals takes a few seconds


class _Stop(Exception):
    pass


def serve(argv: list, env: dict, root_dir: Path) -> int:
    """Run `argv` in `root_dir` until it exits (its status) or one of STOP_SIGNALS arrives (0)."""
    process, pending = None, []

    def stop(signum, frame):
        if process is None:  # while Popen runs: an exception there could lose the child
            pending.append(signum)
        else:
            raise _Stop

    previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
    try:
        process = subprocess.Popen(argv, env=env, cwd=root_dir, start_new_session=True)
        if pending:
            raise _Stop
        return process.wait()
    except _Stop:
        for sig in STOP_SIGNALS:  # a second Ctrl-C must not cut the shutdown short
            signal.signal(sig, signal.SIG_IGN)
        if process is not None:
            stop_group(process)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def stop_group(process: subprocess.Popen, grace_s: float = GRACE_S) -> None:
    """Stop the session leader `process`, its process group and every process it started."""
    started = descendants(process.pid)
    _signal_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        _signal_group(process.pid, signal.SIGKILL)
        process.wait()
    _signal_group(process.pid, signal.SIGKILL)  # children of the group that outlived the server
    for pid in started:  # kernels and terminals run in sessions of their own
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def descendants(pid: int) -> list[int]:
    """Every living process below `pid` (from /proc; none where there is no /proc)."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo += children.get(child, [])
    return found
