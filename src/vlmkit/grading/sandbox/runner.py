"""Execute one notebook and write the executed copy: the program that runs inside the sandbox.

    python -m vlmkit.grading.sandbox.runner IN.ipynb OUT.ipynb --cell-timeout SECONDS [--uid UID] [--wait]
                                    [--preload JSON] [--fork-kernel]

sandbox.py starts it with the limits of limits.py (so no limit has a default here). With
`--uid`, it first becomes that unprivileged uid for good (inside bwrap, which starts as root to
set up the mounts), so nothing of the learner's ever runs with the grader's rights. It starts
the kernel first, which boots while the rest of the runner is imported, and connects to it; with
`--wait` (a sandbox started ahead, prestart.py) it then waits for a line on stdin, which the grader
sends once IN.ipynb is in place, so a kernel started ahead is ready when its notebook comes. With
`--preload`, the kernel imports the libraries its notebook will import as it boots
(kernel_preload.py), binding no name. With `--fork-kernel` (a runner forked from the zygote,
zygote.py, which has imported all of that), the kernel is a fork of the runner (forked_kernel.py).

The kernel inherits this process's environment (VLMKIT_RECORD, VLMKIT_CASES), so `check()`
calls in it append their records to the grader's file. Cell errors do not stop the run: each
test cell is judged on its own. Output is capped per cell (capped_client.py).

For grading/sandbox/timings.py it marks in the executed copy's metadata when it started (before its own
imports), when those it needs to start the kernel were done, when its notebook was given
(`--wait`), when the kernel was ready and when the cells were done, and nbclient stamps each
cell (record_timing); nothing of it is graded.
"""

import time

_STARTED = time.time()  # before the imports below: their cost is one of the phases measured

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from jupyter_client.manager import AsyncKernelManager  # noqa: E402
from jupyter_core.utils import run_sync  # noqa: E402

from vlmkit.grading.sandbox.accounts import become  # noqa: E402
from vlmkit.grading.sandbox.forked_kernel import install as install_forked_kernel  # noqa: E402
from vlmkit.grading.sandbox.kernel_preload import kernel_line  # noqa: E402
from vlmkit.grading.sandbox.lean_imports import skip_unused_imports  # noqa: E402


def start_kernel(preload=()) -> AsyncKernelManager:
    """A python3 kernel, as NotebookClient would start it (history in memory, this folder), that
    imports `preload` (kernel_preload.imports_of's entries) before it reports ready."""
    manager = AsyncKernelManager(kernel_name="python3")
    arguments = ["--HistoryManager.hist_file=:memory:"]
    if preload:
        arguments.append(f"--IPKernelApp.exec_lines={kernel_line(preload)}")
    run_sync(manager.start_kernel)(extra_arguments=arguments)
    return manager


def execute(in_path, out_path, cell_timeout, wait=False, preload=(), started=_STARTED):
    marks = {"started": started, "imported": time.time()}
    status = "ok"
    try:  # it boots while the rest is imported and the notebook read (or, started ahead, awaited)
        kernel = start_kernel(preload)
    except Exception as err:  # the run fails as a kernel that died at once would
        kernel, status = None, _failure(err)
    skip_unused_imports()  # before nbformat's import
    import nbformat

    from vlmkit.grading.sandbox.capped_client import CappedClient
    from vlmkit.grading.sandbox.timings import RUNNER_KEY

    client = CappedClient(
        nbformat.v4.new_notebook(),  # the notebook comes after the go (started ahead)
        km=kernel,
        timeout=cell_timeout,
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": "CellTimeout", "evalue": f"cell ran longer than {cell_timeout} s",
                          "traceback": []},
        record_timing=True,
        on_notebook_start=lambda **_: marks.setdefault("kernel_ready", time.time()),
    )
    if status == "ok":
        try:  # connect and wait for the kernel's ready (0.2 s of silence on IOPub) before the go
            client.start_new_kernel_client()
        except Exception as err:  # it died booting: the run fails as a kernel that died at once would
            status = _failure(err)
    if wait:
        sys.stdin.readline()  # the grader's go: IN.ipynb is in place (or the grader is gone)
        marks["notebook_given"] = time.time()
    with open(in_path, encoding="utf-8") as notebook:  # the kit wrote it: no schema validation
        nb = nbformat.v4.reads(notebook.read())
    client.nb = nb
    try:
        if status == "ok":
            client.execute(cleanup_kc=False)  # the kernel is ours: killed below
    except Exception as err:  # a dead kernel ends the run; what ran so far still counts
        status = _failure(err)
    finally:
        _kill(kernel)
    marks["cells_done"] = time.time()
    nb.metadata[RUNNER_KEY] = marks
    with open(out_path, "w", encoding="utf-8") as executed:  # the grader reads it as plain JSON
        executed.write(nbformat.v4.writes(nb))
    return status


def _kill(kernel) -> None:
    """Kill the kernel (its provisioner's kill: SIGKILL to its process group) and reap it at once.
    After the last cell its state is of no use, and jupyter_client's own shutdown polls for the
    kernel's end every 0.1 s."""
    provisioner = getattr(kernel, "provisioner", None)
    process = getattr(provisioner, "process", None)
    if process is None:  # it never started
        return
    run_sync(provisioner.kill)()
    process.wait()


def _failure(err: Exception) -> str:
    return f"{type(err).__name__}: {str(err).splitlines()[0][:200] if str(err) else ''}"


def main(argv=None, started=_STARTED):
    """The runner's command line; `started`: when it began, for a runner forked from the zygote."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("output")
    parser.add_argument("--cell-timeout", type=int, required=True)
    parser.add_argument("--uid", type=int, help="become this uid before running anything")
    parser.add_argument("--wait", action="store_true", help="start the kernel, then wait for a line on stdin")
    parser.add_argument("--preload", type=json.loads, default=(),
                        help="imports for the kernel to make as it boots: kernel_preload.imports_of's entries, as JSON")
    parser.add_argument("--fork-kernel", action="store_true", help="fork the kernel from this process")
    args = parser.parse_args(argv)
    if args.uid is not None:
        become(args.uid)
    if args.fork_kernel:
        install_forked_kernel()
    status = execute(args.notebook, args.output, args.cell_timeout, args.wait, args.preload, started)
    print(f"runner status: {status}", file=sys.stderr)
    return 0 if status == "ok" else 3


if __name__ == "__main__":
    code = main()
    sys.stderr.flush()
    # Everything is written and the kernel is stopped: skip the interpreter's teardown (zmq's
    # context waits out its sockets' linger), 0.2 s of every run.
    os._exit(code)
