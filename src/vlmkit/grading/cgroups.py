"""Process and memory caps for one sandboxed run, with Linux cgroups where the grader may use them.

RLIMIT_NPROC does not bind root, and RLIMIT_AS is per process, so a fork bomb or a swarm of
allocating processes needs a group limit. Where the cgroup v1 `pids`, `memory` and `cpu`
hierarchies are writable (root on most Linux hosts and containers), each run gets its own child
group: at most `pids_max` processes and `memory_bytes` of RAM together, and a fair CPU share. Elsewhere `available()` is
False and the per-process rlimits in sandbox.py are all there is.
"""

import os
import signal
import time
import uuid
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")


def _own_group(controller: str):
    """Our current v1 cgroup folder for a controller, if we can create children in it."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            folder = ROOT / controller / path.lstrip("/")
            return folder if os.access(folder, os.W_OK) else None
    return None


def available() -> bool:
    return _own_group("pids") is not None


class Group:
    """A fresh pids+memory cgroup; `enter` runs in the child before exec (preexec_fn)."""

    def __init__(self, pids_max: int, memory_bytes: int):
        name = f"vlmkit-{uuid.uuid4().hex[:12]}"
        self.folders = []
        # Equal cpu.shares per run: a notebook spinning 256 processes gets the CPU time of one
        # run, not 256 times a neighbour's.
        for controller, limits in (("pids", {"pids.max": pids_max}),
                                   ("memory", {"memory.limit_in_bytes": memory_bytes}),
                                   ("cpu", {"cpu.shares": 1024})):
            parent = _own_group(controller)
            if parent is None:
                continue
            folder = parent / name
            try:
                folder.mkdir()
                for key, value in limits.items():
                    (folder / key).write_text(str(value))
            except OSError:
                continue
            self.folders.append(folder)

    def enter(self):
        for folder in self.folders:
            (folder / "cgroup.procs").write_text(str(os.getpid()))

    def close(self):
        """Kill whatever is left in the group (daemons the notebook started) and remove it."""
        for folder in self.folders:
            for _ in range(100):  # killed tasks leave the group a moment later
                try:
                    pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
                    for pid in pids:
                        os.kill(pid, signal.SIGKILL)
                    folder.rmdir()
                    break
                except (OSError, ProcessLookupError):
                    time.sleep(0.02)
