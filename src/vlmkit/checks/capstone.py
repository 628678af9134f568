"""Capstone — the unified pipeline and a truthful harness: probes and visible checks.

The learner writes `compute_iou`, `evaluate_pipeline(pipeline, samples) -> (predictions, summary)`,
`error_analysis(samples, predictions)` and a pipeline object with `process(image, question=None,
ground_objects=None)`. Every judge compares with `vlmkit.evaluation` (the kit's truthful harness)
on the same data: fake pipelines rebuilt from the case's stored outputs, or, for the learner's
pipeline, metrics on the bundled test set against what the kit's own `Pipeline` reaches there,
and each part next to the kit's model for it on images where the kit's models disagree.
The judges of error_analysis live in capstone_errors.py, those of the pipeline in
capstone_pipeline.py and capstone_components.py; what a wrong IoU or metric says about its
mistake, in capstone_diagnosis.py.
"""

import copy

from vlmkit import evaluation
from vlmkit.checks.capstone_components import matches_kit_components, pipeline_items
from vlmkit.checks.capstone_diagnosis import iou_hint, summary_hint
from vlmkit.checks.capstone_errors import errors_match_reference
from vlmkit.checks.capstone_pipeline import (
    SUMMARY_KEYS,
    bundled_samples,
    contract_holds,
    contract_view,
    measured_metrics,
    reaches_kit_metrics,
)
from vlmkit.grading.checking import compare
from vlmkit.grading.checking.judges import bare_message
from vlmkit.grading.checking.registry import Check

# ---------------------------------------------------------------- probes (learner's kernel)

class FakePipeline:
    """Returns the stored output of the sample whose image it is given; records every call."""

    def __init__(self, samples, outputs):
        self.by_image = {s["image"]: o for s, o in zip(samples, outputs, strict=True)}
        self.calls = []

    def process(self, image, question=None, ground_objects=None):
        self.calls.append({"image": image, "question": question,
                           "names": [str(n) for n in (ground_objects or [])]})
        return copy.deepcopy(self.by_image[image])


def iou_pairs(case, compute_iou):
    """Each pair's IoU, and whether every result was a float (the docstring's return type)."""
    import numpy as np

    wrap = np.asarray if case.get("as_array") else list
    values = [compute_iou(wrap(a), wrap(b)) for a, b in case["pairs"]]
    return {"values": [float(v) for v in values],
            "floats": all(isinstance(v, float | np.floating) for v in values)}


def evaluate_fake(case, evaluate_pipeline):
    fake = FakePipeline(case["samples"], case["outputs"])
    predictions, summary = evaluate_pipeline(fake, copy.deepcopy(case["samples"]))
    return {"calls": fake.calls, "predictions": list(predictions),
            "summary": {k: summary.get(k) for k in SUMMARY_KEYS}}


def _is_pipeline(value):
    if isinstance(value, type):
        return False
    try:
        return callable(getattr(value, "process", None))
    except Exception:  # a module's lazy __getattr__ may raise anything
        return False


def errors_fake(case, error_analysis):
    """error_analysis on stored predictions, with every pipeline it could reach swapped for a
    counting fake: re-running the pipeline shows up as calls."""
    import numpy as np

    fake = FakePipeline(case["samples"], case["outputs"])
    namespace = getattr(error_analysis, "__globals__", {})
    swapped = {k: v for k, v in list(namespace.items()) if _is_pipeline(v)}
    namespace.update(dict.fromkeys(swapped, fake))
    try:
        errors = error_analysis(copy.deepcopy(case["samples"]), copy.deepcopy(case["outputs"]))
    finally:
        namespace.update(swapped)
    view = {}
    for category, entries in dict(errors).items():
        view[str(category)] = [
            {"keys": sorted(str(k) for k in e), "index": e.get("index"),
             "float_severity": isinstance(e.get("severity"), float | np.floating),
             **{k: _field(e.get(k)) for k in ENTRY_VALUES}}
            for e in entries]
    return {"calls": len(fake.calls), "errors": view}


