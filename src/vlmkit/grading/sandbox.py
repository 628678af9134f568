"""How a learner's notebook is run: in a sandbox, with limits, never in the grader's process.

With bubblewrap (`bwrap`), the runner sees a read-only system, the Python installation and the
kit's `src/` and `data/`, a read-only /sandbox holding only this notebook and its hidden-check
inputs (with its record file and executed copy as the only writable files), and a size-capped
scratch /tmp. It has no network, no view of
other submissions, the gradebook, `solutions/` or the hidden checks, and cannot write into
any installed package. Without bwrap the kit warns once and falls back to a private working
folder and the same resource limits.
"""

import os
import resource
import shutil
import signal
import subprocess
import sys
import sysconfig
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import vlmkit
from vlmkit import paths
from vlmkit.grading import cgroups

MOUNT = "/sandbox"
SCRATCH = "/tmp/work"
OUTPUTS = ("records.jsonl", "executed.ipynb")


@dataclass(frozen=True)
class Limits:
    wall_s: int = 600  # the whole notebook
    cell_s: int = 120  # one cell, then the kernel is interrupted
    memory_bytes: int = 8 << 30  # address space per process (torch alone maps ~3.3 GB)
    group_memory_bytes: int = 6 << 30  # resident memory of the whole run, where cgroups work
    processes: int = 256  # processes of the whole run, where cgroups work
    file_bytes: int = 64 << 20
    tmp_bytes: int = 256 << 20  # the sandbox's private /tmp (a RAM-backed tmpfs)
    threads: int = 2
    sandbox: bool = True  # False only for benchmarks that measure the sandbox's own cost


@dataclass(frozen=True)
class RunResult:
    status: str  # "ok", "timeout" or "crashed"
    detail: str


KERNEL_DIED = RunResult("crashed", "the notebook's kernel died (os._exit, a crash or a kill); "
                                  "checks after that point did not run")


def timed_out(limits: Limits) -> RunResult:
    return RunResult("timeout", f"the notebook ran longer than {limits.wall_s} s and was stopped")


@lru_cache(maxsize=1)
def bwrap_available() -> bool:
    exe = shutil.which("bwrap")
    if exe is None:
        return False
    probe = subprocess.run([exe, "--ro-bind", "/", "/", "--unshare-all", "true"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


def _package_parent() -> str:
    """The folder vlmkit is imported from (src/ of the kit, or of an unpacked learner bundle)."""
    return str(Path(vlmkit.__file__).resolve().parents[1])


def _readonly_paths() -> list[str]:
    """System, the Python installation(s) and the kit's importable code and data."""
    wanted = {"/usr", "/etc", sys.base_prefix, sys.prefix, sysconfig.get_paths()["purelib"],
              _package_parent(), str(paths.DATA)}
    real = {os.path.realpath(p) for p in wanted if os.path.exists(p)}
    # Keep only outermost paths: binding /a after /a/b would hide nothing but costs a mount.
    return sorted(p for p in real if not any(p != q and p.startswith(q + "/") for q in real))


def _bwrap_command(workdir: Path, limits: Limits) -> list[str]:
    cmd = ["bwrap", "--die-with-parent", "--new-session", "--unshare-all", "--cap-drop", "ALL",
           "--proc", "/proc", "--dev", "/dev", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp"]
    for link in ("bin", "lib", "lib64", "sbin"):
        if os.path.islink(f"/{link}"):
            cmd += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
    for path in _readonly_paths():
        cmd += ["--ro-bind", path, path]
    # The run's folder is read-only; only the two result files are writable (and cannot be
    # swapped for a link or a FIFO). Scratch space is the size-capped /tmp.
    cmd += ["--ro-bind", str(workdir), MOUNT]
    for name in OUTPUTS:
        cmd += ["--bind", str(workdir / name), f"{MOUNT}/{name}"]
    return cmd + ["--dir", SCRATCH, "--chdir", SCRATCH]


def _environment(home: str, scratch: str, limits: Limits) -> dict:
    threads = str(limits.threads)
    return {
        "PATH": f"{os.path.dirname(sys.executable)}:/usr/bin:/bin",
        "HOME": scratch, "IPYTHONDIR": f"{scratch}/.ipython", "MPLCONFIGDIR": f"{scratch}/.mpl",
        "JUPYTER_RUNTIME_DIR": f"{scratch}/.runtime", "MPLBACKEND": "Agg",
        "VLMKIT_RECORD": f"{home}/records.jsonl", "VLMKIT_CASES": f"{home}/cases.json",
        "VLMKIT_HOME": str(paths.ROOT), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
        "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1", "LANG": "C.UTF-8", "PYTHONPATH": _package_parent(),
    }


def _set_limits(limits: Limits, group):
    def apply():
        group.enter()
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        cpu = limits.wall_s * max(limits.threads, 1) + 60
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

    return apply


def run_notebook(workdir: Path, limits: Limits = Limits()) -> RunResult:
    """Execute workdir/notebook.ipynb into workdir/executed.ipynb; records go to workdir/records.jsonl."""
    workdir = Path(workdir).resolve()
    for name in OUTPUTS:
        (workdir / name).touch()
    if limits.sandbox and bwrap_available():
        home, scratch, prefix = MOUNT, SCRATCH, _bwrap_command(workdir, limits)
    else:
        if limits.sandbox:
            warnings.warn("bubblewrap (bwrap) not found: notebooks run without a filesystem sandbox; "
                          "install it with `apt-get install bubblewrap`", RuntimeWarning, stacklevel=2)
        home, scratch, prefix = str(workdir), str(workdir), []
    command = prefix + [sys.executable, "-m", "vlmkit.grading.runner", f"{home}/notebook.ipynb",
                        f"{home}/executed.ipynb", "--cell-timeout", str(limits.cell_s)]
    group = cgroups.Group(limits.processes, limits.group_memory_bytes)
    try:
        process = subprocess.Popen(command, cwd=workdir, env=_environment(home, scratch, limits),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, preexec_fn=_set_limits(limits, group),
                                   start_new_session=True)
        try:
            process.wait(timeout=limits.wall_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return timed_out(limits)
    finally:
        group.close()
    if process.returncode == 0:
        return RunResult("ok", "")
    # Fixed wording on purpose: the runner's stderr is shared with the learner's kernel, so any
    # text read from it could be the learner's own.
    if process.returncode == 3:
        return KERNEL_DIED
    return RunResult("crashed", f"the notebook runner stopped (exit status {process.returncode}); "
                                "checks that had not run by then failed")
