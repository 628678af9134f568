"""How a learner's notebook is run: in a sandbox, with limits, never in the grader's process.

With bubblewrap (`bwrap`), the runner sees a read-only system, the Python installation and the
kit's `src/` and `data/`, and one private writable folder (mounted at /sandbox) holding only
this notebook, its hidden-check inputs and its record file. It has no network, no view of
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

from vlmkit import paths

MOUNT = "/sandbox"
STDERR_TAIL = 2000


@dataclass(frozen=True)
class Limits:
    wall_s: int = 600  # the whole notebook
    cell_s: int = 120  # one cell, then the kernel is interrupted
    memory_bytes: int = 8 << 30  # address space per process (torch alone maps ~3.3 GB)
    file_bytes: int = 64 << 20
    threads: int = 2


@dataclass(frozen=True)
class RunResult:
    status: str  # "ok", "timeout" or "crashed"
    detail: str


@lru_cache(maxsize=1)
def bwrap_available() -> bool:
    exe = shutil.which("bwrap")
    if exe is None:
        return False
    probe = subprocess.run([exe, "--ro-bind", "/", "/", "--unshare-all", "true"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


def _readonly_paths() -> list[str]:
    """System, the Python installation(s) and the kit's importable code and data."""
    wanted = {"/usr", "/etc", sys.base_prefix, sys.prefix, sysconfig.get_paths()["purelib"],
              str(paths.ROOT / "src"), str(paths.DATA)}
    real = {os.path.realpath(p) for p in wanted if os.path.exists(p)}
    # Keep only outermost paths: binding /a after /a/b would hide nothing but costs a mount.
    return sorted(p for p in real if not any(p != q and p.startswith(q + "/") for q in real))


def _bwrap_command(workdir: Path) -> list[str]:
    cmd = ["bwrap", "--die-with-parent", "--new-session", "--unshare-all", "--cap-drop", "ALL",
           "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for link in ("bin", "lib", "lib64", "sbin"):
        if os.path.islink(f"/{link}"):
            cmd += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
    for path in _readonly_paths():
        cmd += ["--ro-bind", path, path]
    return cmd + ["--bind", str(workdir), MOUNT, "--chdir", MOUNT]


def _environment(home: str, limits: Limits) -> dict:
    threads = str(limits.threads)
    return {
        "PATH": f"{os.path.dirname(sys.executable)}:/usr/bin:/bin",
        "HOME": home, "IPYTHONDIR": f"{home}/.ipython", "MPLCONFIGDIR": f"{home}/.mpl",
        "JUPYTER_RUNTIME_DIR": f"{home}/.runtime", "MPLBACKEND": "Agg",
        "VLMKIT_RECORD": f"{home}/records.jsonl", "VLMKIT_CASES": f"{home}/cases.json",
        "VLMKIT_HOME": str(paths.ROOT), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
        "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1", "LANG": "C.UTF-8",
    }


def _set_limits(limits: Limits):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        cpu = limits.wall_s * max(limits.threads, 1) + 60
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

    return apply


def run_notebook(workdir: Path, limits: Limits = Limits()) -> RunResult:
    """Execute workdir/notebook.ipynb into workdir/executed.ipynb; records go to workdir/records.jsonl."""
    workdir = Path(workdir).resolve()
    if bwrap_available():
        home, prefix = MOUNT, _bwrap_command(workdir)
    else:
        warnings.warn("bubblewrap (bwrap) not found: notebooks run without a filesystem sandbox; "
                      "install it with `apt-get install bubblewrap`", RuntimeWarning, stacklevel=2)
        home, prefix = str(workdir), []
    command = prefix + [sys.executable, "-m", "vlmkit.grading.runner", f"{home}/notebook.ipynb",
                        f"{home}/executed.ipynb", "--cell-timeout", str(limits.cell_s)]
    process = subprocess.Popen(command, cwd=workdir, env=_environment(home, limits),
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, preexec_fn=_set_limits(limits),
                               start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=limits.wall_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return RunResult("timeout", f"the notebook ran longer than {limits.wall_s} s and was stopped")
    tail = stderr.decode(errors="replace")[-STDERR_TAIL:]
    if process.returncode == 0:
        return RunResult("ok", "")
    last = [line for line in tail.splitlines() if line.startswith("runner status:")]
    reason = last[-1].removeprefix("runner status: ") if last else f"exit status {process.returncode}"
    return RunResult("crashed", f"the notebook's kernel stopped: {reason}")
