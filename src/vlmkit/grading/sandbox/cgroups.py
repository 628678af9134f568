"""Process and memory caps for one sandboxed run, with Linux cgroups (v1 or v2) where the grader may use them.

    group = open_group(limits)      # before the run; group.enter() runs in the child before exec
    ...
    group.close()                   # kills whatever is left in the group and removes it

RLIMIT_AS is per process, so a swarm of allocating processes needs a group limit (and where no
group is writable, accounts.py still caps the run's processes with RLIMIT_NPROC on a uid of its
own). Each run gets its own child group: at most `processes` tasks and `group_memory_bytes` of
RAM together, and the same CPU share as any other run.

- cgroup v1 (a `pids` hierarchy under the root): a child of our own group in each of the
  `pids`, `memory` and `cpu` hierarchies that is writable (pids.max, memory.limit_in_bytes,
  cpu.shares).
- cgroup v2 (a unified hierarchy: `cgroup.controllers` at the root): the runs' groups live in a
  kit group, `vlmkit`, in the root cgroup when the grader is root, else in the grader's own
  delegated group (e.g. `systemd-run --user --scope -p Delegate=yes vlmkit autograde ...`). The
  kit enables the pids, memory and cpu controllers down to it (first moving itself into a leaf,
  `vlmkit-grader`, where its own group holds processes: v2 allows controllers only below groups
  without processes); each run's child gets pids.max, memory.max, memory.swap.max 0 where swap
  is accounted, and cpu.weight 100; `cgroup.kill` empties it afterwards.

`Host` names the hierarchy's root, /proc/self/cgroup and the euid, so that tests can point all
of this at a fake tree (tests/grading/sandbox/test_cgroups_v2.py).
"""

import errno
import os
import signal
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from vlmkit.grading.sandbox.accounts import alive

KIT_GROUP = "vlmkit"
GRADER_LEAF = "vlmkit-grader"
V2_CONTROLLERS = ("pids", "memory", "cpu")
CPU_WEIGHT_V2 = 100  # v2's default weight, the same for every run
CPU_SHARES_V1 = 1024  # v1's default shares, the same for every run


@dataclass(frozen=True)
class Host:
    root: Path = Path("/sys/fs/cgroup")
    proc_cgroup: Path = Path("/proc/self/cgroup")
    euid: int = field(default_factory=os.geteuid)


def version(host: Host) -> str:
    if (host.root / "cgroup.controllers").exists():
        return "v2"
    return "v1" if (host.root / "pids").is_dir() else "none"


def _membership(host: Host) -> list:
    """(controllers, path) per line of /proc/self/cgroup."""
    try:
        lines = host.proc_cgroup.read_text().splitlines()
    except OSError:
        return []
    return [(controllers.split(","), path) for _, controllers, path in (ln.split(":", 2) for ln in lines)]


def _own_v1_group(host: Host, controller: str):
    """Our current v1 cgroup folder for a controller, if we can create children in it."""
    for controllers, path in _membership(host):
        if controller in controllers:
            folder = host.root / controller / path.lstrip("/")
            return folder if os.access(folder, os.W_OK) else None
    return None


def _enable(folder: Path, controllers) -> None:
    (folder / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in controllers))


@lru_cache(maxsize=None)
def v2_kit_group(host: Host) -> tuple:
    """(kit group, controllers enabled in it, "") ready for runs' groups, or (None, (), why not).

    Prepared once per host."""
    own = next((host.root / path.lstrip("/") for controllers, path in _membership(host)
                if controllers == [""]), None)
    base = host.root if host.euid == 0 else own
    if base is None or not os.access(base, os.W_OK):
        return None, (), (f"{base or 'our own cgroup'} is not writable: run the grader as root, or in a "
                      "delegated group (systemd-run --user --scope -p Delegate=yes vlmkit ...)")
    offered = (base / "cgroup.controllers").read_text().split()
    wanted = [c for c in V2_CONTROLLERS if c in offered]
    if "pids" not in wanted or "memory" not in wanted:
        return None, (), f"the pids and memory controllers are not delegated to {base} (it has: {' '.join(offered)})"
    try:
        try:
            _enable(base, wanted)
        except OSError as err:  # our own group holds processes: move ourselves into a leaf
            if err.errno != errno.EBUSY:
                raise
            (base / GRADER_LEAF).mkdir(exist_ok=True)
            (base / GRADER_LEAF / "cgroup.procs").write_text(str(os.getpid()))
            _enable(base, wanted)
        kit = base / KIT_GROUP
        kit.mkdir(exist_ok=True)
        _enable(kit, wanted)
    except OSError as err:
        return None, (), f"cannot enable {' '.join(wanted)} below {base}: {err.strerror}"
    return kit, tuple(wanted), ""