# Every value an error entry may carry that a judge compares (strings, numbers, boxes).
ENTRY_VALUES = ("severity", "name", "source", "iou", "score", "box", "gt_box", "pred_box",
                "question", "answer", "gt_answer", "scene_type", "gt_scene")


def _field(value):
    """An entry's value as plain data: strings and None as they are, numbers as floats, boxes
    (lists, tuples, arrays) as lists of floats; anything else by its type name."""
    if value is None or isinstance(value, str | bool):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        pass
    try:
        return [float(v) for v in value]
    except (TypeError, ValueError):
        return f"<{type(value).__name__}>"


def _image(sample, case):
    if not case.get("as_array"):
        return sample["image"]
    import numpy as np
    from PIL import Image

    with Image.open(sample["image"]) as im:
        return np.asarray(im.convert("RGB"))


def pipeline_contract(case, pipeline):
    """The output without a question or names, with both, and for a name outside the detector's
    categories (or what grounding it raised)."""
    image = bundled_samples()[case["index"]]["image"]
    try:
        unknown = contract_view(pipeline.process(image, ground_objects=[case["unknown"]]))
    except Exception as err:  # noqa: BLE001 - raising is the contract's question here
        unknown = f"{type(err).__name__}: {err}"[:200]
    return {"plain": contract_view(pipeline.process(image)),
            "full": contract_view(pipeline.process(image, question=case["question"],
                                                   ground_objects=list(case["names"]))),
            "unknown": unknown}


def pipeline_run(case, pipeline):
    return [contract_view(pipeline.process(_image(s, case), question=s["question"],
                                           ground_objects=evaluation.ground_names(s)))
            for s in bundled_samples()[case["start"]:case["stop"]]]


def pipeline_resized(case, pipeline):
    """Each image as given and resized (NEAREST) to case['size']: boxes must follow the pixels."""
    from PIL import Image

    out = []
    for i in case["indices"]:
        path = bundled_samples()[i]["image"]
        with Image.open(path) as im:
            big = im.convert("RGB").resize(tuple(case["size"]), Image.NEAREST)
        out.append({"original": contract_view(pipeline.process(path)),
                    "resized": contract_view(pipeline.process(big))})
    return out


def pipeline_models_dir(case, pipeline):
    """New pipelines of the learner's class from folders of links to the kit's models: all three
    there (it should load), or one of them missing (it should fail: that model is not there)."""
    import os
    import tempfile
    from pathlib import Path

    from vlmkit.models import model_path

    cls, result = type(pipeline), {}
    for missing in (None, "clip", "detector", "vqa"):
        with tempfile.TemporaryDirectory(prefix="vlmkit-models-") as folder:
            for name in ("clip", "detector", "vqa"):
                if name != missing:
                    os.symlink(model_path(name), Path(folder) / model_path(name).name)
            try:
                cls(models_dir=folder)
                result[str(missing)] = "loaded"
            except Exception:  # noqa: BLE001 - the learner's error is the evidence
                result[str(missing)] = "raised"
    return result


PROBES = {"iou_pairs": iou_pairs, "evaluate_fake": evaluate_fake, "errors_fake": errors_fake,
          "pipeline_contract": pipeline_contract, "pipeline_run": pipeline_run,
          "pipeline_resized": pipeline_resized, "pipeline_items": pipeline_items,
          "pipeline_models_dir": pipeline_models_dir}


# ---------------------------------------------------------------- judges and references (grader's process)

def iou_matches_reference(what):
    def judge(case, output):
        if not isinstance(output, dict):
            return "the probe expected compute_iou's results"
        expected = [evaluation.compute_iou(a, b) for a, b in case["pairs"]]
        message = compare.close(output.get("values"), expected, f"compute_iou on {what}", atol=1e-6, rtol=0)
        if message:
            return message + (iou_hint(case["pairs"], output["values"]) if bare_message(message) else "")
        if output.get("floats") is not True:
            return f"compute_iou on {what}: should return a float every time (also when the IoU is 0)"
        return None

    return judge


