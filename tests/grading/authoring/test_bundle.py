"""The learner bundle is a product of its own: unpacked, its README's two set-up commands work.

The test installs the bundle as the learner's Makefile does, into a venv of its own (the kit's
libraries reached through a .pth file, `pip install --no-deps`, no download: a real install
pulls PyTorch), runs `make check-install` and `make lab` there, and checks that what runs is the
bundle's own `vlmkit`. `make lab` is `vlmkit lab`: nbgrader's exchange pages off, `vlmkit` (and
the environment's python) first on its terminals' PATH. Self-check in the bundle is tested in
tests/integration/test_bundle_and_dask.py (the sandbox it runs in cannot see libraries through that .pth).
`make submission` zips the notebooks alone. About 15 s of CPU (35-60 s wall on a loaded 2-core machine).
Run: .venv/bin/python -m pytest -q tests/grading/authoring/test_bundle.py
"""

import asyncio
import json
import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from browser.servers import free_port, jupyter_server
from lab_server import SYSTEM_PATH, request, run_in_terminal

from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.grading.authoring.bundle import make_bundle

OFFLINE_INSTALL = "PIP_OPTIONS=-q --no-deps --no-build-isolation"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """(unpacked bundle, its venv, the environment to run make in)."""
    root = tmp_path_factory.mktemp("bundle")
    folder = make_bundle(root / "learner")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    (site / "kit-libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # Jupyter's extensions (terminals, nbgrader, widgets) are set up under the kit venv's prefix,
    # where a real install of the bundle would have its own.
    env = {k: v for k, v in os.environ.items() if k not in ("VLMKIT_HOME", "PYTHONPATH")}  # the bundle's own kit
    env.update(JUPYTER_CONFIG_PATH=str(Path(sys.prefix) / "etc" / "jupyter"),
               JUPYTER_PATH=str(Path(sys.prefix) / "share" / "jupyter"))
    return folder, venv, env


def make(bundle, *args, timeout=300):
    folder, venv, env = bundle
    return subprocess.run(["make", "--no-print-directory", *args, f"VENV={venv}", OFFLINE_INSTALL], cwd=folder,
                          env=env, capture_output=True, text=True, timeout=timeout)


def test_the_bundle_readme_opens_with_its_two_setup_commands_for_learners(bundle):
    folder, _, _ = bundle
    readme = (folder / "README.md").read_text()
    assert re.findall(r"^(make [\w-]+)", readme, re.M)[:2] == ["make check-install", "make lab"]
    assert "make demo" not in readme and "make test" not in readme  # the instructor's commands
    assert "formgrader" not in readme and "autograde" not in readme


def test_make_check_install_installs_the_bundle_itself(bundle):
    folder, venv, _ = bundle
    done = make(bundle, "check-install")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"the course kit is at {folder}\n" in done.stdout
    assert "Bridges: MLP, Q-Former, Perceiver" in done.stdout and "install OK" in done.stdout
    assert (venv / "bin" / "vlmkit").exists()
    kit = subprocess.run([sys.executable, "-c", "from vlmkit import paths; print(paths.ROOT)"],
                         capture_output=True, text=True)
    assert kit.stdout.strip() == str(paths.ROOT)  # the kit's own install still points at the kit


def test_make_lab_serves_the_notebooks_without_exchange_pages_and_with_vlmkit_in_its_terminals(bundle):
    folder, venv, env = bundle
    assert make(bundle, "install").returncode == 0
    port, token = free_port(), "bundle-test"
    argv = ["make", "lab", f"VENV={venv}", f"LAB_OPTIONS=--port {port} --no-browser"]
    env = {**env, "JUPYTER_TOKEN": token, "PATH": SYSTEM_PATH, "SHELL": "/bin/bash"}
    with jupyter_server(argv, env, folder, port, token, folder.parent / "lab.log") as base:
        status, listing = request(base, token, "/api/contents/checkpoint")
        assert status == 200, status
        assert "q5_coordinate_tokens.ipynb" in {entry["name"] for entry in json.loads(listing)["content"]}
        page = request(base, token, "/lab")[1]
        config = json.loads(re.search(r'id="jupyter-config-data" type="application/json">(.*?)</script>',
                                      page, re.S).group(1))
        assert {"@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list"} <= set(
            config["disabledExtensions"])
        assert "@jupyter/nbgrader:validate-assignment" not in config["disabledExtensions"]
        assert request(base, token, "/assignments")[0] == 404  # no exchange pages, no error
        assert request(base, token, "/courses")[0] == 404
        assert request(base, token, "/nbgrader_version?version=0")[0] == 200  # Validate's server side
        terminal = asyncio.run(run_in_terminal(
            base, token, "command -v vlmkit; python -c 'from vlmkit import paths; print(paths.ROOT)'"))
        assert f"{venv}/bin/vlmkit\r\n{folder}\r\n" in terminal  # even after ~/.bashrc's own PATH


def test_make_submission_zips_the_notebooks_only(bundle):
    folder, _, _ = bundle
    autosave = folder / "notebooks" / "checkpoint" / ".ipynb_checkpoints"
    autosave.mkdir(exist_ok=True)
    (autosave / "q1_clip_loss-checkpoint.ipynb").write_text("{}")
    (folder / "notebooks" / "capstone" / ".notes.txt").write_text("mine")
    (folder / "notebooks" / ".DS_Store").write_bytes(b"\0")
    done = make(bundle, "submission")
    assert done.returncode == 0, done.stdout + done.stderr
    names = zipfile.ZipFile(folder / "submission.zip").namelist()
    expected = [f"checkpoint/{q.notebook}" for q in load_course()["checkpoint"].questions]
    assert names == expected + ["capstone/capstone.ipynb"]
    assert "submission.zip written (7 notebooks)" in done.stdout
