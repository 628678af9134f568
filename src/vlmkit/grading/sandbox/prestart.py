"""Sandboxes started ahead: the next notebook's runner and kernel boot while this one runs.

    with Prestarted(limits, runs=7, preloads=[...]) as execute:   # starts the first sandboxes at once
        result = grade_notebook(..., limits, execute)     # execute(workdir, limits), as run_notebook

A sandbox's own start (bwrap, the runner's imports, the kernel's boot: about 1.5 s) does not
depend on the notebook, so `Prestarted` starts it before the notebook is known: the first ones
while the grader itself starts (reads the notebooks, loads the checks), each next one as soon as
one is taken and its notebook let go. A call moves the engine's notebook.ipynb and cases.json into a started
sandbox's own folder, lets it go, and moves its records and executed copy back. `preloads` gives,
in the order the notebooks will come, the imports each one's kernel makes while it waits
(kernel_preload.py); a notebook that comes out of order only waits for its own imports.

Each sandbox is exactly what `run_notebook` makes (sandbox.SandboxRun): its own folder, uid,
group and limits, no learner code before the go, the wall limit counted from the go. A started
sandbox simply waits, idle, for its notebook; those never used are killed on close.

Where the grader is root, bwrap switches to each run's uid and there are several runs, the
runners are forked from one zygote (zygote.py) that imports each library once, rather than
started as new Pythons: a sandbox is then ready in a fraction of a second, not after seconds
of imports.
"""

import os
import shutil
import tempfile
import threading
from pathlib import Path

from vlmkit.grading.sandbox import accounts
from vlmkit.grading.sandbox.limits import Limits
from vlmkit.grading.sandbox.run import OUTPUTS, RunResult, SandboxRun, bwrap_switches_uid, run_notebook
from vlmkit.grading.sandbox.zygote import Zygote

INPUTS = ("notebook.ipynb", "cases.json")


class Prestarted:
    """An executor like `run_notebook`, for `runs` notebooks run `jobs` at a time, keeping one
    sandbox more started than `jobs`: a notebook shorter than a sandbox's start (q5 and q6 run
    in a tenth of a second) would otherwise leave the next one waiting for its sandbox."""

    def __init__(self, limits: Limits, runs: int, jobs: int = 1, preloads=()):
        self.limits, self.unstarted, self.ahead = limits, runs, jobs + 1
        self.preloads = list(preloads)  # for the sandboxes still to start, first to start first
        self.waiting = []  # started sandboxes no call has taken yet
        self.lock = threading.Lock()
        # One run gains nothing from a zygote: its imports would come before the fork, where a
        # runner started as a new Python imports beside its booting kernel.
        forks = runs > 1 and limits.sandbox and accounts.can_switch(limits) and bwrap_switches_uid()
        self.zygote = Zygote(limits) if forks else None
        self.forking = forks  # False once a run forked from the zygote failed on the zygote's side
        self._top_up()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __call__(self, workdir: Path, limits: Limits) -> RunResult:
        with self.lock:
            run = self.waiting.pop(0) if self.waiting and limits == self.limits else None
            if run is None:  # this call runs in a sandbox of its own: one fewer to start ahead
                self.unstarted -= 1
                del self.preloads[:1]
        if run is None:
            self._top_up()
            return run_notebook(workdir, limits)
        try:
            try:
                for name in INPUTS:  # a rename replaces a name, it never follows a link
                    os.replace(Path(workdir) / name, run.workdir / name)
                run.let_go()
                self._top_up()  # the next notebook's sandbox boots while this one runs
            except BaseException:
                run.abandon()
                raise
            result = run.finish()
            if getattr(run.process, "lost", False):  # the zygote or the host failed it: run it anew,
                self.forking = False  # and start the runners still to come as new Pythons
                for name in INPUTS:
                    os.replace(run.workdir / name, Path(workdir) / name)
                return run_notebook(workdir, limits)
            for name in OUTPUTS:
                os.replace(run.workdir / name, Path(workdir) / name)
        finally:
            shutil.rmtree(run.workdir, ignore_errors=True)
        return result

    def _top_up(self) -> None:
        """Start sandboxes until `ahead` wait or every run has one."""
        while True:
            with self.lock:
                if len(self.waiting) >= self.ahead or self.unstarted <= 0:
                    return
                self.unstarted -= 1
                preload = self.preloads.pop(0) if self.preloads else ()
            folder = Path(tempfile.mkdtemp(prefix="vlmkit-ahead-"))
            try:
                run = SandboxRun(folder, self.limits, ahead=True, preload=preload,
                                 zygote=self.zygote if self.forking else None)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            with self.lock:
                self.waiting.append(run)

    def close(self) -> None:
        """Kill the sandboxes no call took."""
        with self.lock:
            unused, self.waiting, self.unstarted = self.waiting, [], 0
        for run in unused:
            run.abandon()
            shutil.rmtree(run.workdir, ignore_errors=True)
        if self.zygote is not None:
            self.zygote.close()
