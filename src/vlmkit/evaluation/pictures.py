"""Pictures of an evaluation: boxes on images, metric bars, scene confusion, worst failures.

Every function returns a matplotlib Figure built without pyplot: nothing global to leak, it works
under the Agg backend (tests, CLI) and a returned Figure displays inline in Jupyter.

    from vlmkit.evaluation import pictures
    pictures.plot_sample(sample, prediction).savefig("sample.png")
    pictures.plot_failures(samples, predictions, errors).savefig("failures.png")

Colours: ground truth green, predictions red (dashed), the boxes an error is about yellow.
"""

import io
import textwrap

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image

from vlmkit.evaluation.harness import ERROR_CATEGORIES, scene_confusion

GT_COLOR, PRED_COLOR, FOCUS_COLOR = "lime", "red", "yellow"


def load_image(image) -> np.ndarray:
    """An RGB array from a path, a PIL image or an array."""
    if isinstance(image, np.ndarray):
        return image
    if not isinstance(image, Image.Image):
        with Image.open(image) as im:
            return np.asarray(im.convert("RGB"))
    return np.asarray(image.convert("RGB"))


def fig_to_png(fig, dpi=100) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def worst_first(entries, k=None) -> list:
    """Error entries by descending severity (ties keep sample order), the first k of them."""
    return sorted(entries, key=lambda e: -e["severity"])[:k]


def describe_error(category, entry) -> str:
    """One line saying what went wrong, for captions, the browser and the HTML report."""
    e = entry
    if category == "hallucination":
        score = "" if e.get("score") is None else f" (score {e['score']:.2f})"
        return f"hallucinated '{e['name']}'{score}"
    if category == "missed_object":
        return f"missed '{e['name']}' ({e['source']})"
    if category == "wrong_location":
        return f"'{e['name']}' misplaced, IoU {e['iou']:.2f} ({e['source']})"
    if category == "wrong_answer":
        return f"Q: {e['question']} | answer '{e['answer']}', truth '{e['gt_answer']}'"
    if category == "wrong_scene":
        return f"scene '{e['scene_type']}', truth '{e['gt_scene']}'"
    raise ValueError(f"unknown error category {category!r}; expected one of {ERROR_CATEGORIES}")


def _box(ax, box, color, label=None, dashed=False, width=1.5):
    x1, y1, x2, y2 = box
    ax.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, edgecolor=color,
                           linewidth=width, linestyle="--" if dashed else "-"))
    if label:
        ax.text(x1, y1, label, color="black", fontsize=6, va="bottom",
                bbox={"facecolor": color, "alpha": 0.7, "pad": 1, "linewidth": 0})


def draw_sample(ax, sample, prediction, focus=None):
    """Image with gt and predicted boxes on `ax`; `focus` (an error entry) is drawn on top."""
    ax.imshow(load_image(sample["image"]))
    for g in sample.get("gt_objects", []):
        _box(ax, g["box"], GT_COLOR, g["name"])
    for o in prediction.get("objects") or []:
        score = "" if o.get("score") is None else f" {o['score']:.2f}"
        _box(ax, o["box"], PRED_COLOR, f"{o['name']}{score}", dashed=True)
    if focus:
        if focus.get("gt_box") is not None:
            _box(ax, focus["gt_box"], GT_COLOR, width=3)
        for key in ("pred_box", "box"):
            if focus.get(key) is not None:
                _box(ax, focus[key], FOCUS_COLOR, width=3)
    ax.set_axis_off()


def sample_caption(sample, prediction) -> str:
    """Question, answer and scene, each next to its ground truth."""
    lines = []
    if sample.get("question"):
        lines.append(f"Q: {sample['question']}")
        lines.append(f"A: {prediction.get('answer')!r} | truth: {sample.get('gt_answer')!r}")
    lines.append(f"scene: {prediction.get('scene_type')!r} | truth: {sample.get('gt_scene')!r}")
    return "\n".join(lines)


def plot_sample(sample, prediction, focus=None) -> Figure:
    fig = Figure(figsize=(4.5, 5))
    ax = fig.add_subplot()
    draw_sample(ax, sample, prediction, focus)
    ax.set_title(sample_caption(sample, prediction), fontsize=8)
    return fig


def plot_metrics(summary) -> Figure:
    """Horizontal bars of every metric's mean (metrics with no data are left out)."""
    items = [(k, v) for k, v in summary.items() if v["mean"] is not None]
    fig = Figure(figsize=(7, 0.35 * len(items) + 1))
    ax = fig.add_subplot()
    names = [k for k, _ in items][::-1]
    means = [v["mean"] for _, v in items][::-1]
    ax.barh(names, means, color="steelblue")
    for y, (_, v) in enumerate(items[::-1]):
        ax.text(min(v["mean"], 1.0) + 0.01, y, f"{v['mean']:.2f} (n={v['count']})",
                va="center", fontsize=8)
    ax.set_xlim(0, 1.25)
    ax.set_xlabel("mean")
    ax.set_title("metrics")
    ax.tick_params(axis="y", labelsize=8)
    return fig


def plot_scene_confusion(samples, predictions) -> Figure:
    labels, counts = scene_confusion(samples, predictions)
    if not labels:
        fig = Figure(figsize=(4, 1))
        fig.text(0.5, 0.5, "no scene labels", ha="center", va="center")
        return fig
    fig = Figure(figsize=(1.5 + 0.7 * len(labels), 1.5 + 0.6 * len(labels)))
    ax = fig.add_subplot()
    ax.imshow(np.array(counts), cmap="Blues")
    top = max(max(row) for row in counts)
    for i, row in enumerate(counts):
        for j, n in enumerate(row):
            ax.text(j, i, str(n), ha="center", va="center", fontsize=8,
                    color="white" if n > top / 2 else "black")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted scene")
    ax.set_ylabel("true scene")
    ax.set_title("scene confusion")
    return fig


def plot_failures(samples, predictions, errors, per_category=4) -> Figure:
    """One row per non-empty error category: its `per_category` worst entries."""
    rows = [(c, worst_first(errors[c], per_category)) for c in ERROR_CATEGORIES if errors.get(c)]
    if not rows:
        fig = Figure(figsize=(4, 1))
        fig.text(0.5, 0.5, "no failures", ha="center", va="center")
        return fig
    fig = Figure(figsize=(2.8 * per_category, 3.3 * len(rows)))
    axes = fig.subplots(len(rows), per_category, squeeze=False)
    for r, (category, entries) in enumerate(rows):
        for c, ax in enumerate(axes[r]):
            if c >= len(entries):
                ax.set_axis_off()
                continue
            e = entries[c]
            draw_sample(ax, samples[e["index"]], predictions[e["index"]], focus=e)
            text = f"#{e['index']} {describe_error(category, e)}"
            ax.set_title(textwrap.fill(text, 34), fontsize=7)
        axes[r][0].text(-0.08, 0.5, category, transform=axes[r][0].transAxes, rotation=90,
                        ha="right", va="center", fontsize=10, weight="bold")
    fig.tight_layout()
    return fig
