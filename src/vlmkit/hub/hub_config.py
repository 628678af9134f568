"""JupyterHub's configuration for a course hub folder (`DIR/jupyterhub_config.py` calls it).

    configure(c, "/srv/vlmkit-hub")

- Who: PAM (the system accounts `vlmkit hub` made from the roster; initial passwords in
  state/initial-passwords.csv), only the roster's members allowed.
- Servers: `CourseSpawner` (a LocalProcessSpawner) starts the kit's JupyterLab as each
  member's own uid, from the kit's shared environment, with limits (see vlmkit.hub.spawner).
- Formgrader: a hub service named after the course, run by the grader account on course/ (the
  kit's grades folder), reachable by the group formgrade-<course> (the instructors), as in
  nbgrader's demo_one_class_multiple_graders.
- Idle servers: stopped after `idle_timeout_s` without activity by jupyterhub-idle-culler (a
  hub service); on a 2-core machine a class's forgotten servers otherwise hold its memory.
- Ports on 127.0.0.1 only: the hub's public port P, the proxy's API P+1, the hub itself P+2,
  the formgrader service P+3.
"""

import sys

from vlmkit import paths
from vlmkit.grading.nbgrader_io.formgrader import JUPYTER_DATA
from vlmkit.grading.nbgrader_io.jupyter_env import KIT_BIN
from vlmkit.hub.layout import HubLayout

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


def ports(port: int) -> dict:
    return {"public": port, "proxy_api": port + 1, "hub": port + 2, "service": port + 3}


def server_environment(layout: HubLayout, role: str) -> dict:
    """The environment of a Jupyter server for `role`: the kit first on PATH, its Jupyter pages."""
    return {"PATH": f"{KIT_BIN}:{SYSTEM_PATH}", "JUPYTER_CONFIG_PATH": layout.jupyter_config_path(role),
            "VLMKIT_HOME": str(paths.ROOT)}


def configure(c, root: str) -> None:
    layout = HubLayout.open(root)
    settings, port = layout.settings, ports(layout.settings.port)
    c.JupyterHub.ip = "127.0.0.1"
    c.JupyterHub.port = port["public"]
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = port["hub"]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port['proxy_api']}"
    c.ConfigurableHTTPProxy.pid_file = str(layout.state / "proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{layout.state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(layout.state / "jupyterhub_cookie_secret")
    c.JupyterHub.authenticator_class = "pam"
    c.PAMAuthenticator.open_sessions = False  # no login sessions to open for a web login
    c.Authenticator.allowed_users = {m["id"] for m in settings.members}
    c.JupyterHub.spawner_class = "vlmkit.hub.spawner.CourseSpawner"
    c.CourseSpawner.hub_root = str(layout.root)
    c.CourseSpawner.processes = settings.processes
    c.Spawner.mem_limit = settings.mem_limit
    c.Spawner.cmd = [str(KIT_BIN / "jupyterhub-singleuser")]
    c.Spawner.default_url = "/lab"
    c.Spawner.notebook_dir = "~"
    c.Spawner.start_timeout = 180  # 2 cores and a class logging in at once: starts queue up
    c.Spawner.http_timeout = 180
    course = settings.course_id
    c.JupyterHub.load_groups = {layout.instructors_group: {"users": layout.members("instructor")}}
    c.JupyterHub.load_roles = [
        {"name": layout.instructors_group, "groups": [layout.instructors_group],
         "scopes": [f"access:services!service={course}", "list:services", f"read:services!service={course}"]},
        # nbgrader's Course List asks the hub for services with the server's token
        {"name": "server", "scopes": ["inherit"]},
    ]
    c.JupyterHub.services = [{
        "name": course,
        "url": f"http://127.0.0.1:{port['service']}",
        "command": [str(KIT_BIN / "jupyterhub-singleuser"), f"--ServerApp.root_dir={layout.course}"],
        "user": layout.grader,
        "cwd": str(layout.course),
        "oauth_no_confirm": True,
        "environment": {**server_environment(layout, "grader"), "JUPYTER_PATH": str(JUPYTER_DATA),
                        "JUPYTERHUB_DEFAULT_URL": "/lab"},
    }]
    if settings.idle_timeout_s:  # the culler service, and the role that lets it stop servers
        c.JupyterHub.services.insert(0, {"name": "idle-culler", "command": [
            sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={settings.idle_timeout_s}"]})
        c.JupyterHub.load_roles.append({"name": "idle-culler", "services": ["idle-culler"], "scopes": [
            "list:users", "read:users:activity", "read:servers", "delete:servers"]})
