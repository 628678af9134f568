"""Tests for vlmkit.evaluation, the truthful capstone harness, using hand-made samples and fake
pipelines (no trained model). Run: .venv/bin/pytest tests/evaluation/test_evaluation.py
"""

import pytest

from vlmkit.evaluation import (
    ERROR_CATEGORIES,
    answers_match,
    compute_iou,
    error_analysis,
    evaluate,
    format_summary,
    match_detections,
    normalize_answer,
    scene_confusion,
    summarize,
)

SAMPLES = [
    {"image": "/imgs/0.png", "question": "How many cats are there?", "gt_answer": "2",
     "question_type": "counting", "gt_scene": "kitchen",
     "gt_objects": [{"name": "cat", "box": [0, 0, 10, 10]},
                    {"name": "cat", "box": [20, 20, 30, 30]}]},
    {"image": "/imgs/1.png", "question": "What color is the ball?", "gt_answer": "red",
     "question_type": "color", "gt_scene": "park",
     "gt_objects": [{"name": "ball", "box": [5, 5, 15, 15]}]},
]


class FakePipeline:
    """Answers from a dict keyed by image path and records every call."""

    def __init__(self, outputs):
        self.outputs, self.calls = outputs, []

    def process(self, image, question=None, ground_objects=None):
        self.calls.append((image, question, list(ground_objects or [])))
        return self.outputs[image]


def oracle_output(sample):
    """What a perfect pipeline returns for a sample."""
    grounded = {}
    for g in sample["gt_objects"]:
        entry = grounded.setdefault(g["name"], {"found": True, "boxes": [], "scores": []})
        entry["boxes"].append(g["box"])
        entry["scores"].append(0.9)
    return {"scene_type": sample["gt_scene"], "answer": sample["gt_answer"], "grounded": grounded,
            "objects": [{**g, "score": 0.9} for g in sample["gt_objects"]]}


def empty_output(sample):
    return {"scene_type": "", "answer": "", "objects": [],
            "grounded": {g["name"]: {"found": False, "boxes": [], "scores": []}
                         for g in sample["gt_objects"]}}


def pipeline_from(fn, samples=SAMPLES):
    return FakePipeline({s["image"]: fn(s) for s in samples})


def test_iou_edge_cases():
    assert compute_iou([0, 0, 10, 10], [0, 0, 10, 10]) == 1.0
    assert compute_iou([0, 0, 2, 2], [1, 0, 3, 2]) == pytest.approx(1 / 3)
    assert compute_iou([0, 0, 10, 10], [10, 0, 20, 10]) == 0.0  # touching
    assert compute_iou([5, 5, 5, 5], [0, 0, 10, 10]) == 0.0  # zero area inside another box
    assert compute_iou([5, 5, 5, 5], [5, 5, 5, 5]) == 0.0
    assert compute_iou([10, 10, 0, 0], [0, 0, 10, 10]) == 0.0  # inverted: area 0, not re-ordered
    assert compute_iou([10, 10, 0, 0], [10, 10, 0, 0]) == 0.0


def test_normalize_and_match():
    assert normalize_answer("  The TWO cats!! ") == "2 cats"
    assert normalize_answer("A red ball.") == "red ball"
    assert normalize_answer("don't") == "dont"
    assert normalize_answer("3.5") == "3.5"
    assert normalize_answer(None) == ""
    assert answers_match("two", "2") and answers_match("Red.", "red")
    assert not answers_match("2", "12")
    assert not answers_match("12", "2")
    assert not answers_match("", "3")
    assert not answers_match("red ball", "red")


def test_runs_once_per_sample_with_question_and_names():
    samples = SAMPLES + [{**SAMPLES[0], "image": "/imgs/2.png"}]
    pipe = pipeline_from(oracle_output, samples)
    predictions, _ = evaluate(pipe, samples)
    assert [c[0] for c in pipe.calls] == [s["image"] for s in samples]
    assert pipe.calls[0][1:] == ("How many cats are there?", ["cat"])  # names once each
    assert predictions == [pipe.outputs[s["image"]] for s in samples]


