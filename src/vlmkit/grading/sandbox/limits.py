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
from dataclasses import dataclass
from pathlib import Path

from vlmkit import paths
from vlmkit.errors import KitError

CONFIG = paths.AUTOGRADER / "limits.toml"


@dataclass(frozen=True)
class Limits:
    wall_s: int = 600  # the whole notebook
    cell_s: int = 120  # one cell, then the kernel is interrupted
    memory_bytes: int = 8 << 30  # address space per process (torch alone maps ~3.3 GB)
    group_memory_bytes: int = 6 << 30  # resident memory of the whole run, where cgroups work
    # processes of the whole run: the cgroup's pids.max, and RLIMIT_NPROC of the run's own uid
    processes: int = 256
    file_bytes: int = 64 << 20
    tmp_bytes: int = 256 << 20  # the sandbox's private /tmp (a RAM-backed tmpfs)
    threads: int = 2  # BLAS/OpenMP threads of a batch, shared out over autograde's --jobs
    cgroups: bool = True  # False: never use cgroups, even where writable (tests the fallback)
    # A grader running as root runs learner code as uid learner_uid + a per-run offset (a range
    # no account uses), so that RLIMIT_NPROC binds it; 0 keeps the grader's own uid.
    learner_uid: int = 1_800_000_000
    sandbox: bool = True  # False only for benchmarks that measure the sandbox's own cost


FIELDS = {f.name: f.type for f in dataclasses.fields(Limits)}
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
