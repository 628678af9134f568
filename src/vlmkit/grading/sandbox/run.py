"""How a learner's notebook is run: in a sandbox, with limits, never in the grader's process.

    result = run_notebook(workdir, limits)    # workdir/notebook.ipynb -> executed.ipynb, records.jsonl

With bubblewrap (`bwrap`), the runner sees a read-only system, the Python installation and the
kit's `src/` and `data/`, a read-only /sandbox holding only this notebook and its hidden-check
inputs (with its record file and executed copy as the only writable files), and a size-capped
scratch /tmp. It has no network, no view of
other submissions, the gradebook, `solutions/` or the hidden checks, and cannot write into
any installed package. Without bwrap the kit warns once and falls back to a private working
folder and the same resource limits.

Learner code runs as an unprivileged uid of its own where the grader is root (accounts.py), with
RLIMIT_NPROC on that uid, so a fork bomb is bounded even where no cgroup is writable; the
runner drops to that uid inside bwrap, before anything of the learner's runs. The limits
themselves are defined in limits.py; cgroups.py adds the group caps where the host allows them.
"""

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import warnings
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import vlmkit
from vlmkit import paths
from vlmkit.grading.sandbox import accounts, cgroups
from vlmkit.grading.sandbox.limits import Limits

MOUNT = "/sandbox"
SCRATCH = "/tmp/work"
OUTPUTS = ("records.jsonl", "executed.ipynb")
# bwrap as root, for a runner that drops to the run's own uid: no user namespace (as root it would
# map only uid 0), and of root's capabilities only the two that the drop needs and then loses.
SWITCHING = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
             "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]


@dataclass(frozen=True)
class RunResult:
    status: str  # "ok", "timeout" or "crashed"
    detail: str


KERNEL_DIED = RunResult("crashed", "the notebook's kernel died (os._exit, a crash or a kill); "
                                  "checks after that point did not run")


def timed_out(limits: Limits) -> RunResult:
    return RunResult("timeout", f"the notebook ran longer than {limits.wall_s} s and was stopped")


@lru_cache(maxsize=1)
def bwrap_version() -> str:
    """"bubblewrap 0.8.0" where bwrap is installed and can build a sandbox here, else ""."""
    exe = shutil.which("bwrap")
    if exe is None:
        return ""
    probe = subprocess.run([exe, "--ro-bind", "/", "/", "--unshare-all", "true"],
                           capture_output=True, timeout=30)
    if probe.returncode != 0:
        return ""
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    return version.stdout.strip() or "bubblewrap"


def bwrap_available() -> bool:
    return bool(bwrap_version())


@lru_cache(maxsize=1)
def bwrap_switches_uid() -> bool:
    """Whether bwrap can run here without a user namespace (root with CAP_SYS_ADMIN, not a
    locked-down container), as the runner's switch to the run's own uid needs."""
    if not bwrap_available():
        return False
    probe = subprocess.run(["bwrap", "--ro-bind", "/", "/", *SWITCHING, "true"], capture_output=True, timeout=30)
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


def _bwrap_command(workdir: Path, limits: Limits, uid) -> list[str]:
    isolation = ["--unshare-all", "--cap-drop", "ALL"] if uid is None else SWITCHING
    cmd = ["bwrap", "--die-with-parent", "--new-session", *isolation, "--proc", "/proc", "--dev", "/dev"]
    # bwrap makes folders as the uid it runs as: as root, open them to the run's uid (it alone
    # lives in this sandbox).
    open_to_run = [] if uid is None else ["--perms", "1777"]
    cmd += open_to_run + ["--size", str(limits.tmp_bytes), "--tmpfs", "/tmp"]
    for link in ("bin", "lib", "lib64", "sbin"):
        if os.path.islink(f"/{link}"):
            cmd += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
    readonly = _readonly_paths()
    if uid is not None:  # as root, bwrap makes the folders above a bind 0700: open them
        for folder in sorted({str(p) for path in readonly for p in Path(path).parents} - {"/"}):
            cmd += ["--perms", "0755", "--dir", folder]
    for path in readonly:
        cmd += ["--ro-bind", path, path]
    # The run's folder is read-only; only the two result files are writable (and cannot be
    # swapped for a link or a FIFO). Scratch space is the size-capped /tmp.
    cmd += ["--ro-bind", str(workdir), MOUNT]
    for name in OUTPUTS:
        cmd += ["--bind", str(workdir / name), f"{MOUNT}/{name}"]
    return cmd + open_to_run + ["--dir", SCRATCH, "--chdir", SCRATCH]


def environment(home: str, scratch: str, limits: Limits) -> dict:
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


def set_rlimits(limits: Limits, nproc: int) -> None:
    """This process's rlimits for a run (its children inherit them)."""
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    cpu = limits.wall_s * max(limits.threads, 1) + 60
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))


def _set_limits(limits: Limits, group, nproc: int, uid):
    """What the child does before exec: join the group, set the rlimits, become `uid` (if given)."""
    def apply():
        group.enter()
        set_rlimits(limits, nproc)
        if uid is not None:
            accounts.become(uid)

    return apply


def blocked_for(uid: int, workdir: Path) -> list:
    """What `uid` cannot reach of what a run without bwrap needs: its folder, Python, the kit."""
    needed = [workdir / "notebook.ipynb", Path(sys.executable), Path(_package_parent()), paths.DATA / "x"]
    return [str(p) for p in needed if not accounts.reachable_by(uid, p)]


