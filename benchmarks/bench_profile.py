"""Where grading's time goes, phase by phase: the yardstick later speed-ups are measured against.

    python benchmarks/bench_profile.py [--skip-pyspy]

Prints a phase table (seconds) for
  (a) one sandboxed notebook (q5, then q1, of the complete example) graded by
      `vlmkit autograde --jobs 1` from a shell: grader start, each engine phase, the sandbox's
      own phases (sandbox start, runner imports, kernel start, each cell), the class outputs, exit;
  (b) `vlmkit selfcheck` of q5 in this process (warm: the second of two runs) and from a shell;
  (c) `vlmkit selfcheck` of all seven notebooks from a shell, phases summed over the notebooks;
  (d) where py-spy is installed, the functions the cold q5 selfcheck spends its samples in;
and the ten heaviest imports of that selfcheck (`python -X importtime`). The phases come from
grading/timings.py through $VLMKIT_TIMINGS; "grader start" is from launching the command to its
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
from vlmkit.grading.selfcheck import selfcheck
from vlmkit.grading.timings import ENV

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
    """[(phase, seconds)]: grader start, the records' phases summed by name, exit, wall."""
    if not records:
        return [("wall (no phases recorded)", ended - launched)]
    summed = {}
    for record in records:
        for name, seconds in record["phases"].items():
            summed[name] = summed.get(name, 0.0) + seconds
    last_end = max(r["started"] + sum(s for n, s in r["phases"].items() if "/" not in n) for r in records)
    return ([("grader start", min(r["started"] for r in records) - launched)] + list(summed.items())
            + [("exit", ended - last_end), ("wall", ended - launched)])


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
    return list(record["phases"].items()) + [("wall", wall)]


def pyspy_summary(question: str, tmp: Path, top: int = 12) -> None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print("\n(d) py-spy is not installed (pip install py-spy): no sampled profile")
        return
    raw = tmp / "pyspy.txt"
    done = subprocess.run([spy, "record", "--format", "raw", "--rate", "200", "--subprocesses", "-o", str(raw),
                           "--", VLMKIT, "selfcheck", str(notebook(question))], capture_output=True, text=True)
    if not raw.exists() or not raw.read_text().strip():
        print(f"\n(d) py-spy could not sample here: {(done.stderr.strip().splitlines() or ['no output'])[-1]}")
        return
    own, total, samples = Counter(), Counter(), 0
    for line in raw.read_text().splitlines():  # "frame;frame;...;leaf count", one line per stack
        stack, _, count = line.rpartition(" ")
        frames, n = stack.split(";"), int(count)
        samples += n
        own[frames[-1]] += n
        for frame in set(frames):
            total[frame] += n
    print(f"\n(d) py-spy, cold selfcheck of {question} and its sandbox ({samples} samples at 200 Hz)")
    print("  own time (the function itself):")
    for frame, n in own.most_common(top):
        print(f"    {100 * n / samples:5.1f}%  {frame[:110]}")
    print("  with what it calls (process and thread roots left out):")
    roots = [f for f, n in total.items() if n == samples or f.startswith(("process ", "thread "))]
    for frame, n in Counter({f: n for f, n in total.items() if f not in roots}).most_common(top):
        print(f"    {100 * n / samples:5.1f}%  {frame[:110]}")


def heaviest_imports(question: str, top: int = 10) -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", VLMKIT, "selfcheck", str(notebook(question))],
                          capture_output=True, text=True)
    rows = []
    for line in done.stderr.splitlines():  # "import time: self [us] | cumulative | imported package"
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit() and not parts[2].startswith("  "):
            rows.append((int(parts[1]) / 1e6, parts[2].strip()))  # top-level imports only: no double count
    print(f"\nheaviest imports of a cold selfcheck of {question} (python -X importtime, cumulative s)")
    for seconds, name in sorted(rows, reverse=True)[:top]:
        print(f"  {name:<40} {seconds:8.3f}")


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
        print_table(f"(c) vlmkit selfcheck, all {len(NOTEBOOKS)} notebooks from a shell (phases summed)",
                    command_rows(*timed_command([VLMKIT, "selfcheck", *map(str, NOTEBOOKS)], tmp)))
        if not args.skip_pyspy:
            pyspy_summary("q5", tmp)
        heaviest_imports("q5")


if __name__ == "__main__":
    main()
