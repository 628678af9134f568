"""A process that has imported the notebooks' libraries once and forks each sandboxed runner from them.

    zygote = Zygote(limits)                  # starts `python -m vlmkit.grading.sandbox.zygote`
    process = zygote.spawn(bwrap_prefix, runner_arguments, preload, workdir, env, nproc, limits, group, preexec)
    zygote.close()

Why: a sandbox's runner and kernel are new Pythons that import torch and the notebook's libraries
again, about 2 s of CPU per notebook; on two cores that boot lands on the notebook beside it. A
fork of a process that has imported them costs tens of milliseconds.

How a run is made, with the sandbox as it is (run.py's bwrap command, mounts and all):
  1. the grader starts bwrap with the run's mounts and namespaces around a placeholder (`sleep`), as
     root with the run's rlimits and group, exactly as it would around the runner;
  2. the zygote forks; the child enters the run's group, then every namespace of that sandbox
     (mount last: from then on it sees only the sandbox's files) and forks the runner, which is
     thereby inside the sandbox's pid namespace and dies with it;
  3. before anything of the learner's exists, the runner starts a session, keeps only the go pipe
     and /dev/null as its files, takes the run's rlimits, an empty capability bounding set and
     no_new_privs, and `runner.main` becomes the run's uid; its kernel is a fork of it
     (forked_kernel.py). Its exit status goes back to the grader on a pipe of its own.

Trust: the zygote is root and outside any sandbox, so it never runs learner code and never reads a
notebook (the runner reads its notebook after the go, as the uid). It only imports libraries and
the kit, so a fork carries nothing of another run or of the grader: not the hidden checks, not the
gradebook. Requests come from the grader alone, over a private socket pair. What forks share is
the libraries' memory layout (as Android's zygote does); each run still has its own folder, uid,
group and pid namespace. tests/grading/sandbox/test_zygote.py proves a forked run sees what an
exec'd one sees, and the attack battery (tests/integration/test_attacks.py) grades through it.
"""

import ctypes
import gc
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from vlmkit.grading.sandbox.cgroups import Group
from vlmkit.grading.sandbox.limits import Limits
from vlmkit.grading.sandbox.run import SCRATCH, environment, set_rlimits

NAMESPACES = ("cgroup", "ipc", "uts", "net", "pid", "mnt")  # mount last: it hides /proc/<holder>
PLACEHOLDER = ["/bin/sh", "-c", "echo; exec sleep infinity"]  # says when bwrap has built the sandbox
RUNNER_IMPORTS = ("vlmkit.grading.sandbox.runner", "vlmkit.grading.sandbox.capped_client",
                  "vlmkit.grading.sandbox.timings", "ipykernel_launcher", "ipykernel.kernelapp",
                  "ipykernel.ipkernel", "matplotlib_inline.backend_inline")
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
SANDBOX_BUILT_S = 30  # bwrap builds one in milliseconds; past this it is stuck, and runs go without
SETUP_FAILED = 125  # the forked runner's status where this host refused a step before runner.main
_libc = ctypes.CDLL(None, use_errno=True)


