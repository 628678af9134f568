"""Where grading's time goes, phase by phase: the yardstick later speed-ups are measured against.

    python benchmarks/bench_profile.py [--skip-pyspy]

Prints a phase table (seconds) for
  (a) one sandboxed notebook (q5, then q1, of the complete example) graded by
      `vlmkit autograde --jobs 1` from a shell: grader start, each engine phase, the sandbox's
      own phases (sandbox start, runner imports, kernel start, each cell; for a sandbox started
      ahead, grading/sandbox/prestart.py, what was left of its start at the hand-over), the class
      outputs, exit;
  (b) `vlmkit selfcheck` of q5 in this process (warm: the second of two runs) and from a shell;
  (c) `vlmkit selfcheck` of all seven notebooks from a shell, phases summed over the notebooks
      (it checks two at once, so the sums can exceed the wall time);
  (d) where py-spy is installed, the processes and functions a cold q5 selfcheck spends its
      Python time in (samples of threads holding the GIL);
and the ten heaviest imports of that selfcheck (`python -X importtime`). The phases come from
grading/sandbox/timings.py through $VLMKIT_TIMINGS; "grader start" is from launching the command to its
first notebook, "exit" from its last phase to the process's end.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from vlmkit import paths
from vlmkit.grading.sandbox.timings import ENV
from vlmkit.grading.workflows.selfcheck import selfcheck

COMPLETE = paths.EXAMPLES / "complete"
VLMKIT = str(Path(sys.executable).with_name("vlmkit"))
NOTEBOOKS = sorted(COMPLETE.glob("*/*.ipynb"))


def notebook(question: str) -> Path:
    return next(p for p in NOTEBOOKS if p.name.startswith(question + "_"))


def timed_command(args: list, tmp: Path) -> tuple[float, float, list]:
    """(launch time, end time, timing records) of one command run with $VLMKIT_TIMINGS set."""
    record_file = tmp / "timings.jsonl"
    record_file.unlink(missing_ok=True)
    launched = time.time()
    done = subprocess.run(args, env={**os.environ, ENV: str(record_file)}, capture_output=True, text=True)
    ended = time.time()
    if done.returncode not in (0, 1):  # selfcheck exits 1 when a question falls short
        sys.exit(f"{' '.join(args[:2])} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    records = [json.loads(line) for line in record_file.read_text().splitlines()] if record_file.exists() else []
    return launched, ended, records


def command_rows(launched: float, ended: float, records: list) -> list:
    """[(phase, seconds)]: grader start, the records' phases summed by name, exit, wall.

    Over several notebooks the cells are summed as the first cell of each (its setup) and the
    rest, and each notebook's own total follows.
    """
    if not records:
        return [("wall (no phases recorded)", ended - launched)]
    summed, notebooks = {}, [r for r in records if any("/cell " in name for name in r["phases"])]
    for record in records:
        for name, seconds in with_residual(record["phases"], many=len(notebooks) > 1):
            summed[name] = summed.get(name, 0.0) + seconds
    totals = [(f"{r['label']}: its phases", _own_seconds(r["phases"])) for r in notebooks if len(notebooks) > 1]
    last_end = max(r["started"] + _own_seconds(r["phases"]) for r in records)
    return ([("grader start", min(r["started"] for r in records) - launched)] + list(summed.items())
            + totals + [("exit", ended - last_end), ("wall", ended - launched)])


def _own_seconds(phases: dict) -> float:
    return sum(s for n, s in phases.items() if "/" not in n)  # a "phase/part" is inside its phase


def with_residual(phases: dict, many: bool = False) -> list:
    """The phases in order, each one's unaccounted time as a last part ("between cells, set-up")."""
    rows = []
    for name, seconds in phases.items():
        if "/" in name:
            continue
        parts = {n: s for n, s in phases.items() if n.startswith(name + "/")}
        cells = [n for n in parts if n.startswith(name + "/cell ")]
        if many and cells:  # cells of different notebooks share no names: sum the first one and the rest
            first = next((n for n in cells if n[len(name) + 1:].split(" ")[1] == "1"), None)
            parts = {n: s for n, s in parts.items() if n not in cells}
            parts[name + "/first cell (setup)"] = phases[first] if first else 0.0
            parts[name + "/other cells"] = sum(phases[n] for n in cells if n != first)
        rows.append((name, seconds))
        rows += parts.items()
        if parts:
            rows.append((name + "/between cells, set-up", seconds - sum(parts.values())))
    return rows


def print_table(title: str, rows: list) -> None:
    print(f"\n{title}")
    for name, seconds in rows:
        label = "    " + name.split("/", 1)[1] if "/" in name else name  # a part of the phase above
        print(f"  {label:<40} {seconds:8.3f}")


def autograde_one(question: str, tmp: Path) -> list:
    subs = tmp / f"subs-{question}"
    (subs / "student" / "checkpoint").mkdir(parents=True)
    shutil.copy(notebook(question), subs / "student" / "checkpoint")  # the other questions: missing
    return command_rows(*timed_command([VLMKIT, "autograde", str(subs), "--out", str(tmp / f"out-{question}"),
                                        "--jobs", "1", "-q"], tmp))


