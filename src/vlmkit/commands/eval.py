"""`vlmkit eval`: run the pipeline on a test set, print metrics and error counts, write a report.

    vlmkit eval                                   # tiny backend, bundled test set, out/eval
    vlmkit eval --backend pretrained --data DIR --out DIR --limit 50
"""

from vlmkit.commands.defaults import default_of
from vlmkit.evaluation.report import BACKENDS, run_eval


def register(subparsers):
    parser = subparsers.add_parser("eval", help="evaluate the vision pipeline, write a report",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=default_of(run_eval, "backend"),
                        help=f"one of {', '.join(BACKENDS)} (default: %(default)s)")
    parser.add_argument("--data", help="test set folder (default: the bundled capstone test set)")
    parser.add_argument("--out", default=default_of(run_eval, "out"), help="report folder (default: %(default)s)")
    parser.add_argument("--limit", type=int, help="evaluate only the first N samples")
    parser.set_defaults(func=run)


def run(args) -> int:
    run_eval(args.backend, args.data, args.out, args.limit)
    return 0
