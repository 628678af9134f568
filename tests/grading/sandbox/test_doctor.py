"""Limits in one place, `vlmkit doctor`, autograde's refusal on a bare host, per-run uids and progress.

    .venv/bin/pytest tests/grading/sandbox/test_doctor.py -q        (about 2 s; no notebook runs)
"""

import json
import logging
import os
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from vlmkit import paths
from vlmkit.commands import main
from vlmkit.errors import KitError
from vlmkit.grading.sandbox import accounts, cgroups, isolation
from vlmkit.grading.sandbox.limits import Limits, load_limits, parse_assignments
from vlmkit.grading.sandbox.run import bwrap_version
from vlmkit.grading.workflows.batch import run_tasks
from vlmkit.grading.workflows.progress import Progress

BARE = ["--limit", "sandbox=false", "--limit", "cgroups=off", "--limit", "learner_uid=0"]
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="only a root grader switches uids "
                                                       "(any other uid is capped by RLIMIT_NPROC)")


def test_limits_file_then_flags_override_the_defaults(tmp_path):
    config = tmp_path / "limits.toml"
    config.write_text('wall_s = 900\nprocesses = 128\ngroup_memory_bytes = "4G"\ncgroups = false\n')
    limits = load_limits(config, parse_assignments(["processes=64", "tmp_bytes=512M"]) | {"cell_s": None})
    assert limits == Limits(wall_s=900, processes=64, group_memory_bytes=4 << 30, tmp_bytes=512 << 20,
                            cgroups=False)
    assert load_limits(tmp_path / "absent.toml") == Limits()
    assert load_limits(config, {"wall_s": 30}).cell_s == 30  # a cell never outlasts its notebook


@pytest.mark.parametrize("text, flags, message", [
    ("nproc = 5\n", [], "unknown limit nproc"),
    ("wall_s = 'soon'\n", [], "wall_s must be a whole number"),
    ("wall_s = [\n", [], "not valid TOML"),
    ("", ["cgroups=maybe"], "cgroups must be true or false"),
    ("", ["processes"], "write NAME=VALUE"),
])
def test_bad_limits_are_one_line_errors(tmp_path, text, flags, message):
    config = tmp_path / "limits.toml"
    config.write_text(text)
    with pytest.raises(KitError, match=message):
        load_limits(config, parse_assignments(flags))


def test_doctor_prints_what_this_host_gives(capsys):
    assert main(["doctor", "--limit", "processes=99"]) == 0
    out = capsys.readouterr().out
    version, writable, _ = cgroups.describe()
    assert f"bubblewrap:    {'yes, ' + bwrap_version() if bwrap_version() else 'no'}" in out
    assert f"cgroups:       {version}, {'writable' if writable else 'not writable'}" in out
    assert "processes (tasks of a whole run): 99\n" in out and "isolated: yes" in out
    if accounts.can_switch(Limits()):
        assert "RLIMIT_NPROC 99 on the run's uid" in out


@pytest.fixture
def kit_log_restored():
    """`vlmkit autograde` sets up the kit's log output for the whole process: undo it afterwards."""
    kit_log = logging.getLogger("vlmkit")
    handlers, level = list(kit_log.handlers), kit_log.level
    yield
    kit_log.handlers[:] = handlers
    kit_log.setLevel(level)


@as_root
def test_bare_host_is_refused_unless_the_instructor_allows_it(tmp_path, capsys, kit_log_restored):
    (tmp_path / "subs" / "alice" / "checkpoint").mkdir(parents=True)
    assert main(["doctor", *BARE]) == 1
    assert "process cap:   NONE" in capsys.readouterr().out
    assert main(["autograde", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), *BARE]) == 2
    error = capsys.readouterr().err.strip()
    assert "--allow-unisolated" in error and len(error.splitlines()) == 1
    assert not (tmp_path / "out").exists()  # refused before anything was written
    bare = isolation.describe(Limits(sandbox=False, cgroups=False, learner_uid=0))
    isolation.require_isolation(bare, allow_unisolated=True)  # the explicit flag lets it through


def test_report_json_records_the_isolation_beside_everything_else(tmp_path):
    (tmp_path / "report.json").write_text(json.dumps({"alice": {"checkpoint": {"points": 6}}, "#class": {"n": 1}}))
    isolation.record(tmp_path, isolation.describe(Limits()))
    report = json.loads((tmp_path / "report.json").read_text())
    assert list(report) == ["alice", "#class", "#isolation"]
    assert report["#isolation"]["isolated"] is True
    assert report["#isolation"]["limits"]["processes (tasks of a whole run)"] == Limits().processes


@as_root
def test_each_run_gets_its_own_uid_and_its_leftovers_die():
    limits = Limits()
    with accounts.run_account(limits) as first, accounts.run_account(limits) as second:
        assert first != second and {first, second} <= set(accounts.own_block(limits))
        daemon = subprocess.Popen(["sleep", "60"], user=first, group=first, extra_groups=[],
                                  start_new_session=True)  # left the run's session
    assert daemon.wait(timeout=10) < 0  # killed with everything else of that uid


def test_progress_logs_plain_lines_off_a_terminal(caplog):
    caplog.set_level(logging.DEBUG, logger="vlmkit.grading.workflows.progress")
    with Progress(3, "checkpoint") as progress:
        for what, status in (("ada/q1", "graded"), ("bob/q1", "crashed"), ("cy/q1", "missing")):
            progress.done(what, status)
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "checkpoint: grading 3 notebooks"
    assert "checkpoint: bob/q1 crashed" in messages
    assert messages[-1] == "checkpoint: 3/3 notebooks, elapsed 0:00, ETA 0:00, failures 1"


def test_run_tasks_keeps_task_order_while_reporting_as_tasks_finish(caplog):
    caplog.set_level(logging.DEBUG, logger="vlmkit.grading.workflows.progress")
    finished = []

    def fake_task(student_dir, assignment, question, limits, execute):
        time.sleep(0.05 * (3 - int(question.id[1:])))  # the last task finishes first
        finished.append(question.id)
        return SimpleNamespace(status="graded", question=question.id)

    tasks = [(Path("ada"), "checkpoint", SimpleNamespace(id=f"q{i}"), None, None) for i in range(4)]
    results = run_tasks(fake_task, tasks, jobs=4, label="checkpoint")
    assert [r.question for r in results] == ["q0", "q1", "q2", "q3"]
    assert finished[0] == "q3"
    done = [r.getMessage() for r in caplog.records if "ada/" in r.getMessage()]
    assert done == [f"checkpoint: ada/{q} graded" for q in finished]


def test_every_limit_says_what_it_bounds_and_the_table_shows_each_default():
    """One declaration (the fields of Limits) gives doctor's labels and the docs' table."""
    from vlmkit.grading.sandbox.limits import FIELDS, WHAT, label, limits_table

    assert all(WHAT[name].strip() for name in FIELDS)
    assert label("wall_s") == "wall_s (seconds per notebook)"
    table = limits_table().splitlines()
    assert len(table) == 2 + len(FIELDS)
    assert "| `group_memory_bytes` | 6 GiB | memory of a whole run |" in limits_table()


def test_the_docs_limits_table_is_the_declarations():
    from vlmkit.grading.sandbox.limits import limits_table

    assert limits_table() in (paths.ROOT / "docs" / "isolation-and-limits.md").read_text()
