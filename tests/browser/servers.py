"""Starting and stopping a Jupyter server for the browser tests, on 127.0.0.1 with a token.

    with jupyter_server(argv, env, cwd, port) as base_url: ...

The server runs in its own process group, so stopping it also stops its kernels (a launcher's
`$!` can be a parent that exits early; the group holds them all).
"""

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

START_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def jupyter_server(argv: list, env: dict, cwd: Path, port: int, token: str, log: Path,
                   stop=signal.SIGTERM):
    """Run `argv` (a Jupyter server on `port`) until the block ends; yields its base URL.

    `stop` is the signal that ends it: SIGINT is what a terminal's Ctrl-C sends to the group."""
    with open(log, "w") as log_file:
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=log_file, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            _wait_until_up(f"http://127.0.0.1:{port}", token, process, log)
            yield f"http://127.0.0.1:{port}"
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, stop)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wait_until_up(base_url: str, token: str, process, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Jupyter server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/api/status?token={token}", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the Jupyter server did not answer within {START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")
