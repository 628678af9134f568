"""The capstone's failing IoUs and metrics name their mistake (capstone_diagnosis.py).

Each learner here is written out in the test, not taken from autograder/wrong_answers/: the
diagnoses must hold for mistakes nobody listed. The probes run in this process, the judges
on their output, as the grader does on the fast path.
"""

import pytest

from vlmkit import evaluation, paths
from vlmkit.checks.capstone import evaluate_fake, iou_pairs
from vlmkit.grading.checking.judges import HINT
from vlmkit.grading.checking.registry import all_checks

CHECKS = all_checks("capstone", paths.AUTOGRADER / "hidden")


def judged(check_id, learner):
    check = CHECKS[check_id]
    probe = {"iou_pairs": iou_pairs, "evaluate_fake": evaluate_fake}[check.probe]
    return check.judge(check.case, probe(check.case, learner))


def _area(box):
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def iou_union_is_the_sum(a, b):
    inter = _area([max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])])
    total = _area(a) + _area(b)
    return inter / total if inter and total else 0.0


def iou_with_an_identity_shortcut(a, b):
    return 1.0 if list(a) == list(b) else evaluation.compute_iou(a, b)


def evaluating(change):
    """A learner's evaluate_pipeline: the kit's harness, then `change` on the flat summary."""
    def evaluate_pipeline(pipeline, samples):
        predictions, summary = evaluation.evaluate(pipeline, samples)
        flat = {k: v["mean"] for k, v in summary.items()}
        change(flat, samples, predictions)
        return predictions, flat

    return evaluate_pipeline


def strict_threshold(flat, samples, predictions):
    """Detection with IoU > 0.5, not >=."""
    above = [evaluation.match_detections(p["objects"], s["gt_objects"], threshold=0.5 + 1e-9)[0]
             for s, p in zip(samples, predictions)]
    flat["detection_precision"] = sum(map(len, above)) / sum(len(p["objects"]) for p in predictions)


@pytest.mark.parametrize("check_id", ["capstone.iou.overlap", "capstone.hidden.iou_random"])
def test_a_known_iou_mistake_is_named(check_id):
    message = judged(check_id, iou_union_is_the_sum)
    assert message.endswith(f"{HINT}the union counts the intersection twice: union = area_a + area_b - intersection")


def test_an_unknown_iou_mistake_says_which_pairs():
    message = judged("capstone.iou.degenerate", iou_with_an_identity_shortcut)
    assert message.endswith(f"{HINT}wrong only for pairs with a zero-area box (IoU 0)")


def test_a_known_metric_mistake_is_named():
    def swapped(flat, samples, predictions):
        flat["detection_precision"] = flat["detection_recall"]

    message = judged("capstone.evaluate.example", evaluating(swapped))
    assert message.startswith("summary['detection_precision']: wrong values")
    assert message.endswith(f"{HINT}precision and recall swapped: divide by the predicted objects")


def test_mistakes_the_numbers_cannot_tell_apart_are_both_named():
    message = judged("capstone.hidden.evaluate_competing", evaluating(strict_threshold))
    assert f"{HINT}one of these mistakes: " in message
    assert "a match needs IoU >= 0.5" in message and "names compared without lower-casing" in message


def test_an_unexplained_metric_says_which_way_and_its_rule():
    def a_tenth(flat, samples, predictions):
        flat["vqa_accuracy"] = 0.1

    message = judged("capstone.evaluate.example", evaluating(a_tenth))
    assert message.endswith(f"{HINT}lower than it should be: the share of questions whose answer equals "
                            "gt_answer once both go through normalize_answer")


def test_only_a_bare_message_gets_a_diagnosis_and_a_right_answer_none():
    def text(flat, samples, predictions):
        flat["scene_accuracy"] = "most"

    assert judged("capstone.evaluate.example", evaluating(text)) == "summary['scene_accuracy']: expected numbers"
    assert judged("capstone.evaluate.example", evaluating(lambda *_: None)) is None
    assert judged("capstone.hidden.iou_random", evaluation.compute_iou) is None
