"""`vlmkit eval`: run the pipeline on a test set, print metrics and error counts, write a report.

    vlmkit eval                                   # tiny backend, bundled test set, out/eval
    vlmkit eval --backend pretrained --data DIR --out DIR --limit 50

From Python (what `vlmkit demo` calls):

    from vlmkit.eval_cli import run_eval
    summary = run_eval(backend="tiny", out="out/eval")
"""

from pathlib import Path

from vlmkit.errors import KitError
from vlmkit.eval_report import write_report
from vlmkit.evaluation import ERROR_CATEGORIES, error_analysis, evaluate, format_summary

BACKENDS = ("tiny", "pretrained")
DEFAULT_OUT = "out/eval"


def register(subparsers):
    parser = subparsers.add_parser("eval", help="evaluate the vision pipeline, write a report",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="tiny", help=f"one of {', '.join(BACKENDS)}")
    parser.add_argument("--data", help="test set folder (default: the bundled capstone test set)")
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"report folder (default {DEFAULT_OUT})")
    parser.add_argument("--limit", type=int, help="evaluate only the first N samples")
    parser.set_defaults(func=run)


def run(args) -> int:
    run_eval(args.backend, args.data, args.out, args.limit)
    return 0


def run_eval(backend="tiny", data=None, out=DEFAULT_OUT, limit=None, verbose=True) -> dict:
    """Load the test set and the pipeline, then `evaluate_and_report`; returns the summary."""
    if backend not in BACKENDS:
        raise KitError(f"unknown backend {backend!r}; use one of: {', '.join(BACKENDS)}")
    if data is not None and not Path(data).is_dir():
        raise KitError(f"test data folder {data} not found; pass an existing folder to --data "
                       "or leave it out to use the bundled test set")
    if limit is not None and limit < 1:
        raise KitError(f"--limit must be at least 1 (got {limit})")
    from vlmkit.pipeline import Pipeline  # imported here: torch and the models load only when needed
    from vlmkit.world import load_samples

    samples = load_samples(data)[:limit]
    if not samples:
        raise KitError(f"no test samples in {data or 'the bundled test set'}; "
                       "regenerate it or point --data at a folder with samples")
    return evaluate_and_report(Pipeline(backend=backend), samples, out, verbose=verbose)


def evaluate_and_report(pipeline, samples, out=DEFAULT_OUT, verbose=True) -> dict:
    """Evaluate, print the metrics table and error counts, write the report; returns the summary."""
    predictions, summary = evaluate(pipeline, samples, progress=verbose)
    errors = error_analysis(samples, predictions)
    paths = write_report(out, samples, predictions, summary, errors)
    if verbose:
        print(format_summary(summary))
        print("\nerrors: " + ", ".join(f"{c} {len(errors[c])}" for c in ERROR_CATEGORIES))
        print(f"report: {paths['html']}")
    return summary
