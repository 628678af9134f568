"""Writes an evaluation's report: report.json, the plots as PNG and one self-contained report.html.

    from vlmkit.evaluation.report import run_eval, write_report
    summary = run_eval(backend="tiny", out="out/eval")     # what `vlmkit eval` and `vlmkit demo` call
    paths = write_report("out/eval", samples, predictions, summary, errors)

report.json holds the summary, error counts and entries, the scene confusion matrix and every
raw prediction; report.html embeds the same plots as base64, so it can be mailed or opened
offline as a single file.
"""

import base64
import html
import json
from pathlib import Path

from vlmkit.errors import KitError
from vlmkit.evaluation import pictures
from vlmkit.evaluation.harness import ERROR_CATEGORIES, error_analysis, evaluate, format_summary, scene_confusion

LISTED_PER_CATEGORY = 20  # rows per category in the HTML failure tables
BACKENDS = ("tiny", "pretrained")
DEFAULT_OUT = "out/eval"


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


def _jsonable(obj):
    """JSON fallback for what a real pipeline may return: numpy/torch values, paths."""
    if hasattr(obj, "tolist"):
        return obj.tolist()
    return str(obj)


def write_report(out_dir, samples, predictions, summary, errors=None, per_category=4,
                 title="VLM pipeline evaluation") -> dict:
    """Write everything under out_dir; returns {'json', 'html', <plot name>: png path}."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if errors is None:
        errors = error_analysis(samples, predictions)
    pngs = {
        "metrics": pictures.fig_to_png(pictures.plot_metrics(summary)),
        "scene_confusion": pictures.fig_to_png(pictures.plot_scene_confusion(samples, predictions)),
        "failures": pictures.fig_to_png(pictures.plot_failures(samples, predictions, errors, per_category)),
    }
    paths = {}
    for name, png in pngs.items():
        paths[name] = out / f"{name}.png"
        paths[name].write_bytes(png)

    labels, counts = scene_confusion(samples, predictions)
    report = {
        "summary": summary,
        "error_counts": {c: len(errors[c]) for c in ERROR_CATEGORIES},
        "errors": errors,
        "scene_confusion": {"labels": labels, "counts": counts},
        "predictions": [{"index": i, "image": s.get("image"), **p}
                        for i, (s, p) in enumerate(zip(samples, predictions, strict=True))],
    }
    paths["json"] = out / "report.json"
    paths["json"].write_text(json.dumps(report, indent=1, default=_jsonable))
    paths["html"] = out / "report.html"
    paths["html"].write_text(_html(title, summary, errors, pngs))
    return paths


def _mean(stat) -> str:
    return "n/a" if stat["mean"] is None else f"{stat['mean']:.3f}"


def _img(png) -> str:
    return f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _html(title, summary, errors, pngs) -> str:
    esc = html.escape
    metric_rows = "".join(
        f"<tr><td>{esc(k)}</td><td>{_mean(v)}</td><td>{v['count']}</td></tr>"
        for k, v in summary.items())
    count_rows = "".join(f"<tr><td>{c}</td><td>{len(errors[c])}</td></tr>"
                         for c in ERROR_CATEGORIES)
    failure_tables = "".join(
        f"<h3>{c} ({len(errors[c])})</h3><table><tr><th>sample</th><th>what went wrong</th></tr>"
        + "".join(f"<tr><td>#{e['index']}</td><td>{esc(pictures.describe_error(c, e))}</td></tr>"
                  for e in pictures.worst_first(errors[c], LISTED_PER_CATEGORY))
        + "</table>" for c in ERROR_CATEGORIES if errors[c])
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:3px 8px}}
img{{max-width:100%}}</style></head><body>
<h1>{esc(title)}</h1>
<h2>Metrics</h2>
<table><tr><th>metric</th><th>mean</th><th>count</th></tr>{metric_rows}</table>
{_img(pngs["metrics"])}
<h2>Scene confusion</h2>
{_img(pngs["scene_confusion"])}
<h2>Errors</h2>
<table><tr><th>category</th><th>count</th></tr>{count_rows}</table>
<h2>Worst failures</h2>
{_img(pngs["failures"])}
{failure_tables}
</body></html>
"""