def describe(host: Host = Host()) -> tuple:
    """(version, writable, detail) for `vlmkit doctor`."""
    kind = version(host)
    if kind == "v2":
        kit, _, why = v2_kit_group(host)
        return kind, kit is not None, str(kit) if kit else why
    if kind == "v1":
        writable = {c: _own_v1_group(host, c) for c in ("pids", "memory", "cpu")}
        usable = [c for c, folder in writable.items() if folder]
        detail = f"own groups writable for: {', '.join(usable) or 'none'}"
        return kind, bool(writable["pids"]), detail
    return kind, False, f"no cgroup hierarchy at {host.root}"


def available(host: Host = Host()) -> bool:
    return describe(host)[1]


def _members(folder: Path) -> list:
    try:
        return [int(p) for p in (folder / "cgroup.procs").read_text().split()]
    except FileNotFoundError:  # no process ever entered (a fake tree), or the group is gone
        return []


def remove_group(folder: Path) -> None:
    """rmdir: the kernel removes a cgroup's interface files with it."""
    folder.rmdir()


class Group:
    """A run's own groups (none: no caps from cgroups); `enter` runs in the child before exec."""

    def __init__(self, folders=()):
        self.folders = list(folders)

    def enter(self):
        for folder in self.folders:
            (folder / "cgroup.procs").write_text(str(os.getpid()))

    def close(self):
        """Kill whatever is left in the group (daemons the notebook started) and remove it."""
        for folder in self.folders:
            try:
                (folder / "cgroup.kill").write_text("1")  # v2, Linux 5.14+: all at once
            except OSError:
                pass  # v1, or an older kernel: the loop below kills them one by one
            for _ in range(100):  # killed tasks leave the group a moment later
                try:
                    live = [pid for pid in _members(folder) if alive(pid)]
                    for pid in live:
                        os.kill(pid, signal.SIGKILL)
                    if not live:
                        remove_group(folder)
                        break
                except OSError:
                    pass
                time.sleep(0.02)


def _make(folder: Path, required: dict, optional: dict) -> bool:
    """Create the group with its limits; a required limit that cannot be set means no group."""
    try:
        folder.mkdir()
    except OSError:
        return False
    try:
        for key, value in required.items():
            (folder / key).write_text(str(value))
    except OSError:
        remove_group(folder)
        return False
    for key, value in optional.items():
        try:
            (folder / key).write_text(str(value))
        except OSError:  # e.g. memory.swap.max where swap is not accounted
            pass
    return True


def open_group(pids_max: int, memory_bytes: int, enabled: bool = True, host: Host = Host()) -> Group:
    """A fresh group for one run, in whichever hierarchy the host has; Group() where none is usable."""
    if not enabled:
        return Group()
    name = f"vlmkit-{uuid.uuid4().hex[:12]}"
    kind = version(host)
    if kind == "v2":
        kit, controllers, _ = v2_kit_group(host)
        if kit is None:
            return Group()
        folder = kit / name
        cpu = {"cpu.weight": CPU_WEIGHT_V2} if "cpu" in controllers else {}
        made = _make(folder, {"pids.max": pids_max, "memory.max": memory_bytes},
                     {"memory.swap.max": 0, **cpu})
        return Group([folder] if made else [])
    folders = []
    if kind == "v1":
        for controller, limits in (("pids", {"pids.max": pids_max}),
                                   ("memory", {"memory.limit_in_bytes": memory_bytes}),
                                   ("cpu", {"cpu.shares": CPU_SHARES_V1})):
            parent = _own_v1_group(host, controller)
            if parent is not None and _make(parent / name, limits, {}):
                folders.append(parent / name)
    return Group(folders)
