"""The VLM Checkpoint Kit's command line: self-check, grade, release and reproduce.

One module per subcommand, each only parsing arguments and calling the library (as nbgrader
keeps `apps/` apart from `converters/`).

Run `vlmkit --help` (or `python -m vlmkit --help`). Every command module exposes
`register(subparsers)`, which adds its parser and sets `func`; `func(args)` returns the exit
status. Defaults come from the functions the commands call (`defaults.default_of`).

May import anything in the kit; nothing in the kit imports commands.
"""

import argparse
import importlib
import sys

from vlmkit.errors import KitError

# The subcommands, in the order `--help` lists them: learner, instructor, then maintainer.
COMMANDS = ["selfcheck", "lab", "submission", "course", "hub", "collect", "autograde", "class_report", "formgrader",
            "feedback", "release_feedback", "doctor", "demo", "eval", "release", "audit", "train", "testset"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vlmkit", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"vlmkit.commands.{name}").register(subparsers)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KitError as err:
        print(f"vlmkit {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"vlmkit {args.command}: interrupted", file=sys.stderr)
        return 130

