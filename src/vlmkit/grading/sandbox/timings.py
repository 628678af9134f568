"""Where grading's time goes: the phases of one graded notebook, as plain data.

    timings = Timings()
    with timings.phase("judging"):
        ...
    timings.phases          # {"judging": 0.012, ...} seconds, in the order the phases ran
    emit("q5", timings)     # one JSON line to $VLMKIT_TIMINGS, only where that variable is set

Always on (a perf_counter per phase costs microseconds); nothing prints or stores them unless
VLMKIT_TIMINGS names a file, as benchmarks/bench_profile.py does for a grader it starts.

The kernel's side comes from the executed notebook: the runner marks when it started, when its
imports were done, when its notebook was given (a sandbox started ahead), when the kernel was
ready and when the cells were done (`RUNNER_KEY` in the notebook's metadata), and nbclient's
record_timing stamps each cell. `kernel_phases` turns those
into seconds; a learner's kernel can rewrite that file, so anything unreadable is left out (these
numbers are for measuring, never for grading).
"""

import json
import os
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone

from vlmkit.grading.nbgrader_io.cells import nbgrader_meta

ENV = "VLMKIT_TIMINGS"
RUNNER_KEY = "vlmkit_runner_timing"  # executed notebook metadata: {mark: time.time()}
_EMITTING = threading.Lock()  # parallel jobs append to the same file


class Timings:
    def __init__(self):
        self.started = time.time()  # wall clock, so a benchmark can tell the grader's start-up
        self.phases = {}

    @contextmanager
    def phase(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def add(self, name: str, seconds: float) -> None:
        self.phases[name] = self.phases.get(name, 0.0) + seconds

    def to_json(self) -> dict:
        return {"started": self.started, "phases": dict(self.phases)}


def _stamp(text) -> float:
    """nbclient's "2026-12-06T22:50:01.123456Z" (UTC) as time.time() seconds."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()


def kernel_phases(executed: dict, run_started: float, run_ended: float) -> dict:
    """The sandboxed run split into phases (seconds), from the executed notebook (parsed JSON).

    run_started/run_ended: time.time() around the sandbox's process. Phases whose marks are
    missing or malformed are left out; "cell N" is the Nth code cell, its grade_id when it has one.
    """
    try:
        marks = {k: float(v) for k, v in executed["metadata"][RUNNER_KEY].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        marks = {}
    phases = {}
    given = marks.get("notebook_given")
    if given is None:
        points = [("sandbox start", run_started, marks.get("started")),
                  ("runner imports", marks.get("started"), marks.get("imported")),
                  ("kernel start", marks.get("imported"), marks.get("kernel_ready"))]
    else:  # started ahead: its start and imports overlapped earlier work; what is left of the wait
        ready = marks.get("kernel_ready")
        points = [("hand-over to the sandbox started ahead", run_started, given),
                  ("kernel start, rest", given, None if ready is None else max(ready, given))]
    points.append(("kernel stop, executed copy", marks.get("cells_done"), run_ended))
    for name, start, end in points:
        if start is not None and end is not None:
            phases[name] = end - start
    cells = executed.get("cells") if isinstance(executed, dict) else None
    code = [c for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"] if isinstance(cells, list) else []
    for number, cell in enumerate(code, 1):
        try:
            stamps = cell["metadata"]["execution"]
            seconds = _stamp(stamps["shell.execute_reply"]) - _stamp(stamps["iopub.status.busy"])
        except (KeyError, TypeError, ValueError):
            continue
        grade_id = nbgrader_meta(cell).get("grade_id")
        phases[f"cell {number}" + (f" ({grade_id})" if grade_id else "")] = seconds
    return phases


def emit(label: str, timings: Timings) -> None:
    """Append {"label", "started", "phases"} to the file $VLMKIT_TIMINGS names; nothing without it."""
    path = os.environ.get(ENV)
    if not path:
        return
    line = json.dumps({"label": label, **timings.to_json()}) + "\n"
    with _EMITTING, open(path, "a", encoding="utf-8") as out:
        out.write(line)