def test_perfect_pipeline_scores_one_everywhere():
    _, summary = evaluate(pipeline_from(oracle_output), SAMPLES)
    assert set(summary) == {
        "scene_accuracy", "vqa_accuracy", "vqa_accuracy/color", "vqa_accuracy/counting",
        "detection_precision", "detection_recall", "detection_f1", "grounding_miou",
        "grounding_accuracy"}
    assert all(v["mean"] == pytest.approx(1.0) for v in summary.values())
    assert summary["detection_recall"]["count"] == 3
    assert summary["grounding_miou"]["count"] == 3
    assert summary["vqa_accuracy/counting"]["count"] == 1


def test_empty_pipeline_scores_zero():
    _, summary = evaluate(pipeline_from(empty_output), SAMPLES)
    assert summary["grounding_miou"] == {"mean": 0.0, "count": 3}  # misses count as IoU 0
    assert summary["grounding_accuracy"]["mean"] == 0.0
    assert summary["vqa_accuracy"]["mean"] == 0.0  # empty answer never matches
    assert summary["scene_accuracy"]["mean"] == 0.0
    assert summary["detection_precision"] == {"mean": None, "count": 0}
    assert summary["detection_recall"]["mean"] == 0.0
    assert summary["detection_f1"]["mean"] == 0.0


def test_hallucinations_cost_precision_not_recall():
    def with_ghosts(s):
        out = oracle_output(s)
        out["objects"] = out["objects"] + [{"name": "dragon", "box": [0, 0, 5, 5], "score": 0.8}]
        return out

    _, summary = evaluate(pipeline_from(with_ghosts), SAMPLES)
    assert summary["detection_recall"]["mean"] == 1.0
    assert summary["detection_precision"] == {"mean": pytest.approx(3 / 5), "count": 5}
    assert summary["detection_f1"]["mean"] == pytest.approx(2 * 0.6 / 1.6)


def test_names_are_case_insensitive_everywhere():
    def shouting(s):
        out = oracle_output(s)
        out["objects"] = [{**o, "name": o["name"].upper()} for o in out["objects"]]
        out["grounded"] = {k.title(): v for k, v in out["grounded"].items()}
        return out

    _, summary = evaluate(pipeline_from(shouting), SAMPLES)
    assert summary["detection_recall"]["mean"] == 1.0
    assert summary["grounding_miou"]["mean"] == 1.0


def test_matching_is_greedy_one_to_one():
    gt = [{"name": "cat", "box": [0, 0, 10, 10]}]
    preds = [{"name": "cat", "box": [0, 0, 10, 9]}, {"name": "cat", "box": [0, 0, 10, 10]},
             {"name": "dog", "box": [0, 0, 10, 10]}]
    matches, unmatched_pred, unmatched_gt = match_detections(preds, gt)
    assert [(pi, gi) for pi, gi, _ in matches] == [(1, 0)]  # the best IoU wins
    assert unmatched_pred == [0, 2] and unmatched_gt == []
    # below the IoU threshold nothing matches
    assert match_detections([{"name": "cat", "box": [0, 0, 4, 10]}], gt)[0] == []


def test_grounding_uses_best_box_and_partial_iou():
    sample = SAMPLES[1]
    out = oracle_output(sample)
    out["grounded"]["ball"] = {"found": True, "boxes": [[50, 50, 60, 60], [5, 5, 15, 10]],
                               "scores": [0.9, 0.5]}
    summary = summarize([sample], [out])
    assert summary["grounding_miou"]["mean"] == pytest.approx(0.5)
    assert summary["grounding_accuracy"]["mean"] == 1.0  # IoU 0.5 counts as a hit