def selfcheck_warm(question: str, tmp: Path) -> list:
    record_file = tmp / "warm.jsonl"
    os.environ[ENV] = str(record_file)
    try:
        selfcheck([notebook(question)])  # the first run imports and loads what the second reuses
        record_file.unlink(missing_ok=True)
        start = time.perf_counter()
        selfcheck([notebook(question)])
        wall = time.perf_counter() - start
    finally:
        del os.environ[ENV]
    (record,) = [json.loads(line) for line in record_file.read_text().splitlines()]
    return with_residual(record["phases"]) + [("wall", wall)]


def pyspy_summary(question: str, tmp: Path, top: int = 12) -> None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print("\n(d) py-spy is not installed (pip install py-spy): no sampled profile")
        return
    raw = tmp / "pyspy.txt"
    done = subprocess.run([spy, "record", "--format", "raw", "--rate", "200", "--subprocesses", "--gil",
                           "-o", str(raw), "--", VLMKIT, "selfcheck", str(notebook(question))],
                          capture_output=True, text=True)
    if not raw.exists() or not raw.read_text().strip():
        print(f"\n(d) py-spy could not sample here: {(done.stderr.strip().splitlines() or ['no output'])[-1]}")
        return
    own, by_process, imports, samples = Counter(), Counter(), Counter(), 0
    for line in raw.read_text().splitlines():  # 'process 1:"cmd";process 2:"cmd";frame;...;leaf count'
        stack, _, count = line.rpartition(" ")
        frames, n = stack.split(";"), int(count)
        samples += n
        processes = [f for f in frames if f.startswith("process ")]  # a child's stack starts with its parents
        by_process[processes[-1].partition(":")[2][:100] if processes else "?"] += n
        own[frames[-1] if not frames[-1].startswith("process ") else "(no Python frame: native code)"] += n
        # the outermost package import not of the kit's own ([0] is the script or the cell)
        packages = [f[len("<module> ("):].split("/")[0].split(".py")[0] for f in frames if f.startswith("<module> (")]
        imported = [p for p in packages[1:] if p != "vlmkit" and not p.isdigit()]  # digits: a notebook cell
        imports[imported[0] if imported else "(no import)"] += n
    print(f"\n(d) py-spy, cold selfcheck of {question} and its sandbox: {samples} samples at 200 Hz of a thread"
          " holding the GIL (Python at work, not waiting)")
    print("  by process:")
    for process, n in by_process.most_common():
        print(f"    {100 * n / samples:5.1f}%  {process}")
    print("  by the package whose import it happens in (outermost; not the kit's own modules):")
    for package, n in imports.most_common(top):
        print(f"    {100 * n / samples:5.1f}%  {package}")
    print("  by function (its own time):")
    for frame, n in own.most_common(top):
        print(f"    {100 * n / samples:5.1f}%  {frame[:110]}")


def heaviest_imports(question: str, top: int = 10) -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", VLMKIT, "selfcheck", str(notebook(question))],
                          capture_output=True, text=True)
    kit, packages = [], {}
    for line in done.stderr.splitlines():  # "import time: self [us] | cumulative | imported package"
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        seconds, name = int(parts[1]) / 1e6, parts[2].strip()
        root = name.split(".")[0]
        if root == "vlmkit" and not parts[2].startswith("  "):  # the kit's own, as the grader imports them
            kit.append((seconds, name))
        elif root != "vlmkit":  # a package's largest entry is the import that brought it in
            packages[root] = max(packages.get(root, 0.0), seconds)
    print(f"\nheaviest imports of a cold selfcheck of {question} (python -X importtime, cumulative s)")
    print("  the kit's modules, as the grader imports them:")
    for seconds, name in sorted(kit, reverse=True)[:top]:
        print(f"    {name:<38} {seconds:8.3f}")
    print("  packages (the import that first brought each in; they nest, so the figures overlap):")
    for name, seconds in sorted(packages.items(), key=lambda item: -item[1])[:top]:
        print(f"    {name:<38} {seconds:8.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-pyspy", action="store_true")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (phases in seconds)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for question in ("q5", "q1"):
            print_table(f"(a) vlmkit autograde --jobs 1, one sandboxed notebook: {question}",
                        autograde_one(question, tmp))
        print_table("(b) vlmkit selfcheck q5, in-process (warm)", selfcheck_warm("q5", tmp))
        print_table("(b) vlmkit selfcheck q5, from a shell (cold)",
                    command_rows(*timed_command([VLMKIT, "selfcheck", str(notebook("q5"))], tmp)))
        print_table(f"(c) vlmkit selfcheck, all {len(NOTEBOOKS)} notebooks from a shell (phases summed, 2 at once)",
                    command_rows(*timed_command([VLMKIT, "selfcheck", *map(str, NOTEBOOKS)], tmp)))
        if not args.skip_pyspy:
            pyspy_summary("q5", tmp)
        heaviest_imports("q5")


if __name__ == "__main__":
    main()