def evaluate_matches_reference(case, output):
    """Once per sample with its question and names, predictions in order, the kit's numbers."""
    samples, outputs = case["samples"], case["outputs"]
    if not isinstance(output, dict) or not isinstance(output.get("summary"), dict):
        return "evaluate_pipeline should return (predictions, summary) with summary a dict"
    calls = output.get("calls") or []
    if sorted(c["image"] for c in calls) != sorted(s["image"] for s in samples):
        return "evaluate_pipeline should call pipeline.process exactly once per sample"
    by_image = {c["image"]: c for c in calls}
    for s in samples:
        call = by_image[s["image"]]
        asked = [evaluation.name_key(n) for n in call["names"]]
        if call["question"] != s["question"] or set(asked) != {evaluation.name_key(g["name"]) for g in s["gt_objects"]}:
            return ("each call should pass the sample's question and its gt object names as "
                    "ground_objects, so one call answers everything")
        if len(set(call["names"])) != len(call["names"]):
            return "ground_objects should name each gt object name once"
    if output.get("predictions") != outputs:
        return "the predictions returned should be the pipeline's outputs, one per sample, in order"
    reference = evaluation.summarize(samples, outputs)
    for key in SUMMARY_KEYS:
        if reference[key]["mean"] is None:
            if output["summary"].get(key) is not None:
                return f"summary['{key}'] should be None here: there is nothing to average"
            continue
        if output["summary"].get(key) is None:
            return f"summary['{key}'] should be a float here"
        mine = output["summary"][key]
        message = compare.close(mine, reference[key]["mean"], f"summary['{key}']", atol=1e-6, rtol=0)
        if message:
            return message + (summary_hint(samples, outputs, key, float(mine), reference[key]["mean"])
                              if bare_message(message) else "")
    return None


# ---------------------------------------------------------------- visible cases

def _grounding(*entries):
    return {name: {"found": bool(boxes), "boxes": boxes, "scores": [0.9] * len(boxes)}
            for name, boxes in entries}


# Four hand-made samples with the failures the course's harness hides: "12" for "2", an empty
# answer, grounding keyed "person" for gt "Person", a missed grounding, a duplicate detection.
WORLD = {
    "samples": [
        {"image": "fake/0.png", "question": "how many boats are there?", "gt_answer": "2",
         "question_type": "counting", "gt_scene": "beach",
         "gt_objects": [{"name": "boat", "box": [10, 10, 40, 30]}, {"name": "boat", "box": [60, 12, 90, 34]},
                        {"name": "Person", "box": [20, 70, 35, 110]}]},
        {"image": "fake/1.png", "question": "is there a car?", "gt_answer": "yes",
         "question_type": "existence", "gt_scene": "street",
         "gt_objects": [{"name": "car", "box": [5, 60, 45, 85]}, {"name": "tree", "box": [80, 20, 110, 90]}]},
        {"image": "fake/2.png", "question": "what color is the sun?", "gt_answer": "yellow",
         "question_type": "color", "gt_scene": "park",
         "gt_objects": [{"name": "sun", "box": [90, 5, 120, 35]}, {"name": "house", "box": [10, 50, 60, 110]}]},
        {"image": "fake/3.png", "question": "how many people are there?", "gt_answer": "2",
         "question_type": "counting", "gt_scene": "kitchen",
         "gt_objects": [{"name": "Person", "box": [10, 10, 30, 60]}, {"name": "person", "box": [50, 10, 70, 60]}]},
    ],
    "outputs": [
        {"scene_type": "beach", "answer": "12",
         "objects": [{"name": "boat", "box": [11, 10, 41, 31], "score": 0.9},
                     {"name": "BOAT", "box": [61, 12, 90, 35], "score": 0.8},
                     {"name": "person", "box": [21, 72, 35, 108], "score": 0.7},
                     {"name": "fish", "box": [100, 100, 120, 120], "score": 0.4}],
         "grounded": _grounding(("boat", [[11, 10, 41, 31], [61, 12, 90, 35]]),
                                ("person", [[21, 72, 35, 108]]))},
        {"scene_type": "street", "answer": "",
         "objects": [{"name": "car", "box": [40, 60, 80, 85], "score": 0.6},
                     {"name": "tree", "box": [80, 20, 110, 90], "score": 0.95},
                     {"name": "tree", "box": [82, 22, 110, 90], "score": 0.5}],
         "grounded": _grounding(("car", []), ("tree", [[80, 20, 110, 90]]))},
        {"scene_type": "beach", "answer": "Yellow.",
         "objects": [{"name": "sun", "box": [90, 5, 120, 35], "score": 0.9}],
         "grounded": _grounding(("sun", [[92, 6, 120, 36]]), ("house", [[15, 60, 40, 80]]))},
        {"scene_type": "kitchen", "answer": "two",
         "objects": [{"name": "person", "box": [10, 12, 30, 60], "score": 0.9},
                     {"name": "person", "box": [52, 10, 72, 60], "score": 0.8}],
         "grounded": _grounding(("Person", [[10, 12, 30, 60], [52, 10, 72, 60]]))},
    ],
}

