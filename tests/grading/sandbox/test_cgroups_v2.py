"""cgroup v2 (mode c of the isolation tests): the kit's groups on a FAKE unified hierarchy, and on a real one.

    .venv/bin/pytest tests/grading/sandbox/test_cgroups_v2.py -q        (about 1 s)

This machine's cgroups are v1, so the v2 code runs against a folder laid out like
/sys/fs/cgroup (cgroup.controllers, cgroup.subtree_control, cgroup.procs): the test checks the
files the kit writes, that a started process is moved into its run's group, and that closing
the group kills it and removes the group. A fake tree cannot kill or rmdir like the kernel,
so there `remove_group` is replaced by the kernel's behaviour (the group's files go with it).
Where a real cgroup2 mount is writable (here: the controller-less /sys/fs/cgroup/unified of a
hybrid host), a group is created, entered, emptied by cgroup.kill and removed by the kernel.
"""

import os
import shutil
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from vlmkit.grading.sandbox import cgroups
from vlmkit.grading.sandbox.cgroups import Host, open_group

PIDS, MEMORY = 77, 3 << 30


def fake_tree(tmp_path: Path, own: str, euid: int, offered="cpuset cpu io memory hugetlb pids rdma misc") -> Host:
    """A unified hierarchy with the grader in `own`; that group offers `offered` controllers."""
    root = tmp_path / "cgroup"
    for folder in (root, root / own.lstrip("/")):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "cgroup.controllers").write_text(offered + "\n")
        (folder / "cgroup.subtree_control").write_text("")
        (folder / "cgroup.procs").write_text("")
    proc = tmp_path / "proc-self-cgroup"
    proc.write_text(f"0::{own}\n")
    return Host(root, proc, euid)


@pytest.fixture
def kernel_rmdir(monkeypatch):
    """On cgroupfs, rmdir takes the group's interface files with it; a plain folder needs rmtree."""
    monkeypatch.setattr(cgroups, "remove_group", shutil.rmtree)


def _start_in(group) -> subprocess.Popen:
    return subprocess.Popen(["sleep", "60"], preexec_fn=group.enter)


def test_root_grader_makes_a_kit_group_under_the_root_with_a_limited_child_per_run(tmp_path, kernel_rmdir):
    host = fake_tree(tmp_path, "/system.slice/grader.service", euid=0)
    assert cgroups.version(host) == "v2"
    group = open_group(PIDS, MEMORY, host=host)
    kit = host.root / "vlmkit"
    assert [f.parent for f in group.folders] == [kit]
    run = group.folders[0]
    assert (host.root / "cgroup.subtree_control").read_text() == "+pids +memory +cpu"
    assert (kit / "cgroup.subtree_control").read_text() == "+pids +memory +cpu"
    written = {name: (run / name).read_text() for name in ("pids.max", "memory.max", "memory.swap.max", "cpu.weight")}
    assert written == {"pids.max": "77", "memory.max": str(3 << 30), "memory.swap.max": "0", "cpu.weight": "100"}

    process = _start_in(group)
    try:
        assert (run / "cgroup.procs").read_text() == str(process.pid)  # moved before exec
    finally:
        group.close()
    assert process.wait(timeout=10) == -signal.SIGKILL  # emptied
    assert not run.exists() and kit.exists()  # removed; the kit group stays for the next run


def test_unprivileged_grader_uses_its_own_delegated_group(tmp_path, kernel_rmdir):
    host = fake_tree(tmp_path, "/user.slice/user-1000.slice/vlmkit.scope", euid=1000, offered="memory pids")
    own = host.root / "user.slice/user-1000.slice/vlmkit.scope"
    group = open_group(PIDS, MEMORY, host=host)
    assert [f.parent for f in group.folders] == [own / "vlmkit"]
    assert (own / "cgroup.subtree_control").read_text() == "+pids +memory"
    assert not (group.folders[0] / "cpu.weight").exists()  # cpu not delegated: no weight to set
    assert (host.root / "cgroup.subtree_control").read_text() == ""  # never touches the real root
    group.close()
    assert not group.folders[0].exists()


def test_no_group_where_pids_is_not_delegated_and_doctor_says_why(tmp_path):
    host = fake_tree(tmp_path, "/user.slice/grader.scope", euid=1000, offered="cpu io")
    assert open_group(PIDS, MEMORY, host=host).folders == []
    version, writable, detail = cgroups.describe(host)
    assert (version, writable) == ("v2", False) and "pids and memory controllers are not delegated" in detail


def test_cgroups_switched_off_by_the_limits_create_nothing(tmp_path):
    host = fake_tree(tmp_path, "/grader", euid=0)
    before = sorted(p.name for p in host.root.iterdir())
    group = open_group(PIDS, MEMORY, enabled=False, host=host)
    assert group.folders == [] and sorted(p.name for p in host.root.iterdir()) == before
    group.enter()  # no-ops
    group.close()


def test_v1_layout_still_gets_pids_memory_and_cpu_groups(tmp_path, kernel_rmdir):
    root = tmp_path / "cgroup"
    for controller in ("pids", "memory", "cpu"):
        (root / controller / "grader").mkdir(parents=True)
    proc = tmp_path / "proc-self-cgroup"
    proc.write_text("8:pids:/grader\n4:memory:/grader\n1:cpu,cpuacct:/grader\n0::/\n")
    group = open_group(PIDS, MEMORY, host=Host(root, proc, 0))
    assert {f.parent.parent.name: f.name.startswith("vlmkit-") for f in group.folders} == \
           {"pids": True, "memory": True, "cpu": True}
    values = {f.parent.parent.name: [p.read_text() for p in f.iterdir()] for f in group.folders}
    assert values == {"pids": ["77"], "memory": [str(3 << 30)], "cpu": ["1024"]}
    group.close()
    assert not any(f.exists() for f in group.folders)


def _writable_cgroup2_mount():
    for line in Path("/proc/self/mounts").read_text().splitlines():
        _, where, kind, *_ = line.split()
        if kind == "cgroup2" and os.access(where, os.W_OK):
            return Path(where)
    return None


@pytest.mark.skipif(_writable_cgroup2_mount() is None, reason="no writable cgroup2 mount on this host")
def test_real_cgroup2_group_is_entered_killed_and_removed_by_the_kernel():
    folder = _writable_cgroup2_mount() / f"vlmkit-test-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    group = cgroups.Group([folder])
    process = _start_in(group)
    try:
        assert (folder / "cgroup.procs").read_text().split() == [str(process.pid)]
    finally:
        group.close()  # cgroup.kill, then the kernel's rmdir
    assert process.wait(timeout=10) == -signal.SIGKILL
    assert not folder.exists()
