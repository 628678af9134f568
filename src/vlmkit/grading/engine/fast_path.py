"""The fast judging path: run a merged notebook in a forked process with no kernel.

    result = grade_notebook(question, source, learner, hidden_dir, limits, execute=run_forked)

`run_forked` has the signature of `sandbox.run_notebook` and writes the same two files
(records.jsonl, executed.ipynb), so the engine merges, judges and scores exactly as it does for
a sandboxed run; only the executor differs. Each run is a forked child of a zygote process
(`python -m vlmkit.grading.engine.fast_path`, one per grading thread) that has imported torch,
transformers and the kit once, which is what makes it fast: a mutant costs its
cells, not a kernel start and seconds of imports.

It is NOT a sandbox: code runs with the grader's rights. It serves `vlmkit audit` (mutants of
the course's own solutions) and the check unit tests; learner submissions are only ever graded
through `sandbox.run.run_notebook`. tests/grading/workflows/test_autograde.py and
tests/grading/authoring/test_wrong_answers.py prove the two reach the same verdicts.
"""

import importlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import asdict
from pathlib import Path

import nbformat

from vlmkit.grading.sandbox.limits import Limits
from vlmkit.grading.sandbox.run import KERNEL_DIED, OUTPUTS, RunResult, timed_out

PRELOAD = ["torch", "numpy", "matplotlib.pyplot", "nbformat", "IPython.core.interactiveshell",
           "transformers", "open_clip", "vlmkit.grading.checking.learner_api"]
# torch's default generator seed in a fresh process (c10 default_rng_seed_val): a forked child
# starts from it, as a new kernel would, whatever the parent's judges drew before.
TORCH_FRESH_SEED = 67280421310721


class CellTimeout(Exception):
    """A cell ran past the per-cell limit (the kernel run reports the same name)."""


def _on_alarm(signum, frame):
    raise CellTimeout("cell ran longer than its limit")


def _fresh_state(threads: int) -> None:
    """Put the libraries a notebook uses back where a new kernel would find them."""
    import matplotlib
    import torch

    matplotlib.use("Agg")
    torch.manual_seed(TORCH_FRESH_SEED)
    torch.set_num_threads(max(threads, 1))


def _execute_cells(nb, cell_s: int) -> None:
    """Run every code cell in one IPython shell; record each cell's error as nbclient would."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    # `%matplotlib inline` asks the shell for a GUI event loop, which only a kernel has (a bare
    # shell raises, and the rest of the cell would not run): the inline backend needs none.
    shell.enable_gui = lambda gui=None: None
    signal.signal(signal.SIGALRM, _on_alarm)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        signal.setitimer(signal.ITIMER_REAL, cell_s)
        try:
            with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                result = shell.run_cell(cell.source, store_history=False)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename=type(error).__name__, evalue=str(error)[:300], traceback=[]))


def _child(workdir: Path, limits: Limits) -> None:
    os.environ.update({"VLMKIT_RECORD": str(workdir / "records.jsonl"),
                       "VLMKIT_CASES": str(workdir / "cases.json"), "MPLBACKEND": "Agg"})
    scratch = workdir / "scratch"
    scratch.mkdir(exist_ok=True)
    os.chdir(scratch)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    _fresh_state(limits.threads)
    # The engine wrote this notebook (v4) and reads the executed copy back with its own checks:
    # no schema validation here, whose validator each fresh child would compile again (40 ms).
    nb = nbformat.reader.reads((workdir / "notebook.ipynb").read_text())
    _execute_cells(nb, limits.cell_s)
    (workdir / "executed.ipynb").write_text(nbformat.v4.nbjson.writes(nb))


def _serve() -> None:
    """The zygote's loop: one JSON request per line in, one status per line out."""
    for module in PRELOAD:
        importlib.import_module(module)
    for line in sys.stdin:
        request = json.loads(line)
        workdir, limits = Path(request["workdir"]), Limits(**request["limits"])
        pid = os.fork()
        if pid == 0:  # the child never returns into the loop
            code = 1
            try:
                _child(workdir, limits)
                code = 0
            finally:
                os._exit(code)
        deadline = time.monotonic() + limits.wall_s
        while not (done := os.waitpid(pid, os.WNOHANG))[0] and time.monotonic() < deadline:
            time.sleep(0.01)
        if not done[0]:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            status = "timeout"
        else:
            status = "ok" if os.waitstatus_to_exitcode(done[1]) == 0 else "crashed"
        print(status, flush=True)


_zygotes = threading.local()


def _zygote() -> subprocess.Popen:
    """This thread's zygote: a clean parent for every run, which has only imported libraries.

    Forking the grader itself is unsafe once it has computed with torch on several threads (an
    OpenMP pool does not survive fork: the child hangs), and judges do exactly that. The zygote
    never computes, so its children start as a fresh kernel would, minus the imports.
    """
    process = getattr(_zygotes, "process", None)
    if process is None or process.poll() is not None:
        process = subprocess.Popen([sys.executable, "-m", "vlmkit.grading.engine.fast_path"], text=True,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        _zygotes.process = process
    return process


def run_forked(workdir: Path, limits: Limits = Limits()) -> RunResult:
    """Execute workdir/notebook.ipynb in a child of the zygote; outputs as run_notebook's."""
    workdir = Path(workdir).resolve()
    for name in OUTPUTS:
        (workdir / name).touch()
    zygote = _zygote()
    zygote.stdin.write(json.dumps({"workdir": str(workdir), "limits": asdict(limits)}) + "\n")
    zygote.stdin.flush()
    status = zygote.stdout.readline().strip()
    if status == "timeout":
        return timed_out(limits)
    # The executed copy is written last: empty means the run died before the end (os._exit too).
    if status == "ok" and (workdir / "executed.ipynb").stat().st_size > 0:
        return RunResult("ok", "")
    return KERNEL_DIED


if __name__ == "__main__":
    _serve()