class ZygoteProcess:
    """A runner the zygote forked into a sandbox: the part of subprocess.Popen SandboxRun uses.
    `pid` is the sandbox's (killing its session ends the pid namespace and all in it)."""

    def __init__(self, holder: subprocess.Popen, go, status: int):
        self.holder, self.pid, self.stdin, self.status, self.returncode = holder, holder.pid, go, status, None
        self.lost = False  # no status came: the zygote or this host failed it, not the learner's code

    def poll(self):
        if self.returncode is None and select.select([self.status], [], [], 0)[0]:
            self.wait()
        return self.returncode

    def wait(self, timeout=None):
        if self.returncode is None:
            if not select.select([self.status], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired("zygote runner", timeout)
            text = os.read(self.status, 32).decode()
            os.close(self.status)
            self.lost = not text.lstrip("-").isdigit()
            self.returncode = 1 if self.lost else int(text)
            try:  # the placeholder and whatever the notebook left in the sandbox
                os.killpg(self.holder.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.holder.wait()
            self.holder.stdout.close()
        return self.returncode


class Zygote:
    """The grader's side: one zygote per batch, started at once; it imports what the runner needs,
    then each run's libraries as its request comes (kernel_preload.py's entries)."""

    def __init__(self, limits: Limits):
        self.folder = tempfile.mkdtemp(prefix="vlmkit-zygote-")  # its own HOME, matplotlib cache
        self.socket, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(theirs.fileno())],
                cwd=self.folder, env=environment(SCRATCH, self.folder, limits), pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def spawn(self, prefix, arguments, preload, workdir, env, nproc, limits, group, preexec):
        """The runner `arguments` in the sandbox that `prefix` (run.py's bwrap command) builds, its
        `preload` imported by the zygote first, or None where the sandbox or the zygote failed (the
        caller then starts the runner itself)."""
        info_read, info_write = os.pipe()
        holder = subprocess.Popen([prefix[0], "--info-fd", str(info_write), *prefix[1:], *PLACEHOLDER],
                                  cwd=workdir, env=env, pass_fds=(info_write,), preexec_fn=preexec,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        os.close(info_write)
        with os.fdopen(info_read, "rb") as info:
            holder_pid = _child_pid(info)
        go_read, go_write = os.pipe()
        status_read, status_write = os.pipe()
        request = {"holder": holder_pid, "groups": [str(f) for f in group.folders], "limits": asdict(limits),
                   "nproc": nproc, "env": env, "cwd": SCRATCH, "arguments": [*arguments, "--fork-kernel"],
                   "preload": [entry for entry in preload if safe_to_import(entry)]}
        try:
            built = select.select([holder.stdout], [], [], SANDBOX_BUILT_S)[0] and holder.stdout.readline()
            if holder_pid is None or built != b"\n":
                raise OSError("bwrap did not build the sandbox")
            socket.send_fds(self.socket, [json.dumps(request).encode()], [go_read, status_write])
        except OSError:
            for fd in (go_write, status_read):
                os.close(fd)
            holder.kill()
            holder.wait()
            holder.stdout.close()
            return None
        finally:
            for fd in (go_read, status_write):
                os.close(fd)
        return ZygoteProcess(holder, os.fdopen(go_write, "wb"), status_read)

    def close(self) -> None:
        self.socket.close()
        self.process.kill()  # it holds nothing to save, and may be in the middle of an import
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def safe_to_import(entry) -> bool:
    """Whether the zygote, which is root, may import this preload entry: public modules and names
    only. Entries come from notebooks (a learner's, for selfcheck), and a module such as a
    package's `__main__` runs a program when imported."""
    module, names = entry
    return all(part.isidentifier() and not part.startswith("_") for part in [*module.split("."), *names])


def _child_pid(info):
    """bwrap's --info-fd JSON: the sandbox's first process, as this pid namespace numbers it."""
    try:
        return int(json.loads(info.read())["child-pid"])
    except (ValueError, KeyError, TypeError):
        return None


# The zygote's side: `python -m vlmkit.grading.sandbox.zygote FD`.

def _serve(fd: int) -> None:
    import importlib

    from vlmkit.grading.sandbox.kernel_preload import preload

    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # a grader killed outright takes it along
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # its children report to the grader, not to it
    channel = socket.socket(fileno=fd)
    for module in RUNNER_IMPORTS:
        importlib.import_module(module)
    while True:
        message, fds, _, _ = socket.recv_fds(channel, 1 << 20, 2)
        if not message:
            return
        request = json.loads(message)
        # Imported here once, for this and every later run: the first run waits for its own
        # libraries only, and the next ones' while the runs before them execute.
        preload([(module, tuple(names)) for module, names in request["preload"]])
        # Out of the collector's reach: a child's collections would otherwise walk, and so copy,
        # every page of the libraries' objects (hundreds of MB, tenths of a second per notebook).
        gc.freeze()
        if os.fork() == 0:
            channel.close()
            _enter(request, *fds)
        for received in fds:
            os.close(received)


def _enter(request: dict, go: int, status: int) -> None:
    """In the zygote's child, as root: join the run's group and sandbox, fork the runner into it,
    report its exit status; none where a step failed before the runner's own code. Never returns."""
    code = None
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        Group([Path(folder) for folder in request["groups"]]).enter()
        joined = [os.open(f"/proc/{request['holder']}/ns/{ns}", os.O_RDONLY) for ns in NAMESPACES
                  if os.stat(f"/proc/{request['holder']}/ns/{ns}").st_ino != os.stat(f"/proc/self/ns/{ns}").st_ino]
        for namespace in joined:
            if _libc.setns(namespace, 0) != 0:
                raise OSError(ctypes.get_errno(), "setns")
            os.close(namespace)
        pid = os.fork()
        if pid == 0:
            _runner(request, go)
        os.close(go)
        code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    finally:
        if code not in (None, SETUP_FAILED):
            os.write(status, str(code).encode())
        os._exit(0)


def _runner(request: dict, go: int) -> None:
    """Inside the sandbox: become what bwrap would have started, then run the runner. Never returns."""
    import time

    started, code = time.time(), SETUP_FAILED
    try:
        os.setsid()
        os.dup2(go, 0)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))
        set_rlimits(Limits(**request["limits"]), request["nproc"])
        for capability in range(64):  # none can come back: bwrap's runner keeps more, unused
            _libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
        _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"], PWD=request["cwd"])  # bwrap's --chdir sets PWD
        from vlmkit.grading.sandbox import runner

        sys.argv = [runner.__file__, *request["arguments"]]
        code = 1  # from here on, a failure is the runner's, as in a runner started as a new Python
        code = runner.main(request["arguments"], started=started)
    finally:
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