def test_error_analysis_fills_every_category():
    bad = [
        {"scene_type": "park", "answer": "12",  # wrong scene, wrong answer
         "objects": [{"name": "cat", "box": [0, 0, 10, 10], "score": 0.9},       # match
                     {"name": "cat", "box": [24, 24, 34, 34], "score": 0.7},     # wrong location
                     {"name": "unicorn", "box": [1, 1, 3, 3], "score": 0.95}],   # hallucination
         "grounded": {"cat": {"found": True, "boxes": [[0, 0, 10, 10]], "scores": [0.9]}}},
        {"scene_type": "Park", "answer": "Red.", "objects": [],                  # missed ball
         "grounded": {"ball": {"found": False, "boxes": [], "scores": []}}},
    ]
    errors = error_analysis(SAMPLES, bad)
    assert set(errors) == set(ERROR_CATEGORIES)
    assert all(errors[c] for c in ERROR_CATEGORIES)
    assert [(e["index"], e["name"]) for e in errors["hallucination"]] == [(0, "unicorn")]
    assert errors["hallucination"][0]["severity"] == pytest.approx(0.95)
    loc = errors["wrong_location"][0]
    assert (loc["index"], loc["source"], loc["gt_box"]) == (0, "detection", [20, 20, 30, 30])
    assert loc["iou"] == pytest.approx(36 / 164)
    missed = {(e["index"], e["source"], e["name"]) for e in errors["missed_object"]}
    assert missed == {(1, "detection", "ball"), (1, "grounding", "ball")}
    answers = [(e["index"], e["answer"], e["gt_answer"]) for e in errors["wrong_answer"]]
    assert answers == [(0, "12", "2")]
    assert [(e["index"], e["scene_type"]) for e in errors["wrong_scene"]] == [(0, "park")]
    assert all(e["image"] == SAMPLES[e["index"]]["image"] for c in errors.values() for e in c)


def test_error_analysis_of_perfect_predictions_is_empty():
    preds = [oracle_output(s) for s in SAMPLES]
    assert error_analysis(SAMPLES, preds) == {c: [] for c in ERROR_CATEGORIES}


def test_grounding_wrong_location_and_extra_instance():
    sample = SAMPLES[1]
    out = oracle_output(sample)
    out["grounded"]["ball"]["boxes"] = [[100, 100, 110, 110]]
    out["objects"].append({"name": "ball", "box": [40, 40, 50, 50], "score": 0.3})  # 2nd ball
    errors = error_analysis([sample], [out])
    assert [e["source"] for e in errors["wrong_location"]] == ["grounding"]
    assert [e["name"] for e in errors["hallucination"]] == ["ball"]


def test_table_and_progress_bar(capsys):
    _, summary = evaluate(pipeline_from(empty_output), SAMPLES, progress=True)
    assert "evaluating" in capsys.readouterr().err
    table = format_summary(summary)
    assert "vqa_accuracy/counting" in table and "n/a" in table
    assert len(table.splitlines()) == len(summary) + 2


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError):
        summarize(SAMPLES, [oracle_output(SAMPLES[0])])


def test_images_with_several_questions_are_scored_once_per_image():
    second = {**SAMPLES[0], "question": "Is there a cat?", "gt_answer": "yes",
              "question_type": "existence"}
    samples = [SAMPLES[0], second, SAMPLES[1]]

    def answer_wrong_miss_all(s):
        return {**empty_output(s), "scene_type": "garage", "answer": "no"}

    pipe = pipeline_from(answer_wrong_miss_all, SAMPLES)
    predictions, summary = evaluate(pipe, samples)
    assert len(pipe.calls) == 3  # one call per record: the questions differ
    assert summary["vqa_accuracy"]["count"] == 3
    assert summary["scene_accuracy"]["count"] == 2  # but images and objects count once
    assert summary["detection_recall"]["count"] == summary["grounding_miou"]["count"] == 3
    assert summary["detection_f1"]["count"] == 2
    assert scene_confusion(samples, predictions) == (
        ["garage", "kitchen", "park"], [[0, 0, 0], [1, 0, 0], [1, 0, 0]])
    errors = error_analysis(samples, predictions)
    assert len(errors["wrong_scene"]) == 2 and len(errors["wrong_answer"]) == 3
    assert {e["index"] for e in errors["missed_object"]} == {0, 2}