CHECKS = [
    Check("capstone.iou.overlap", "iou_pairs", iou_matches_reference("overlapping and disjoint boxes"),
          {"pairs": [[[0, 0, 10, 10], [0, 0, 10, 10]], [[0, 0, 10, 10], [5, 0, 15, 10]],
                     [[0, 0, 10, 10], [2, 2, 6, 6]], [[0, 0, 10, 10], [20, 20, 30, 30]]]}),
    Check("capstone.iou.inverted", "iou_pairs",
          iou_matches_reference("inverted boxes (x2 < x1 or y2 < y1 is invalid: area 0, IoU 0)"),
          {"pairs": [[[10, 0, 0, 10], [0, 0, 10, 10]], [[10, 10, 0, 0], [10, 10, 0, 0]],
                     [[8, 8, 2, 2], [0, 0, 10, 10]], [[0, 10, 10, 0], [0, 0, 10, 10]]]}),
    Check("capstone.iou.degenerate", "iou_pairs",
          iou_matches_reference("zero-area and touching boxes (no area in common: IoU 0)"),
          {"pairs": [[[5, 5, 5, 10], [0, 0, 10, 10]], [[5, 5, 5, 5], [5, 5, 5, 5]],
                     [[0, 0, 10, 10], [10, 0, 20, 10]], [[0, 0, 10, 10], [10, 10, 20, 20]]]}),
    Check("capstone.evaluate.example", "evaluate_fake", evaluate_matches_reference, WORLD),
    Check("capstone.errors.example", "errors_fake", errors_match_reference, WORLD),
    Check("capstone.pipeline.contract", "pipeline_contract", contract_holds,
          {"index": 0, "question": "how many cars are there?", "names": ["Car", "fish", "tree"], "unknown": "zebra"}),
    # scenes of the kit's world where CLIP and the detector's scene head name different scenes (the
    # scene questions' answers too), and where the VQA model's count is not the detections'
    Check("capstone.pipeline.components", "pipeline_items", matches_kit_components, {"items": [
        {"seed": ["val", 506], "question": "what kind of scene is this?", "names": ["boat", "Fish"], "pil": True},
        {"seed": ["val", 6754], "question": "what kind of scene is this?", "names": ["people"]},
        {"seed": ["val", 334], "question": "how many cars can you see?", "names": ["cars"]},
        {"seed": ["val", 822], "question": "how many trees can you see?", "names": ["Tree"]}]}),
    Check("capstone.pipeline.test_set", "pipeline_run", reaches_kit_metrics, {"start": 0, "stop": 80},
          measure=measured_metrics),
]
