"""Runners forked from the zygote (zygote.py, forked_kernel.py): the same sandbox as a started runner,
and nothing shared between the runs one zygote forks."""

import json
import os
import signal
import tempfile
from pathlib import Path

import nbformat
import pytest

from vlmkit.grading.sandbox import accounts
from vlmkit.grading.sandbox import prestart as prestart_module
from vlmkit.grading.sandbox import zygote as zygote_module
from vlmkit.grading.sandbox.limits import Limits
from vlmkit.grading.sandbox.prestart import Prestarted
from vlmkit.grading.sandbox.run import bwrap_switches_uid
from vlmkit.grading.sandbox.zygote import safe_to_import

forked = pytest.mark.skipif(not (accounts.can_switch(Limits()) and bwrap_switches_uid()),
                            reason="runners are forked from a zygote only where the grader is root with bwrap")
LIMITS = Limits(wall_s=60, cell_s=30)

# What a kernel can tell of its surroundings, written to the record file as JSON.
SURROUNDINGS = r"""
import os, sys, json, resource, socket
status = {line.split(":")[0]: line.split(":", 1)[1].split() for line in open("/proc/self/status")
          if line.startswith(("Cap", "NoNewPrivs", "Seccomp", "Uid", "Gid", "Groups"))}
seen = {"status": status, "cwd": os.getcwd(), "path": sys.path, "argv0": os.path.basename(sys.argv[0]),
        "env": dict(os.environ), "umask": os.umask(0o22), "hostname": socket.gethostname(),
        "limits": {n: resource.getrlimit(getattr(resource, n)) for n in dir(resource) if n.startswith("RLIMIT_")},
        "mounts": sorted(" ".join(line.split()[4:6]) for line in open("/proc/self/mountinfo")),
        "interfaces": sorted(name for _, name in socket.if_nameindex()), "cgroup": open("/proc/self/cgroup").read(),
        "processes": sorted(open(f"/proc/{p}/cmdline", "rb").read().split(b"\0")[0].decode()
                            for p in os.listdir("/proc") if p.isdigit()),
        "session_leader": os.getsid(0) == os.getpid(), "files": sorted(os.listdir("/proc/self/fd")),
        "environ_readable": bool(open("/proc/self/environ", "rb").read()), "user_names": sorted(dir()),
        "threads": __import__("torch").get_num_threads(), "numpy_draw": __import__("numpy").random.rand()}
open(os.environ["VLMKIT_RECORD"], "w").write(json.dumps(seen))
"""


def _run(execute, code) -> tuple:
    folder = Path(tempfile.mkdtemp())
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]), str(folder / "notebook.ipynb"))
    (folder / "cases.json").write_text("{}")
    result = execute(folder, LIMITS)
    record = (folder / "records.jsonl").read_text()
    return result, json.loads(record) if record else None


def _started_runners(monkeypatch) -> Prestarted:
    """Sandboxes started ahead as before the zygote: each runner a new Python."""
    monkeypatch.setattr(prestart_module, "bwrap_switches_uid", lambda: False)
    execute = Prestarted(LIMITS, runs=2)
    monkeypatch.undo()
    return execute


@pytest.mark.sandbox
@forked
def test_a_forked_runner_sees_what_a_started_one_sees(monkeypatch):
    with _started_runners(monkeypatch) as execute:
        assert execute.zygote is None
        started = [_run(execute, SURROUNDINGS) for _ in range(2)]
    with Prestarted(LIMITS, runs=2) as execute:
        assert execute.zygote is not None
        forked = [_run(execute, SURROUNDINGS) for _ in range(2)]
    assert all(result.status == "ok" for result, _ in started + forked)
    (_, a), (_, b) = started[1], forked[1]
    # Fresh random states in every run, as in new interpreters.
    assert len({seen.pop("numpy_draw") for _, seen in started + forked}) == 4
    # The sandbox's placeholder (zygote.PLACEHOLDER) is the one more process, so pid numbers differ by it.
    assert b.pop("processes") == sorted(a.pop("processes") + ["sleep"])
    assert int(b["env"].pop("JPY_PARENT_PID")) == int(a["env"].pop("JPY_PARENT_PID")) + 1
    # Capabilities: none in either; the forked runner's bounding and inheritable sets are empty.
    caps_a, caps_b = a.pop("status"), b.pop("status")
    for name in ("CapPrm", "CapEff", "CapAmb", "NoNewPrivs", "Uid", "Gid", "Groups", "Seccomp"):
        assert caps_b[name] == caps_a[name], name
    assert caps_b["CapBnd"] == caps_b["CapInh"] == ["0000000000000000"]
    assert caps_a["NoNewPrivs"] == ["1"] and set(caps_a["CapEff"]) == {"0000000000000000"}
    assert b == a


