"""Asking a running Jupyter server things, as JupyterLab's front end does: its REST API and a terminal.

    with jupyter_server(argv, env, cwd, port, TOKEN, log) as base:   # tests/browser/servers.py
        status, body = request(base, TOKEN, "/api/contents")
        printed = asyncio.run(run_in_terminal(base, TOKEN, "command -v vlmkit"))
"""

import asyncio
import json
import urllib.error
import urllib.request

from tornado.websocket import websocket_connect

# As a learner's login shell has it: Debian's /etc/profile resets PATH to the system's.
SYSTEM_PATH = "/usr/bin:/bin"


def request(base: str, token: str, path: str, method: str = "GET") -> tuple[int, str]:
    """(HTTP status, body) of a request to the server at `base`."""
    req = urllib.request.Request(f"{base}{path}", method=method, data=b"{}" if method == "POST" else None,
                                 headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(req, timeout=10) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, ""


async def run_in_terminal(base: str, token: str, command: str) -> str:
    """What a new JupyterLab terminal prints for `command`."""
    name = json.loads(request(base, token, "/api/terminals", "POST")[1])["name"]
    socket_url = base.replace("http://", "ws://", 1) + f"/terminals/websocket/{name}?token={token}"
    ws = await websocket_connect(socket_url)
    await ws.write_message(json.dumps(["stdin", f"{command}; echo END-$((6*7))\r"]))
    out = ""
    while "END-42" not in out:  # the echo's expansion, not the typed command's echo
        kind, *data = json.loads(await asyncio.wait_for(ws.read_message(), 20))
        out += data[0] if kind == "stdout" else ""
    ws.close()
    return out
