"""The limits every sandboxed notebook runs under: their one definition, and how an instructor sets them.

    limits = load_limits()                                  # defaults < autograder/limits.toml
    limits = load_limits(overrides={"processes": "128"})    # < command-line flags

The defaults are the fields of `Limits` below and nowhere else. `autograder/limits.toml` is
optional; it holds any of the field names at top level (sizes may be written "8G", "256M"):

    wall_s = 900
    processes = 128
    group_memory_bytes = "4G"

`vlmkit autograde` and `vlmkit selfcheck` read it and apply `--timeout`, `--cell-timeout` and
`--limit NAME=VALUE` on top; `vlmkit doctor` prints the limits in force and where each applies.
"""

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from vlmkit import paths
from vlmkit.errors import KitError

CONFIG = paths.AUTOGRADER / "limits.toml"


def _limit(default, what: str, why: str = ""):
    """A field of Limits with its help: `what` it bounds (doctor and the docs' table show it
    beside the name), and `why` it is set so, where that needs saying."""
    return field(default=default, metadata={"what": what, "why": why})


@dataclass(frozen=True)
class Limits:
    wall_s: int = _limit(600, "seconds per notebook")
    cell_s: int = _limit(120, "seconds per cell", "then the kernel is interrupted")
    memory_bytes: int = _limit(8 << 30, "address space per process", "torch alone maps about 3.3 GB")
    group_memory_bytes: int = _limit(6 << 30, "memory of a whole run", "resident memory; only where cgroups work")
    processes: int = _limit(256, "tasks of a whole run", "the cgroup's pids.max, and RLIMIT_NPROC of the run's own uid")
    file_bytes: int = _limit(64 << 20, "size of one file")
    tmp_bytes: int = _limit(256 << 20, "the sandbox's /tmp", "a RAM-backed tmpfs")
    threads: int = _limit(2, "BLAS threads, split over --jobs", "BLAS/OpenMP threads of a batch")
    cgroups: bool = _limit(True, "use cgroups where writable", "false tests the fallback without them")
    learner_uid: int = _limit(1_800_000_000, "first uid of learner runs",
                              "a root grader runs learner code as this uid plus a per-run offset (a range no "
                              "account uses), so that RLIMIT_NPROC binds it; 0 keeps the grader's own uid")
    sandbox: bool = _limit(True, "run notebooks in bubblewrap", "false only for benchmarks of the sandbox's own cost")


FIELDS = {f.name: f.type for f in dataclasses.fields(Limits)}
WHAT = {f.name: f.metadata["what"] for f in dataclasses.fields(Limits)}
SIZE = re.compile(r"(\d+)\s*([KMGT]?)i?B?", re.IGNORECASE)
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _parse(name: str, value, source: str):
    kind = FIELDS[name]
    if kind is bool:
        if isinstance(value, bool):
            return value
        if str(value).lower() in TRUE | FALSE:
            return str(value).lower() in TRUE
        raise KitError(f"{source}: {name} must be true or false, not {value!r}")
    if isinstance(value, int) and not isinstance(value, bool):
        parsed = value
    else:
        match = SIZE.fullmatch(str(value).strip())
        if not match:
            raise KitError(f"{source}: {name} must be a whole number (sizes may end in K, M, G), "
                           f"not {value!r}")
        parsed = int(match.group(1)) << (10 * " KMGT".index(match.group(2).upper() or " "))
    if parsed < 0:
        raise KitError(f"{source}: {name} must not be negative")
    return parsed


def _checked(settings: dict, source: str) -> dict:
    unknown = sorted(set(settings) - set(FIELDS))
    if unknown:
        raise KitError(f"{source}: unknown limit {', '.join(unknown)} (known: {', '.join(FIELDS)})")
    return {name: _parse(name, value, source) for name, value in settings.items()}


def parse_assignments(pairs) -> dict:
    """["processes=128", "cgroups=off"] (the --limit flags) → {"processes": "128", ...}."""
    settings = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        if not sep:
            raise KitError(f"--limit {pair}: write NAME=VALUE (names: {', '.join(FIELDS)})")
        settings[name.strip()] = value.strip()
    return settings


def load_limits(config: Path = CONFIG, overrides: dict | None = None) -> Limits:
    """Limits() < the config file (when it exists) < overrides (None values are skipped)."""
    settings = {}
    if config.exists():
        try:
            settings = _checked(tomllib.loads(config.read_text()), str(config))
        except tomllib.TOMLDecodeError as err:
            raise KitError(f"{config} is not valid TOML ({err}); fix or delete it") from None
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    settings.update(_checked(given, "command line"))
    limits = Limits(**settings)
    if limits.cell_s > limits.wall_s:  # a cell cannot outlast its notebook
        limits = dataclasses.replace(limits, cell_s=limits.wall_s)
    return limits


def label(name: str) -> str:
    """"wall_s (seconds per notebook)": a limit's name with what it bounds."""
    return f"{name} ({WHAT[name]})"


def shown(name: str, value):
    """A limit's value as people read it: sizes as text in GiB/MiB/KiB, the rest as they are."""
    if name.endswith("_bytes"):
        for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
            if value >= 1 << shift and value % (1 << shift) == 0:
                return f"{value >> shift} {unit}"
        return f"{value} bytes"
    return value


def limits_table() -> str:
    """The docs' table of every limit, its default and its help, from the declaration above."""
    rows = ["| limit | default | what it bounds | why |", "|---|---|---|---|"]
    for f in dataclasses.fields(Limits):
        default = shown(f.name, f.default)
        default = str(default).lower() if isinstance(default, bool) else default  # as limits.toml writes it
        rows.append(f"| `{f.name}` | {default} | {f.metadata['what']} | {f.metadata['why']} |")
    return "\n".join(rows) + "\n"
