"""A member's session on a course hub over HTTP, as their browser would have it: log in, start
the server, and use nbgrader's Assignment List handlers (fetch, submit, fetch feedback).

    member = HubMember("http://127.0.0.1:8000", "alice", password)
    member.login(); member.start_server()
    member.assignment_action("fetch", "checkpoint"); member.assignment_action("submit", "checkpoint")

For tests, `benchmarks/bench_hub.py` and scripted checks of a live course; a person uses the
browser. Every call raises KitError with the hub's answer when it fails.
"""

import time

import requests

from vlmkit.errors import KitError


class HubMember:
    def __init__(self, base_url: str, name: str, password: str, course_id: str = "vlm-checkpoint"):
        self.base, self.name, self.password, self.course_id = base_url.rstrip("/"), name, password, course_id
        self.session = requests.Session()
        self.token = None

    def login(self) -> None:
        """The hub's login form (PAM checks the password), then an API token for this member."""
        self.session.get(f"{self.base}/hub/login", timeout=60)
        response = self.session.post(f"{self.base}/hub/login", allow_redirects=False, timeout=60, data={
            "username": self.name, "password": self.password, "_xsrf": self._xsrf()})
        if response.status_code != 302:
            raise KitError(f"{self.name} could not log in (HTTP {response.status_code})")
        self.session.get(f"{self.base}/hub/home", timeout=60)  # the session's own XSRF cookie
        tokens = self._hub("post", f"users/{self.name}/tokens", json={"note": "vlmkit client"})
        self.token = tokens.json()["token"]

    def _xsrf(self) -> str:
        return [c.value for c in self.session.cookies if c.name == "_xsrf"][-1]

    def _hub(self, method: str, path: str, ok=(200, 201, 202, 204), **kwargs):
        response = self.session.request(method, f"{self.base}/hub/api/{path}", timeout=60,
                                        headers={"X-XSRFToken": self._xsrf()}, **kwargs)
        if response.status_code not in ok:
            raise KitError(f"hub API {method.upper()} {path}: HTTP {response.status_code} {response.text[:200]}")
        return response

    def start_server(self, timeout_s: float = 300) -> float:
        """Ask the hub to spawn this member's JupyterLab; seconds until it is ready."""
        start = time.monotonic()
        self._hub("post", f"users/{self.name}/server", ok=(201, 202, 400))  # 400: already running
        while time.monotonic() - start < timeout_s:
            server = self._hub("get", f"users/{self.name}").json().get("servers", {}).get("", {})
            if server.get("ready"):
                return time.monotonic() - start
            time.sleep(0.25)
        raise KitError(f"{self.name}'s server was not ready after {timeout_s:.0f} s")

    def stop_server(self) -> None:
        self._hub("delete", f"users/{self.name}/server", ok=(202, 204))

    def server(self, method: str, path: str, **kwargs) -> requests.Response:
        """A request to this member's own server (through the hub's proxy) with their token."""
        return requests.request(method, f"{self.base}/user/{self.name}/{path}", timeout=120,
                                headers={"Authorization": f"token {self.token}"}, **kwargs)

    def assignment_action(self, action: str, assignment: str) -> dict:
        """nbgrader's Assignment List: action is fetch, submit or fetch_feedback; its JSON answer."""
        response = self.server("post", f"assignments/{action}",
                               data={"course_id": self.course_id, "assignment_id": assignment})
        answer = response.json() if response.ok else {
            "success": False, "value": f"HTTP {response.status_code} {response.reason}"}
        if not answer.get("success"):
            last = str(answer.get("value", "")).strip().splitlines()[-1:] or ["no answer"]
            raise KitError(f"{self.name}: {action} {assignment} failed: {last[0]}")
        return answer

    def put_notebook(self, path: str, notebook: dict) -> None:
        """Save a notebook into the member's home, as JupyterLab's save does."""
        response = self.server("put", f"api/contents/{path}", json={"type": "notebook", "content": notebook})
        if response.status_code not in (200, 201):
            raise KitError(f"{self.name}: saving {path} failed: HTTP {response.status_code}")
