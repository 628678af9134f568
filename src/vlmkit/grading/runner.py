"""Execute one notebook and write the executed copy: the program that runs inside the sandbox.

    python -m vlmkit.grading.runner IN.ipynb OUT.ipynb --cell-timeout SECONDS [--uid UID]

sandbox.py starts it with the limits of limits.py (so no limit has a default here). With
`--uid`, it first becomes that unprivileged uid for good (inside bwrap, which starts as root to
set up the mounts), so nothing of the learner's ever runs with the grader's rights.

The kernel inherits this process's environment (VLMKIT_RECORD, VLMKIT_CASES), so `check()`
calls in it append their records to the grader's file. Cell errors do not stop the run: each
test cell is judged on its own. Output is capped per cell so a print loop cannot produce a
feedback file of hundreds of MB.

For grading/timings.py it marks in the executed copy's metadata when it started (before its own
imports), when those were done, when the kernel was ready and when the cells were done, and
nbclient stamps each cell (record_timing); nothing of it is graded.
"""

import time

_STARTED = time.time()  # before the imports below: their cost is one of the phases measured

import argparse  # noqa: E402
import sys  # noqa: E402

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from vlmkit.grading.accounts import become  # noqa: E402
from vlmkit.grading.timings import RUNNER_KEY  # noqa: E402

MAX_OUTPUT_CHARS_PER_CELL = 20_000
TRUNCATED = "\n[... output truncated by the grader ...]\n"


class CappedClient(NotebookClient):
    """NotebookClient that keeps at most MAX_OUTPUT_CHARS_PER_CELL characters of output per cell."""

    def output(self, outs, msg, display_id, cell_index):
        size = sum(len(str(o.get("text", ""))) + len(str(o.get("data", ""))) for o in outs)
        if size > MAX_OUTPUT_CHARS_PER_CELL:
            if not (outs and outs[-1].get("text") == TRUNCATED):
                outs.append(nbformat.v4.new_output("stream", name="stderr", text=TRUNCATED))
            return None
        return super().output(outs, msg, display_id, cell_index)


def execute(in_path, out_path, cell_timeout):
    marks = {"started": _STARTED, "imported": time.time()}
    nb = nbformat.read(in_path, as_version=4)
    client = CappedClient(
        nb,
        timeout=cell_timeout,
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": "CellTimeout", "evalue": f"cell ran longer than {cell_timeout} s",
                          "traceback": []},
        kernel_name="python3",
        record_timing=True,
        on_notebook_start=lambda **_: marks.setdefault("kernel_ready", time.time()),
    )
    status = "ok"
    try:
        client.execute()
    except Exception as err:  # a dead kernel ends the run; what ran so far still counts
        status = f"{type(err).__name__}: {str(err).splitlines()[0][:200] if str(err) else ''}"
    marks["cells_done"] = time.time()
    nb.metadata[RUNNER_KEY] = marks
    nbformat.write(nb, out_path)
    return status


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("output")
    parser.add_argument("--cell-timeout", type=int, required=True)
    parser.add_argument("--uid", type=int, help="become this uid before running anything")
    args = parser.parse_args(argv)
    if args.uid is not None:
        become(args.uid)
    status = execute(args.notebook, args.output, args.cell_timeout)
    print(f"runner status: {status}", file=sys.stderr)
    return 0 if status == "ok" else 3


if __name__ == "__main__":
    sys.exit(main())