def _plan(workdir: Path, limits: Limits, uid):
    """(bwrap prefix or [], the folder the run sees as home, scratch, the uid the runner drops to).

    Without bwrap the child itself must reach the run's files and Python as `uid`; where it
    cannot (a root-only folder above them), it keeps the grader's uid and says so.
    """
    if limits.sandbox and bwrap_available():
        uid = uid if bwrap_switches_uid() else None
        return _bwrap_command(workdir, limits, uid), MOUNT, SCRATCH, uid
    if limits.sandbox:
        warnings.warn("bubblewrap (bwrap) not found: notebooks run without a filesystem sandbox; "
                      "install it with `apt-get install bubblewrap`", RuntimeWarning, stacklevel=3)
    blocked = blocked_for(uid, workdir) if uid is not None else []
    if blocked:
        warnings.warn(f"an unprivileged uid cannot reach {blocked[0]} (a folder above it is private): "
                      "learner code runs as the grader's uid", RuntimeWarning, stacklevel=3)
        uid = None
    return [], str(workdir), str(workdir), uid


def run_notebook(workdir: Path, limits: Limits = Limits()) -> RunResult:
    """Execute workdir/notebook.ipynb into workdir/executed.ipynb; records go to workdir/records.jsonl."""
    return SandboxRun(workdir, limits).finish()


class SandboxRun:
    """One sandboxed runner, started at once; `finish()` waits for it and says how it ended.

    With `ahead`, the runner starts its kernel and then waits for a go (prestart.py), so that
    the notebook can be put into `workdir` after the start: the wall limit counts from the go.
    `preload`: the imports its kernel makes as it boots (kernel_preload.py). `zygote`
    (zygote.Zygote): where bwrap can switch to the run's uid, fork the runner from it into the
    sandbox instead of starting a new Python there.
    """

    def __init__(self, workdir: Path, limits: Limits, ahead: bool = False, preload=(), zygote=None):
        self.workdir, self.limits, self.ahead, self.preload = Path(workdir).resolve(), limits, ahead, preload
        self.zygote, self.deadline = zygote, None
        for name in OUTPUTS:
            (self.workdir / name).touch()
        with ExitStack() as undo:  # the account and the group live as long as the run
            uid = undo.enter_context(accounts.run_account(limits))
            if uid is not None:  # the run's uid owns its folder and its two result files
                for path in (self.workdir, *(self.workdir / name for name in OUTPUTS)):
                    os.chown(path, uid, uid)
            self.process, group = self._start(uid)
            undo.callback(group.close)
            self._release = undo.pop_all().close

    def _start(self, uid):
        prefix, home, scratch, uid = _plan(self.workdir, self.limits, uid)
        arguments = [f"{home}/notebook.ipynb", f"{home}/executed.ipynb", "--cell-timeout", str(self.limits.cell_s)]
        arguments += ["--wait"] if self.ahead else []
        arguments += ["--preload", json.dumps(self.preload)] if self.preload else []
        # Inside bwrap the runner drops to the uid itself (bwrap must start as root to set up the
        # mounts); without bwrap the child drops before exec.
        runner_uid = uid if prefix else None
        if runner_uid is not None:
            arguments += ["--uid", str(runner_uid)]
        group = cgroups.open_group(self.limits.processes, self.limits.group_memory_bytes, self.limits.cgroups)
        nproc, env = accounts.nproc_cap(uid, self.limits), environment(home, scratch, self.limits)
        preexec = _set_limits(self.limits, group, nproc, None if prefix else uid)
        try:
            if self.zygote is not None and runner_uid is not None:
                process = self.zygote.spawn(prefix, arguments, self.preload, self.workdir, env, nproc,
                                            self.limits, group, preexec)
                if process is not None:
                    return process, group
            command = [*prefix, sys.executable, "-m", "vlmkit.grading.sandbox.runner", *arguments]
            process = subprocess.Popen(command, cwd=self.workdir, env=env,
                                       stdin=subprocess.PIPE if self.ahead else subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       preexec_fn=preexec, start_new_session=True)
        except BaseException:
            group.close()
            raise
        return process, group

    def let_go(self) -> None:
        """Started ahead: its notebook is in place, the runner may read it. The wall limit counts
        from here."""
        self.deadline = time.monotonic() + self.limits.wall_s
        if self.ahead:
            try:
                self.process.stdin.write(b"go\n")
                self.process.stdin.close()
            except OSError:  # the runner is gone already: its exit status tells why
                pass

    def finish(self) -> RunResult:
        """Let the runner go, where `let_go` has not, and wait for its end."""
        try:
            if self.deadline is None:
                self.let_go()
            try:
                self.process.wait(timeout=max(0.0, self.deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stop()
                return timed_out(self.limits)
        finally:
            self._release()
        return _result(self.process.returncode)

    def stop(self) -> None:
        """Kill the runner and everything in its session (the account's release kills the rest)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def abandon(self) -> None:
        """Never let it go: kill it and give its account and group back."""
        try:
            self.stop()
        finally:
            self._release()


def _result(returncode: int) -> RunResult:
    if returncode == 0:
        return RunResult("ok", "")
    # Fixed wording on purpose: the runner's stderr is shared with the learner's kernel, so any
    # text read from it could be the learner's own.
    if returncode == 3:
        return KERNEL_DIED
    return RunResult("crashed", f"the notebook runner stopped (exit status {returncode}); "
                                "checks that had not run by then failed")
