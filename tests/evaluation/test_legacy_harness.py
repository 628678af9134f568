"""Where the course's original harness (vlmkit.evaluation.legacy_harness) misleads, next to vlmkit.evaluation.

Each test runs the same fake pipeline through both harnesses and shows the two disagree.
Run: .venv/bin/pytest tests/evaluation/test_legacy_harness.py
"""

import pytest

from vlmkit import evaluation
from vlmkit.evaluation import legacy_harness

SAMPLES = [
    {"image": f"/imgs/{i}.png", "question": "How many cats?", "gt_answer": "2",
     "question_type": "counting", "gt_scene": "kitchen",
     "gt_objects": [{"name": "Cat", "box": [0, 0, 10, 10]},
                    {"name": "ball", "box": [20, 20, 30, 30]},
                    {"name": "dog", "box": [40, 0, 50, 10]}]}
    for i in range(2)
]


class FakePipeline:
    """Returns `make(sample)`-style output for the sample whose image it is given; counts calls."""

    def __init__(self, make, samples=SAMPLES):
        self.by_image = {s["image"]: s for s in samples}
        self.make, self.calls = make, 0

    def process(self, image, question=None, ground_objects=None):
        self.calls += 1
        return self.make(self.by_image[image])


def output(sample, answer="2", objects=None, grounded=None):
    exact = [{"name": g["name"], "box": g["box"], "score": 0.9} for g in sample["gt_objects"]]
    return {"scene_type": sample["gt_scene"], "answer": answer,
            "objects": exact if objects is None else objects,
            "grounded": grounded if grounded is not None else {
                g["name"]: {"found": True, "boxes": [g["box"]], "scores": [0.9]}
                for g in sample["gt_objects"]}}


def both(make):
    legacy = legacy_harness.evaluate_pipeline(FakePipeline(make), SAMPLES)
    _, truthful = evaluation.evaluate(FakePipeline(make), SAMPLES)
    return legacy, truthful


def test_harnesses_agree_on_a_perfect_pipeline():
    legacy, truthful = both(output)
    for key in legacy:
        assert legacy[key] == truthful[key]["mean"] == 1.0


def test_finding_nothing_gives_perfect_legacy_grounding():
    nothing = {"found": False, "boxes": [], "scores": []}
    legacy, truthful = both(lambda s: output(s, objects=[], grounded={
        g["name"]: nothing for g in s["gt_objects"]}))
    assert legacy["grounding_miou"] == 1.0
    assert truthful["grounding_miou"]["mean"] == 0.0


def test_finding_one_object_in_three_gives_perfect_legacy_grounding():
    def one_of_three(s):
        g = s["gt_objects"][1]
        return output(s, grounded={g["name"]: {"found": True, "boxes": [g["box"]], "scores": [1]}})

    legacy, truthful = both(one_of_three)
    assert legacy["grounding_miou"] == 1.0
    assert truthful["grounding_miou"]["mean"] == pytest.approx(1 / 3)


def test_grounding_names_are_case_sensitive_in_legacy():
    # The pipeline answers under lower-case names and puts "cat" in the wrong place: legacy looks
    # up "Cat", finds nothing, skips it, and reports perfect grounding.
    def lower_and_wrong(s):
        grounded = {g["name"].lower(): {"found": True, "boxes": [g["box"]], "scores": [0.9]}
                    for g in s["gt_objects"]}
        grounded["cat"]["boxes"] = [[60, 60, 70, 70]]
        return output(s, grounded=grounded)

    legacy, truthful = both(lower_and_wrong)
    assert legacy["grounding_miou"] == 1.0
    assert truthful["grounding_miou"]["mean"] == pytest.approx(2 / 3)
    # while detection lower-cases names, so the same name mismatch passes there
    assert legacy["detection_recall"] == 1.0


def test_empty_answer_counts_as_a_match_in_legacy():
    legacy, truthful = both(lambda s: output(s, answer=""))
    assert legacy["vqa_accuracy"] == 1.0
    assert truthful["vqa_accuracy"]["mean"] == 0.0


def test_2_matches_12_in_legacy():
    legacy, truthful = both(lambda s: output(s, answer="12"))
    assert legacy_harness.answer_matches("12", "2")
    assert legacy["vqa_accuracy"] == 1.0
    assert truthful["vqa_accuracy"]["mean"] == 0.0


def test_hallucinations_cost_nothing_in_legacy():
    ghosts = [{"name": f"ghost{k}", "box": [k, k, k + 5, k + 5], "score": 0.99} for k in range(9)]
    legacy, truthful = both(lambda s: output(s, objects=output(s)["objects"] + ghosts))
    assert legacy["detection_recall"] == 1.0
    assert "detection_precision" not in legacy
    assert truthful["detection_recall"]["mean"] == 1.0
    assert truthful["detection_precision"]["mean"] == pytest.approx(3 / 12)


def test_inverted_box_gets_positive_iou_in_legacy():
    inverted, box = [10, 10, 0, 0], [0, 0, 10, 10]
    assert legacy_harness.compute_iou(inverted, box) == 1.0
    assert evaluation.compute_iou(inverted, box) == 0.0

    legacy, truthful = both(lambda s: output(s, objects=[
        {"name": g["name"], "box": g["box"][2:] + g["box"][:2], "score": 0.9}
        for g in s["gt_objects"]]))
    assert legacy["detection_recall"] == 1.0
    assert truthful["detection_recall"]["mean"] == 0.0


def test_legacy_error_analysis_reruns_and_leaves_categories_empty():
    def everything_wrong(s):
        out = output(s, answer="7", objects=[{**g, "box": [g["box"][0] + 6, *g["box"][1:]]}
                                             for g in s["gt_objects"]])
        out["scene_type"] = "garage"
        return out

    pipe = FakePipeline(everything_wrong)
    legacy_errors = legacy_harness.error_analysis(pipe, SAMPLES)
    assert pipe.calls == len(SAMPLES)  # the pipeline ran again just for the analysis
    assert legacy_errors["wrong_location"] == legacy_errors["wrong_answer"] == []
    assert legacy_errors["wrong_scene"] == []

    pipe = FakePipeline(everything_wrong)
    predictions, _ = evaluation.evaluate(pipe, SAMPLES)
    errors = evaluation.error_analysis(SAMPLES, predictions)
    assert pipe.calls == len(SAMPLES)  # once, for evaluate; the analysis reuses its output
    assert len(errors["wrong_location"]) == 3 * len(SAMPLES)
    assert len(errors["wrong_answer"]) == len(errors["wrong_scene"]) == len(SAMPLES)
