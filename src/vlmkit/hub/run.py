"""Start JupyterHub on a prepared hub folder, with its proxy found where `make install` put it.

    argv, env = hub_command(layout)     # what `vlmkit hub` runs (it replaces itself with it)
    process = start_hub(layout, log)    # in the background, once its API answers; stop_hub(process)
"""

import os
import random
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from vlmkit.errors import KitError
from vlmkit.grading.nbgrader_io.jupyter_env import KIT_BIN
from vlmkit.hub.hub_config import SYSTEM_PATH
from vlmkit.hub.layout import HubLayout

# `make install` runs `npm install --prefix $(VENV)/hub-proxy configurable-http-proxy`
PROXY_BIN = KIT_BIN.parent / "hub-proxy" / "node_modules" / ".bin"


def proxy_folder() -> Path:
    """The folder of `configurable-http-proxy`: the kit's own, else one on PATH."""
    if (PROXY_BIN / "configurable-http-proxy").exists():
        return PROXY_BIN
    found = shutil.which("configurable-http-proxy")
    if not found:
        raise KitError("configurable-http-proxy (JupyterHub's proxy, from npm) is missing: run `make install`")
    return Path(found).parent


def hub_command(layout: HubLayout) -> tuple[list[str], dict]:
    """(argv, env) of JupyterHub for the folder; run it with cwd=layout.state."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(proxy_folder()), str(KIT_BIN), env.get("PATH") or SYSTEM_PATH])
    return [str(KIT_BIN / "jupyterhub"), "-f", str(layout.hub_config)], env


def start_hub(layout: HubLayout, log_path: Path, timeout_s: float = 120) -> subprocess.Popen:
    """Start JupyterHub in the background (its own process group) and wait until its API answers;
    for tests, benchmarks and scripts (`vlmkit hub` runs it in the foreground instead)."""
    argv, env = hub_command(layout)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(argv, env=env, cwd=layout.state, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout_s
    url = f"http://127.0.0.1:{layout.settings.port}/hub/api/"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise KitError(f"JupyterHub stopped at start (exit status {process.returncode}); see {log_path}")
        try:  # the proxy answers 404 for the hub's paths until the hub has registered itself
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return process
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    stop_hub(process)
    raise KitError(f"JupyterHub did not answer within {timeout_s:.0f} s; see {log_path}")


def stop_hub(process: subprocess.Popen, timeout_s: float = 60) -> None:
    """SIGTERM (JupyterHub stops the servers it spawned and its proxy), then SIGKILL what is left."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the proxy and services share its process group
    except ProcessLookupError:
        pass
    process.wait()


def free_ports(count: int = 4, start: int = 20000, stop: int = 60000) -> int:
    """A first port P such that P .. P+count-1 are free on 127.0.0.1 (a hub uses four)."""
    for base in random.Random(os.getpid()).sample(range(start, stop - count), 200):
        sockets = []
        try:
            for port in range(base, base + count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise KitError("no block of free ports found on 127.0.0.1")
