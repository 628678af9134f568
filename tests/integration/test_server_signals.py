"""`vlmkit formgrader` and `vlmkit lab` stop whole on SIGTERM and SIGHUP, as on Ctrl-C (SIGINT:
tests/browser/test_instructor_formgrader.py): the command exits, nothing serves the port any
more, no process the server started is left (a kernel included), and formgrader's refresh ran.
A `vlmkit lab` terminal opens in the folder the file browser shows.
About 10 s a case on a loaded 2-core machine.
Run: .venv/bin/python -m pytest -q tests/integration/test_server_signals.py
"""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser.servers import free_port
from lab_server import request, run_in_terminal

from vlmkit import paths
from vlmkit.grading.engine.fast_path import run_forked
from vlmkit.grading.nbgrader_io import jupyter_env
from vlmkit.grading.nbgrader_io.jupyter_process import descendants
from vlmkit.grading.workflows.autograde import autograde

pytestmark = pytest.mark.slow  # Jupyter servers started and signalled

BIN = Path(sys.executable).parent
TOKEN = "signal-test-token"
SIGNALS = [signal.SIGTERM, signal.SIGHUP]


@pytest.fixture(scope="module")
def grades(tmp_path_factory):
    out = tmp_path_factory.mktemp("grades")
    autograde(paths.EXAMPLES, out, "checkpoint", students=["blank"], execute=run_forked)
    return out


def _start(argv: list, cwd: Path, port: int, log: Path) -> subprocess.Popen:
    """The command, in a session of its own (a signal reaches it alone), once its port answers."""
    env = {**os.environ, "JUPYTER_TOKEN": TOKEN, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = time.monotonic() + 90
    while not _answers(port):
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.5)
    return process


def _answers(port: int) -> bool:
    try:
        return request(f"http://127.0.0.1:{port}", TOKEN, "/api/status")[0] == 200
    except OSError:  # refused: not listening yet
        return False


def _server_processes(command: subprocess.Popen, port: int) -> list[int]:
    """The Jupyter server serving `port` and every process below it."""
    servers = [pid for pid in descendants(command.pid) if f"--port={port}" in _cmdline(pid)]
    assert len(servers) == 1, servers
    return servers + descendants(servers[0])


def _cmdline(pid) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:  # a zombie has exited: only its parent has not collected it yet
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _stop_and_check(command: subprocess.Popen, sig: int, port: int, started: list, log: Path) -> None:
    command.send_signal(sig)
    assert command.wait(timeout=60) == 0, log.read_text()[-3000:]
    assert not [pid for pid in started if _alive(pid)], [_cmdline(p) for p in started if _alive(p)]
    assert not [pid for pid in map(int, filter(str.isdigit, os.listdir("/proc")))
                if f"--port={port}" in _cmdline(pid)]
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
        sock.connect(("127.0.0.1", port))


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_formgrader_stops_whole_and_refreshes_on(sig, grades, tmp_path):
    port, log = free_port(), tmp_path / "formgrader.log"
    os.utime(grades / "grades.csv", (0, 0))
    command = _start([str(BIN / "vlmkit"), "formgrader", str(grades), "--port", str(port), "--token", TOKEN],
                     tmp_path, port, log)
    _stop_and_check(command, sig, port, _server_processes(command, port), log)
    assert (grades / "grades.csv").stat().st_mtime > 0  # the refresh ran
    assert "manual grades written to" in log.read_text()


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_lab_stops_whole_with_its_kernel_on(sig, tmp_path):
    folder, port, log = tmp_path / "notebooks", free_port(), tmp_path / "lab.log"
    (folder / "checkpoint").mkdir(parents=True)
    command = _start([str(BIN / "vlmkit"), "lab", str(folder), "--port", str(port), "--no-browser"],
                     tmp_path, port, log)
    base = f"http://127.0.0.1:{port}"
    assert request(base, TOKEN, "/api/kernels", "POST")[0] == 201
    printed = asyncio.run(run_in_terminal(base, TOKEN, "pwd; ls"))
    assert f"{folder}\r\ncheckpoint\r\n" in printed  # the file browser's root, not the folder it started from
    kernels = json.loads(request(base, TOKEN, "/api/kernels")[1])
    started = _server_processes(command, port)
    assert len(started) >= 3, started  # the server, the kernel and the terminal's shell at least
    assert len(kernels) == 1
    _stop_and_check(command, sig, port, started, log)


def test_lab_serves_from_the_folder_it_opens_so_its_terminals_start_there(tmp_path, monkeypatch):
    served = []
    monkeypatch.setattr(jupyter_env, "serve", lambda argv, env, root_dir: served.append((argv, root_dir)) or 0)
    assert jupyter_env.start_lab(tmp_path, port=8123, open_browser=False) == 0
    (argv, root_dir), = served
    assert root_dir == tmp_path.resolve() and f"--ServerApp.root_dir={tmp_path.resolve()}" in argv
