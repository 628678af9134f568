"""`vlmkit submission`: zip your notebooks to hand in (the bundle's `make submission`).

    vlmkit submission                         # the kit's notebooks/ into ./submission.zip
    vlmkit submission --notebooks DIR --out me.zip

Only the course's notebooks go in (no `.ipynb_checkpoints/`, no hidden or scratch files).
"""

from pathlib import Path

from vlmkit import paths
from vlmkit.grading.workflows.submission import zip_submission


def register(subparsers):
    parser = subparsers.add_parser("submission", help="zip your notebooks to hand in")
    parser.add_argument("--notebooks", default=str(paths.NOTEBOOKS),
                        help="the folder of your notebooks (default: %(default)s)")
    parser.add_argument("--out", default="submission.zip", help="the zip to write (default: %(default)s)")
    parser.set_defaults(func=run)


def run(args) -> int:
    written, missing = zip_submission(Path(args.notebooks), Path(args.out))
    if missing:
        print(f"not found, left out: {', '.join(missing)}")
    print(f"{args.out} written ({len(written)} notebooks): hand it in")
    return 0
