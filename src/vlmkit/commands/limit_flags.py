"""The limit flags that `vlmkit autograde`, `selfcheck` and `doctor` share (not a subcommand).

    --timeout S  --cell-timeout S  --limit NAME=VALUE (repeatable: any field of grading.limits.Limits)

Flags override autograder/limits.toml, which overrides the defaults in grading/sandbox/limits.py; the
help text shows those defaults, read from Limits itself.
"""

from vlmkit.grading.sandbox.limits import FIELDS, Limits, load_limits, parse_assignments


def add_limit_flags(parser) -> None:
    parser.add_argument("--timeout", type=int, help=f"seconds per notebook (default: {Limits().wall_s}, "
                                                    "or wall_s in autograder/limits.toml)")
    parser.add_argument("--cell-timeout", type=int, help=f"seconds per cell (default: {Limits().cell_s}, "
                                                         "or cell_s in autograder/limits.toml)")
    parser.add_argument("--limit", action="append", metavar="NAME=VALUE",
                        help=f"any other limit, e.g. processes=128 or group_memory_bytes=4G "
                             f"(names: {', '.join(FIELDS)}); `vlmkit doctor` shows those in force")


def limits_from(args) -> Limits:
    overrides = parse_assignments(args.limit)
    for name, value in (("wall_s", args.timeout), ("cell_s", args.cell_timeout)):
        if value is not None:
            overrides[name] = value
    return load_limits(overrides=overrides)
