"""The `vlmkit` command. Thin on purpose: each subcommand lives in the module it belongs to.

Run `vlmkit --help`. Every command module exposes `register(subparsers)`, which adds its
parser and sets `func`; `func(args)` returns the exit status.
"""

import argparse
import importlib
import sys

from vlmkit.errors import KitError

# Modules that contribute subcommands, in the order `--help` lists them.
COMMAND_MODULES = [
    "vlmkit.grading.selfcheck",
    "vlmkit.grading.autograde",
    "vlmkit.grading.release",
    "vlmkit.grading.audit",
    "vlmkit.demo",
    "vlmkit.train",
    "vlmkit.eval_cli",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vlmkit", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:  # a real missing dependency, not a command not built yet
                raise
            continue
        module.register(subparsers)
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


if __name__ == "__main__":
    sys.exit(main())
