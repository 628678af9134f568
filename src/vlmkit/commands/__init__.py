"""The VLM Checkpoint Kit's command line: self-check, grade, release and reproduce.

One module per subcommand, each only parsing arguments and calling the library (as nbgrader
keeps `apps/` apart from `converters/`).

Run `vlmkit --help` (or `python -m vlmkit --help`). Every command module exposes
`register(subparsers)`, which adds its parser and sets `func`; `func(args)` returns the exit
status. Defaults come from the functions the commands call (`defaults.default_of`). A command
line that names a subcommand imports only that one's module (and what it needs): importing
every command would import torch, nbgrader and the hub for a `vlmkit selfcheck`.

May import anything in the kit; nothing in the kit imports commands.
"""

import argparse
import gc
import importlib
import sys

from vlmkit.errors import KitError
from vlmkit.grading.sandbox.lean_imports import skip_unused_imports

# The subcommands, in the order `--help` lists them: learner, instructor, then maintainer.
COMMANDS = ["selfcheck", "lab", "submission", "course", "hub", "collect", "autograde", "class_report", "formgrader",
            "feedback", "release_feedback", "doctor", "demo", "eval", "release", "audit", "train", "testset"]


def build_parser(argv=None) -> argparse.ArgumentParser:
    """The parser with the subcommand `argv` names, or with all of them (for --help, or a typo)."""
    parser = argparse.ArgumentParser(prog="vlmkit", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    named = _named_command(sys.argv[1:] if argv is None else argv)
    for name in [named] if named else COMMANDS:
        importlib.import_module(f"vlmkit.commands.{name}").register(subparsers)
    return parser


def _named_command(argv) -> str | None:
    """The module of the subcommand that `argv` runs, if its first word names one."""
    first = next(iter(argv), "")
    module = first.replace("-", "_")
    return module if module in COMMANDS and not first.startswith("-") else None


def main(argv=None) -> int:
    """Run the command line `argv` (default: this process's own, as the `vlmkit` program)."""
    skip_unused_imports()  # before anything imports nbformat
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KitError as err:
        print(f"vlmkit {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"vlmkit {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        if argv is None:  # the program ends here: skip the exit's last garbage collection
            gc.freeze()  # (a walk over every object torch, matplotlib, nbgrader made: ~1 s)

