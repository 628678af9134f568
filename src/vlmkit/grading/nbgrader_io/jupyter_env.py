"""The kit's Jupyter settings: which nbgrader pages a server shows, and the PATH of its terminals.

    start_lab("notebooks")                              # what `vlmkit lab` runs
    with jupyter_config(hidden=EXCHANGE_PAGES) as env:  # a server of your own, formgrader kept
        subprocess.run([...], env=env)

nbgrader's Assignment List and Course List work through an exchange folder (a shared
/srv/nbgrader/exchange), which plain `vlmkit lab` has not: without it they greet the learner
with "Error fetching courses!" (a course hub, vlmkit.hub, has one and keeps them).
`jupyter_config` writes a Jupyter config folder, for as long as the server runs, that turns
those pages off (the lab plugin in `labconfig/page_config.json`, the server extension in
`jupyter_server_config.json`), as well as JupyterLab's news prompt, and returns the environment
that points a server at it (JUPYTER_CONFIG_PATH: the user's own ~/.jupyter settings still
apply).

JupyterLab terminals start a login shell by default, and Debian's /etc/profile resets PATH, so
the `vlmkit` command of the kit's environment would not be found there: the config starts bash
as a plain interactive shell whose start-up file reads the user's ~/.bashrc (which may put
pyenv or conda first) and then puts the kit's bin folder first, as an activated venv would.
The instructor's view reuses it with `hidden=EXCHANGE_PAGES` (formgrader stays, and with it the
kit's changes to formgrader's pages: vlmkit.grading.nbgrader_io.formgrader_pages). The server
itself runs in the folder it serves (jupyter_process.serve), so the terminals open where the file
browser is rooted and the paths it shows work in them (`vlmkit selfcheck checkpoint/q5_....ipynb`).
"""

import contextlib
import json
import os
import shlex
import sys
import tempfile
from pathlib import Path

from vlmkit import paths
from vlmkit.errors import KitError
from vlmkit.grading.nbgrader_io.jupyter_process import serve

# nbgrader's pages by name; each is a lab plugin "@jupyter/nbgrader:<name>" and, for some, a server
# extension "nbgrader.server_extensions.<name with underscores>".
EXCHANGE_PAGES = ("assignment-list", "course-list")
LEARNER_HIDDEN = EXCHANGE_PAGES + ("formgrader", "create-assignment", "menu")  # instructors' tools
SERVER_EXTENSIONS = {"assignment-list", "course-list", "formgrader", "validate-assignment"}
# The kit's server extension that goes with formgrader wherever formgrader is shown (a name, not
# an import: it imports nbgrader's server side, which a learner's lab does not load).
FORMGRADER_PAGES = "vlmkit.grading.nbgrader_io.formgrader_pages"
# JupyterLab's "get notified about Jupyter news?" prompt: it would fetch from jupyter.org, and the
# course's machines may be offline.
NEWS_PLUGIN = "@jupyterlab/apputils-extension:announcements"
KIT_BIN = Path(sys.executable).parent  # where this environment's `vlmkit` and `python` are


def config_files(hidden, folder: Path) -> dict[str, str]:
    """The files of the Jupyter config folder `folder` (relative path → content)."""
    unknown = set(hidden) - set(LEARNER_HIDDEN)
    if unknown:
        raise ValueError(f"unknown nbgrader pages {sorted(unknown)}; known: {LEARNER_HIDDEN}")
    server_extensions = {f"nbgrader.server_extensions.{page.replace('-', '_')}": False
                         for page in hidden if page in SERVER_EXTENSIONS}
    if "formgrader" not in hidden:
        server_extensions[FORMGRADER_PAGES] = True
    return {
        "labconfig/page_config.json": json.dumps({"disabledExtensions": {
            NEWS_PLUGIN: True, **{f"@jupyter/nbgrader:{page}": True for page in hidden}}}, indent=1),
        "jupyter_server_config.json": json.dumps({"ServerApp": {
            "jpserver_extensions": server_extensions,
            # a shell command of our own: jupyter_server then adds no "-l" (login) to it
            "terminado_settings": {"shell_command": ["bash", "--rcfile", str(folder / "bashrc")]}}},
            indent=1),
        "bashrc": f'[ -f ~/.bashrc ] && . ~/.bashrc\nexport PATH={shlex.quote(str(KIT_BIN))}:"$PATH"\n',
    }


def write_config_folder(hidden, folder: Path) -> list[Path]:
    """Write config_files(hidden, folder) into `folder`; returns the files written."""
    written = []
    for relative, content in config_files(hidden, folder).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        written.append(path)
    return written


def server_env(config_folder: Path) -> dict[str, str]:
    """This process's environment for a Jupyter server using `config_folder`: the kit's bin
    folder first on PATH, the kit's home set for kernels and terminals."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(KIT_BIN), env.get("PATH", "")])
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(filter(None, [str(config_folder),
                                                               env.get("JUPYTER_CONFIG_PATH")]))
    env["VLMKIT_HOME"] = str(paths.ROOT)
    return env


@contextlib.contextmanager
def jupyter_config(hidden=LEARNER_HIDDEN):
    """Write the config folder; yield the environment for a server that uses it; remove it after."""
    with tempfile.TemporaryDirectory(prefix="vlmkit-jupyter-") as name:
        folder = Path(name)
        write_config_folder(hidden, folder)
        yield server_env(folder)


def jupyter_argv(module: str, root_dir: Path, port: int) -> list[str]:
    """A Jupyter server (`module`: jupyterlab, jupyter_server) on `root_dir` with this Python."""
    argv = [sys.executable, "-m", module, f"--ServerApp.root_dir={root_dir}", f"--port={port}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # Jupyter refuses root unless told
        argv.append("--allow-root")
    return argv


def lab_argv(folder: Path, port: int = 8888, open_browser: bool = True) -> list[str]:
    """The command that starts JupyterLab on `folder` with this environment's Python."""
    return jupyter_argv("jupyterlab", folder, port) + ([] if open_browser else ["--no-browser"])


def start_lab(folder: Path = None, port: int = 8888, open_browser: bool = True, hidden=LEARNER_HIDDEN) -> int:
    """Run JupyterLab on `folder` (default: the kit's notebooks) until it stops or is stopped
    (Ctrl-C, SIGTERM, SIGHUP: jupyter_process.serve); its exit status."""
    folder = Path(folder or paths.NOTEBOOKS).resolve()
    if not folder.is_dir():
        raise KitError(f"{folder} is not a folder; give the folder of your notebooks (e.g. notebooks)")
    with jupyter_config(hidden) as env:
        return serve(lab_argv(folder, port, open_browser), env, folder)
