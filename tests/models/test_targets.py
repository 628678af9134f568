"""The shipped weights reach the issue's targets on the bundled held-out test set.

Scored by the kit's truthful harness (vlmkit.evaluation): normalised exact-match answers,
grounding misses count as IoU 0, detection precision and recall at IoU 0.5.
"""

import pytest

from vlmkit.evaluation import evaluate, format_summary
from vlmkit.pipeline import Pipeline
from vlmkit.world import QUESTION_TYPES, load_samples

TARGETS = {
    "scene_accuracy": 0.97,
    "detection_precision": 0.95,
    "detection_recall": 0.95,
    "grounding_miou": 0.80,
    "vqa_accuracy": 0.90,
    "vqa_accuracy/existence": 0.95,
    "vqa_accuracy/color": 0.95,
    "vqa_accuracy/scene": 0.95,
    "vqa_accuracy/counting": 0.85,
    "vqa_accuracy/spatial": 0.75,
}


@pytest.fixture(scope="module")
def summary():
    _, summary = evaluate(Pipeline(), load_samples())
    print(format_summary(summary))
    return summary


def test_question_kinds_are_balanced(summary):
    counts = [summary[f"vqa_accuracy/{k}"]["count"] for k in QUESTION_TYPES]
    assert min(counts) >= 100 and max(counts) - min(counts) <= 1


@pytest.mark.parametrize("metric, target", TARGETS.items())
def test_target(summary, metric, target):
    assert summary[metric]["mean"] >= target, f"{metric} = {summary[metric]['mean']:.3f} < {target}"
