"""A kernel forked from the runner instead of started as a new Python: the zygote's runner uses it.

    install()    # in a runner forked from the zygote (zygote.py), before runner.start_kernel

jupyter_client starts a kernel by running `python -m ipykernel_launcher -f CONNECTION ...`; that
new interpreter imports torch and the notebook's libraries again, seconds of every run. A runner
forked from the zygote has imported them already, so `install` makes jupyter_client's local
provisioner fork the runner instead: the child becomes exactly the kernel that command would
start (the same IPKernelApp, arguments, environment, folder and process group), with nothing of the
runner's running state. Any other kernel command is started as jupyter_client starts it.

The child starts where a new interpreter would: a session of its own, no file of the runner's,
no running event loop, the environment, sys.argv and sys.path as `-m ipykernel_launcher` has
them, fresh NumPy and Python random states, and readable /proc files of its own (the runner
became its uid by setuid, which makes a process undumpable; an exec'd kernel is not).
"""

import asyncio
import ctypes
import gc
import os
import signal
import sys

LAUNCHER = ["-m", "ipykernel_launcher"]
PR_SET_DUMPABLE = 4


class ForkedProcess:
    """The forked kernel, with the part of subprocess.Popen's interface the provisioner uses."""

    def __init__(self, pid: int):
        self.pid, self.returncode = pid, None
        self.stdin = self.stdout = self.stderr = None

    def poll(self):
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout=None):  # the provisioner polls first: the kernel is gone when it waits
        if self.returncode is None:
            self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def launch(cmd, env=None, cwd=None, **popen_arguments):
    """jupyter_client.launcher.launch_kernel's signature: fork for ipykernel_launcher, else start."""
    if cmd[1:3] != LAUNCHER:
        from jupyter_client.launcher import launch_kernel

        return launch_kernel(cmd, env=env, cwd=cwd, **popen_arguments)
    env = {**(os.environ if env is None else env), "JPY_PARENT_PID": str(os.getpid())}  # as launch_kernel
    in_session, said = os.pipe()
    pid = os.fork()
    if pid:
        os.close(said)
        os.read(in_session, 1)  # the provisioner reads the kernel's process group at once: its own
        os.close(in_session)
        return ForkedProcess(pid)
    code = 1
    try:
        os.setsid()  # launch_kernel starts a new session: interrupts go to the kernel's group
        os.write(said, b"s")
        _become_a_new_kernel(cmd, env, cwd)
        from ipykernel.kernelapp import launch_new_instance

        launch_new_instance(argv=cmd[3:])
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 0
    finally:
        os._exit(code)


def _become_a_new_kernel(cmd, env, cwd) -> None:
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    gc.collect()  # what the runner no longer holds closes its files now, not later on reused numbers
    gc.freeze()  # and what it holds stays out of the kernel's collections, as the zygote's objects do
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # a started kernel's stdin is a pipe nobody writes to: nothing to read here too
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # as Popen's close_fds: nothing of the runner's
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd or os.getcwd())
    asyncio.events._set_running_loop(None)  # the runner's loop is running in this very call
    asyncio.set_event_loop(asyncio.new_event_loop())
    import ipykernel_launcher

    sys.argv = [ipykernel_launcher.__file__, *cmd[3:]]
    del sys.path[0]  # what `-m` put first (the zygote's ""), which ipykernel_launcher removes
    if "numpy" in sys.modules:  # seeded from the OS when imported: every fork would share it
        sys.modules["numpy"].random.seed()


def install() -> None:
    """Make jupyter_client's local provisioner start kernels with `launch`."""
    from jupyter_client.provisioning import local_provisioner

    local_provisioner.launch_kernel = launch
