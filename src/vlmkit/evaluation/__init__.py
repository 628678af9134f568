"""Evaluation: scoring a pipeline honestly, explaining its failures, and showing them.

- harness.py   the truthful harness: `evaluate`, `summarize`, `error_analysis`, answer matching
- legacy_harness.py  the course's original harness, kept with its flaws for the capstone to compare
- report.py    `run_eval` / `write_report`: report.json + a self-contained report.html
- pictures.py  matplotlib figures: boxes on images, metrics, scene confusion, failures
- widgets.py   `ErrorBrowser`: an ipywidget to page through the failures in a notebook

Box geometry (IoU, matching) lives in `vlmkit.world.boxes` and is re-exported here.
May import: pipeline, models, world, errors, paths. Never grading or checks.

    from vlmkit.evaluation import evaluate, error_analysis, print_summary
"""

from vlmkit.evaluation.harness import (
    ERROR_CATEGORIES,
    answers_match,
    error_analysis,
    evaluate,
    format_summary,
    ground_names,
    grounding_results,
    normalize_answer,
    print_summary,
    scene_confusion,
    score_all,
    score_sample,
    summarize,
)
from vlmkit.world.boxes import IOU_THRESHOLD, box_area, compute_iou, match_detections, name_key

__all__ = [
    "ERROR_CATEGORIES", "IOU_THRESHOLD", "answers_match", "box_area", "compute_iou", "error_analysis",
    "evaluate", "format_summary", "ground_names", "grounding_results", "match_detections", "name_key",
    "normalize_answer", "print_summary", "scene_confusion", "score_all", "score_sample", "summarize",
]