CHANGE_EVERYTHING = r"""
import os, subprocess, sys, json, torch
torch.changed_by_the_last_run = True
os.environ["LEFT_BY_THE_LAST_RUN"] = "1"
open("/tmp/work/left-by-the-last-run", "w").write("x")
daemon = subprocess.Popen(["sleep", "600"], start_new_session=True)
open(os.environ["VLMKIT_RECORD"], "w").write(json.dumps({"uid": os.getuid(), "daemon": daemon.pid}))
"""
FIND_IT = r"""
import os, json, torch
seen = {"module": hasattr(torch, "changed_by_the_last_run"), "env": "LEFT_BY_THE_LAST_RUN" in os.environ,
        "file": os.path.exists("/tmp/work/left-by-the-last-run"),
        "sleeping": [p for p in os.listdir("/proc")
                     if p.isdigit() and b"sleep\x00600" in open(f"/proc/{p}/cmdline", "rb").read()]}
open(os.environ["VLMKIT_RECORD"], "w").write(json.dumps(seen))
"""


@pytest.mark.sandbox
@forked
def test_runs_forked_from_one_zygote_share_nothing_and_leave_nothing():
    with Prestarted(LIMITS, runs=2, preloads=[(("torch", ()),)] * 2) as execute:
        zygote = execute.zygote.process
        first, left = _run(execute, CHANGE_EVERYTHING)
        second, seen = _run(execute, FIND_IT)
    assert first.status == second.status == "ok"
    assert seen == {"module": False, "env": False, "file": False, "sleeping": []}
    assert not any(accounts.alive(pid) and _owner(pid) == left["uid"] for pid in _host_pids())
    assert zygote.poll() is not None  # the zygote ends with its batch


def _host_pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _owner(pid):
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except FileNotFoundError:
        return None


@pytest.mark.sandbox
@forked
def test_where_the_zygote_is_gone_each_run_starts_its_own_runner():
    with Prestarted(LIMITS, runs=2) as execute:
        execute.zygote.process.send_signal(signal.SIGKILL)
        execute.zygote.process.wait()
        result, seen = _run(execute, SURROUNDINGS)  # asked of the zygote before it died: run anew
        assert result.status == "ok" and "sleep" not in seen["processes"]
        result, seen = _run(execute, SURROUNDINGS)  # started after
        assert result.status == "ok" and "sleep" not in seen["processes"]  # a runner of its own


@pytest.mark.sandbox
@forked
def test_where_the_host_refuses_a_forked_runner_the_run_and_the_next_start_their_own(monkeypatch):
    monkeypatch.setattr(zygote_module, "_child_pid", lambda info: info.read() and 4194305)  # none to join
    with Prestarted(LIMITS, runs=3) as execute:
        for _ in range(3):
            result, seen = _run(execute, SURROUNDINGS)
            assert result.status == "ok" and "sleep" not in seen["processes"]
        assert not execute.forking


def test_the_zygote_imports_public_modules_and_names_only():
    """It is root: a notebook's `import vlmkit.__main__` (a program when imported) stays the kernel's."""
    assert safe_to_import(("transformers", ("LlavaConfig",))) and safe_to_import(("vlmkit.checks.q5", ()))
    assert not safe_to_import(("vlmkit.__main__", ())) and not safe_to_import(("torch", ("_C",)))
