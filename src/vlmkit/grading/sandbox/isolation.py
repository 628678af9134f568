"""What isolation this host gives learner code, said plainly (`vlmkit doctor`), and recorded with grades.

    report = describe(load_limits())
    print(format_report(report))        # bubblewrap, cgroups, the uid, each limit, what to add
    require_isolation(report, allow_unisolated=False)   # autograde's refusal on a bare host

A host with neither bubblewrap nor any process cap (a cgroup's pids.max, or RLIMIT_NPROC on an
unprivileged uid) would let one fork bomb take down the grading host; `vlmkit autograde`
refuses to start there unless the instructor passes --allow-unisolated.
"""

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from vlmkit.errors import KitError
from vlmkit.grading.checking.files import atomic_write
from vlmkit.grading.sandbox import accounts, cgroups
from vlmkit.grading.sandbox.limits import CONFIG, Limits, label, shown
from vlmkit.grading.sandbox.run import blocked_for, bwrap_switches_uid, bwrap_version

# The limits doctor shows and report.json records (the switches are shown by what they switch).
SHOWN = ("wall_s", "cell_s", "memory_bytes", "group_memory_bytes", "processes", "file_bytes", "tmp_bytes", "threads")
REPORT_KEY = "#isolation"  # in report.json, beside the students ("#" is never in a student id)


@dataclass
class Isolation:
    bubblewrap: str  # "bubblewrap 0.8.0", or "" where it is missing or cannot build a sandbox
    cgroup_version: str  # v1 | v2 | none
    cgroup_writable: bool
    cgroup_detail: str
    cgroups_used: bool  # writable and not switched off by the limits
    learner_uid: str  # who learner code runs as
    process_caps: list = field(default_factory=list)  # what bounds a run's processes
    limits: dict = field(default_factory=dict)  # the Limits in force
    advice: list = field(default_factory=list)  # what to install or enable for the rest

    @property
    def isolated(self) -> bool:
        return bool(self.bubblewrap) or bool(self.process_caps)

    def to_json(self) -> dict:
        return {**asdict(self), "isolated": self.isolated}


def _switches_uid(limits: Limits, sandboxed: bool) -> bool:
    """Whether runs get a uid of their own here (without bwrap the uid must reach Python itself)."""
    if not accounts.can_switch(limits):
        return False
    if sandboxed:
        return bwrap_switches_uid()
    return not blocked_for(limits.learner_uid, Path(tempfile.gettempdir()) / "vlmkit-grade-x")


def describe(limits: Limits, host: cgroups.Host = cgroups.Host()) -> Isolation:
    bwrap = bwrap_version() if limits.sandbox else ""
    version, writable, detail = cgroups.describe(host)
    used = writable and limits.cgroups
    advice = []
    if not bwrap:
        advice.append("install bubblewrap (apt-get install bubblewrap) for the filesystem and network "
                      "sandbox" if limits.sandbox else "the sandbox is switched off (Limits.sandbox)")
    if not used:
        advice.append("cgroups are switched off by the limits (cgroups = false)" if writable else
                      f"for a memory cap on a whole run, give the grader a writable cgroup ({detail})")
    caps = [f"cgroup {version} pids.max {limits.processes}"] if used else []
    if _switches_uid(limits, bool(bwrap)):
        start = limits.learner_uid
        uid = f"a uid of its own per run, from {start} (the grader is root)"
        caps.append(f"RLIMIT_NPROC {limits.processes} on the run's uid")
    elif os.geteuid() != 0:
        uid = f"the grader's own uid {os.geteuid()}"
        caps.append(f"RLIMIT_NPROC: the uid's current count + {limits.processes}, shared by parallel runs")
    else:
        uid = "root (uid 0): RLIMIT_NPROC does not bind it"
        advice.append("let runs switch to their own uid: learner_uid > 0 in a range this user namespace "
                      "maps, and bwrap able to run without a user namespace (root with CAP_SYS_ADMIN), "
                      "or, without bwrap, Python and the kit readable by every uid")
    in_force = {label(name): shown(name, getattr(limits, name)) for name in SHOWN}
    in_force[label("group_memory_bytes")] += "" if used else ": NOT in force, no cgroup"
    if not caps:
        in_force[label("processes")] = f"{limits.processes}: NOT in force"
    in_force[label("tmp_bytes")] += "" if bwrap else ": no sandbox /tmp"
    return Isolation(bwrap, version, writable, detail, used, uid, caps, in_force, advice)


def format_report(report: Isolation) -> str:
    lines = [
        f"bubblewrap:    {('yes, ' + report.bubblewrap) if report.bubblewrap else 'no'}",
        f"cgroups:       {report.cgroup_version}, {'writable' if report.cgroup_writable else 'not writable'}"
        f"{'' if report.cgroups_used or not report.cgroup_writable else ', switched off'} ({report.cgroup_detail})",
        f"learner code:  runs as {report.learner_uid}",
        f"process cap:   {'; '.join(report.process_caps) or 'NONE'}",
        f"limits in force (defaults < {CONFIG} {'(present)' if CONFIG.exists() else '(absent)'} < flags):",
    ]
    lines += [f"  {name}: {value}" for name, value in report.limits.items()]
    lines.append("isolated: " + ("yes" if report.isolated else "NO: autograde refuses to start "
                                 "without --allow-unisolated"))
    lines += ["to add:"] + [f"  - {a}" for a in report.advice] if report.advice else []
    return "\n".join(lines)


def summary_line(report: Isolation) -> str:
    """One line for autograde's printed summary."""
    sandbox = report.bubblewrap or "no bubblewrap"
    caps = "; ".join(report.process_caps) or "no process cap"
    return f"isolation: {sandbox}; cgroups {report.cgroup_version}" \
           f"{' in use' if report.cgroups_used else ' not used'}; learner code as {report.learner_uid}; {caps}"


def record(out: Path, report: Isolation) -> None:
    """Add the isolation to out/report.json under REPORT_KEY, keeping everything else in it."""
    path = out / "report.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[REPORT_KEY] = report.to_json()
    atomic_write(path, json.dumps(data, indent=1))


def require_isolation(report: Isolation, allow_unisolated: bool) -> None:
    if not report.isolated and not allow_unisolated:
        raise KitError("this host gives learner code neither a bubblewrap sandbox nor a process cap "
                       "(see `vlmkit doctor`); install bubblewrap, or pass --allow-unisolated to grade anyway")
