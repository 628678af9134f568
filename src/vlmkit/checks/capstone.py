"""Capstone — the unified pipeline and a truthful harness: probes and visible checks.

The learner writes `compute_iou`, `evaluate_pipeline(pipeline, samples) -> (predictions, summary)`,
`error_analysis(samples, predictions)` and a pipeline object with `process(image, question=None,
ground_objects=None)`. Every judge compares with `vlmkit.evaluation` (the kit's truthful harness)
on the same data: fake pipelines rebuilt from the case's stored outputs, or, for the learner's
pipeline, metrics on the bundled test set against what the kit's own `Pipeline` reaches there.
"""

import copy
from functools import lru_cache

from vlmkit import evaluation
from vlmkit.grading import compare
from vlmkit.grading.registry import Check

SUMMARY_KEYS = ("scene_accuracy", "vqa_accuracy", "detection_precision", "detection_recall",
                "grounding_miou")
# The keys each error entry carries (besides 'index' and 'severity'): what the kit's viz and
# ErrorBrowser read to draw and describe a failure.
ERROR_FIELDS = {
    "hallucination": ("name", "box", "score"),
    "missed_object": ("name", "gt_box", "source"),
    "wrong_location": ("name", "gt_box", "pred_box", "iou", "source"),
    "wrong_answer": ("question", "answer", "gt_answer"),
    "wrong_scene": ("scene_type", "gt_scene"),
}
# How far a learner's pipeline may score below / above the kit's own on the same test samples:
# far above means the numbers do not come from the kit's models (the ground truth looked up by
# file name, say; the hidden run passes arrays, not paths, for the same reason).
METRIC_MARGIN, METRIC_HEADROOM = 0.05, 0.10


# ---------------------------------------------------------------- probes (run in the kernel)

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


def _contract_view(out):
    """Only the contract's fields of one pipeline output (keeps records small and plain)."""
    def obj(o):
        return {"name": o.get("name"), "box": [float(v) for v in o.get("box")], "score": float(o.get("score"))}

    grounded = out.get("grounded")
    return {
        "scene_type": out.get("scene_type"),
        "objects": [obj(o) for o in out.get("objects")],
        "grounded": None if grounded is None else {
            str(n): {"found": g.get("found"), "boxes": [[float(v) for v in b] for b in g.get("boxes")],
                     "scores": [float(s) for s in g.get("scores")]} for n, g in grounded.items()},
        "answer": out.get("answer"),
    }


def _image(sample, case):
    if not case.get("as_array"):
        return sample["image"]
    import numpy as np
    from PIL import Image

    with Image.open(sample["image"]) as im:
        return np.asarray(im.convert("RGB"))


def pipeline_contract(case, pipeline):
    image = _samples()[case["index"]]["image"]
    return {"plain": _contract_view(pipeline.process(image)),
            "full": _contract_view(pipeline.process(image, question=case["question"],
                                                    ground_objects=list(case["names"])))}


def pipeline_run(case, pipeline):
    return [_contract_view(pipeline.process(_image(s, case), question=s["question"],
                                            ground_objects=evaluation.ground_names(s)))
            for s in _samples()[case["start"]:case["stop"]]]


def pipeline_resized(case, pipeline):
    """Each image as given and resized (NEAREST) to case['size']: boxes must follow the pixels."""
    from PIL import Image

    out = []
    for i in case["indices"]:
        path = _samples()[i]["image"]
        with Image.open(path) as im:
            big = im.convert("RGB").resize(tuple(case["size"]), Image.NEAREST)
        out.append({"original": _contract_view(pipeline.process(path)),
                    "resized": _contract_view(pipeline.process(big))})
    return out


def sample_image(sample, size=None, pil=False):
    """A test image as a path, or as an (H, W, 3) array (a PIL image if `pil`) resized (NEAREST)
    to `size` (w, h)."""
    if size is None and not pil:
        return sample["image"]
    import numpy as np
    from PIL import Image

    with Image.open(sample["image"]) as im:
        image = im.convert("RGB")
        image = image.resize(tuple(size), Image.NEAREST) if size else image
        return image if pil else np.asarray(image)


def pipeline_items(case, pipeline):
    """process() on each item: a test image (as a path or a resized array), a question, names."""
    return [_contract_view(pipeline.process(sample_image(_samples()[item["index"]], item.get("size"), item.get("pil")),
                                            question=item["question"], ground_objects=list(item["names"])))
            for item in case["items"]]


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


# ---------------------------------------------------------------- judges (run in the grader)

@lru_cache(maxsize=1)
def _samples():
    from vlmkit.world import load_samples

    return load_samples()


def iou_matches_reference(what):
    def judge(case, output):
        if not isinstance(output, dict):
            return "the probe expected compute_iou's results"
        expected = [evaluation.compute_iou(a, b) for a, b in case["pairs"]]
        message = compare.close(output.get("values"), expected, f"compute_iou on {what}", atol=1e-6, rtol=0)
        if message:
            return message
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
        message = compare.close(output["summary"][key], reference[key]["mean"], f"summary['{key}']",
                                atol=1e-6, rtol=0)
        if message:
            return message
    return None


def _num(value, digits=4):
    return round(float(value), digits) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _box(value):
    return tuple(_num(v) for v in value) if isinstance(value, list | tuple) else value


# The text fields of each category's entries. Each may hold the value as written or in its
# normalised form (names, scenes: stripped and lower-cased; answers: normalize_answer), which
# the spec leaves open; not the value of the other side (the prediction's spelling of a gt name).
TEXT_FIELDS = {"hallucination": ("name",), "missed_object": ("name",), "wrong_location": ("name",),
               "wrong_answer": ("question", "answer", "gt_answer"), "wrong_scene": ("scene_type", "gt_scene")}


def _normal(field, value):
    if field in ("answer", "gt_answer"):
        return evaluation.normalize_answer(value)
    return evaluation.name_key(value) if isinstance(value, str) else value


def _entry_key(category, e):
    """What identifies one failure: every documented field, text fields normalised."""
    numbers = {"hallucination": ("box", "score"), "missed_object": ("gt_box", "source"),
               "wrong_location": ("gt_box", "pred_box", "iou", "source")}.get(category, ())
    return (e.get("index"), _num(e.get("severity")), *(_box(_num(e.get(k))) for k in numbers),
            *(_normal(k, e.get(k)) for k in TEXT_FIELDS[category]))


def _spelled_ok(category, mine, ref):
    """Each text field as written in the reference, or its normalised form."""
    return all(mine.get(k) in (ref.get(k), _normal(k, ref.get(k))) for k in TEXT_FIELDS[category])


def _same_entries(category, theirs, ours):
    """The two lists hold the same failures (as multisets), text spelled acceptably."""
    if sorted(map(str, (_entry_key(category, e) for e in theirs))) != \
            sorted(map(str, (_entry_key(category, e) for e in ours))):
        return False
    left = list(ours)
    candidates = [[r for r in ours if str(_entry_key(category, r)) == str(_entry_key(category, e))
                   and _spelled_ok(category, e, r)] for e in theirs]
    for options in sorted(candidates, key=len):
        pick = next((r for r in options if any(r is x for x in left)), None)
        if pick is None:
            return False
        left = [x for x in left if x is not pick]
    return True


def _reference_entry(category, e):
    """A reference entry in the probe's view (plain values, boxes as float lists)."""
    view = {"index": e["index"]}
    for k, v in e.items():
        view[k] = [float(x) for x in v] if isinstance(v, list | tuple) else v
    return view


def _detection_pairing_ok(case, mine):
    """Detection's unmatched predictions and gt objects, sample by sample and name by name: each
    prediction paired (wrong_location) with the left gt object of its name of highest IoU, which
    is then used up, in whatever order the predictions are taken; the rest hallucinations or
    missed objects. Returns a message or None."""
    by_index = {}
    for category in ("hallucination", "missed_object", "wrong_location"):
        for e in mine[category]:
            if category == "hallucination" or e.get("source") == "detection":
                by_index.setdefault(e["index"], []).append((category, e))
    for i, (s, p) in enumerate(zip(case["samples"], case["outputs"], strict=True)):
        gt, objects = s["gt_objects"], p.get("objects") or []
        matches, unmatched_pred, unmatched_gt = evaluation.match_detections(objects, gt)
        left_pred = [(o["name"], _box([float(v) for v in o["box"]]), _num(o.get("score"))) for o in
                     (objects[k] for k in unmatched_pred)]
        left_gt = [(g["name"], _box([float(v) for v in g["box"]])) for g in (gt[k] for k in unmatched_gt)]
        pairs, halluc, missed = [], [], []
        for category, e in by_index.pop(i, []):
            if category == "hallucination":
                halluc.append((e.get("name"), _box(e.get("box")), _num(e.get("score"))))
            elif category == "missed_object":
                missed.append((e.get("name"), _box(e.get("gt_box"))))
            else:
                pairs.append((e.get("name"), _box(e.get("gt_box")), _box(e.get("pred_box")), _num(e.get("iou"))))
        # the predictions the learner paired or called hallucinations: exactly the unmatched ones
        paired_pred = []
        for name, gt_box, pred_box, iou in pairs:
            same = [o for o in left_pred if o[1] == pred_box and evaluation.name_key(o[0]) == evaluation.name_key(name)]
            if not same:
                return "'wrong_location' (detection) should pair a prediction left unmatched with a gt object"
            paired_pred.append(same[0])
        def normal(items):
            return sorted(str((evaluation.name_key(n), *rest)) for n, *rest in items)

        def spelled(items, written):  # each name as the reference writes it, or normalised
            return all(any(n in (w[0], evaluation.name_key(w[0])) and tuple(rest) == tuple(w[1:]) for w in written)
                       for n, *rest in items)

        if normal(paired_pred + halluc) != normal(left_pred) or not spelled(halluc, left_pred):
            return ("every prediction left unmatched by match_objects should be either a 'wrong_location' "
                    "(detection) or a 'hallucination' (with the prediction's name), once")
        gt_side = [(n, g) for n, g, _, _ in pairs] + missed
        if normal(gt_side) != normal(left_gt) or not spelled(gt_side, left_gt):
            return ("every gt object left unmatched by match_objects should be either paired in a "
                    "'wrong_location' (detection) or a 'missed_object' (detection), once, with the gt "
                    "object's name")
        for name, gt_box, pred_box, iou in pairs:
            if iou != _num(evaluation.compute_iou(list(pred_box), list(gt_box))):
                return "a 'wrong_location' entry's 'iou' should be the IoU of its pred_box and gt_box"
        # One prediction at a time, in some order, takes the left gt object of its name with the
        # highest IoU. A pair that is valid stays valid when others take their gt objects first,
        # so taking valid pairs greedily finds an order whenever one exists.
        todo, left = list(pairs), [(evaluation.name_key(n), b) for n, b in left_gt]
        while todo:
            def valid(pair):
                name, gt_box, pred_box, _ = pair
                key = evaluation.name_key(name)
                ious = [evaluation.compute_iou(list(pred_box), list(b)) for n, b in left if n == key]
                here = evaluation.compute_iou(list(pred_box), list(gt_box))
                return (evaluation.name_key(name), gt_box) in left and here >= max(ious) - 1e-9

            pick = next((pair for pair in todo if valid(pair)), None)
            if pick is None:
                return ("an unmatched prediction should be paired with the left gt object of its name "
                        "of highest IoU, which is then used up")
            todo.remove(pick)
            left.remove((evaluation.name_key(pick[0]), pick[1]))
        for name in {evaluation.name_key(n) for n, _, _ in left_pred}:
            n_pred = sum(evaluation.name_key(o[0]) == name for o in left_pred)
            n_gt = sum(evaluation.name_key(g[0]) == name for g in left_gt)
            if sum(evaluation.name_key(pair[0]) == name for pair in pairs) != min(n_pred, n_gt):
                return "a prediction is a 'hallucination' only when no unmatched gt object of its name is left"
    if by_index:
        return "error entries should carry the 'index' of their sample"
    return None


_FIELD_HINTS = {
    "hallucination": "the prediction's name as written, its box and score, severity = score",
    "missed_object": "the gt object's name as written, its gt_box, the source, severity 1.0",
    "wrong_location": ("the gt object's name as written, gt_box, the best pred_box, its iou, the "
                       "source, severity = 1 - iou"),
    "wrong_answer": "the question, the answer as predicted, the gt_answer, severity 1.0",
    "wrong_scene": "the scene_type as predicted, the gt_scene, severity 1.0",
}


def errors_match_reference(case, output):
    if not isinstance(output, dict) or not isinstance(output.get("errors"), dict):
        return "error_analysis should return a dict of lists, one per category"
    if output.get("calls"):
        return "error_analysis ran the pipeline again: sort the stored predictions, never re-run"
    reference = evaluation.error_analysis(case["samples"], case["outputs"])
    mine = {}
    for category, fields in ERROR_FIELDS.items():
        entries = output["errors"].get(category)
        if entries is None:
            return f"error_analysis has no '{category}' list"
        required = ("index", "severity") + fields
        if not all(set(required) <= set(e["keys"]) for e in entries):
            return f"each '{category}' entry needs the keys {', '.join(required)}"
        if not all(type(e["index"]) is int and e.get("float_severity") is True for e in entries):
            return f"'{category}' entries need an int 'index' and a float 'severity'"
        mine[category] = entries
    # Detection's pairs depend on the order the unmatched predictions are taken in, which the
    # spec leaves open: those entries are checked by their rule, everything else against the kit.
    def settled(category, e):
        return category in ("wrong_answer", "wrong_scene") or e.get("source") == "grounding"

    for category in ERROR_FIELDS:
        ours = [_reference_entry(category, e) for e in reference[category]]
        theirs = [e for e in mine[category] if settled(category, e)]
        ours = [e for e in ours if settled(category, e)]
        if not _same_entries(category, theirs, ours):
            return (f"'{category}' does not hold the right failures (check the count, the sample "
                    f"index, the source and the fields: {_FIELD_HINTS[category]})")
    message = _detection_pairing_ok(case, mine)
    if message:
        return message
    for category in ("hallucination", "missed_object", "wrong_location"):
        for e in mine[category]:
            if category == "hallucination":
                expected = e.get("score")
            elif category == "wrong_location":
                expected = None if not isinstance(e.get("iou"), float) else 1.0 - e["iou"]
            else:
                expected = 1.0
            if expected is None or _num(e.get("severity")) != _num(expected):
                return (f"'{category}' does not hold the right failures (check the count, the sample "
                        f"index, the source and the fields: {_FIELD_HINTS[category]})")
    return None


def _objects_ok(out, size):
    if not isinstance(out, dict) or not isinstance(out.get("scene_type"), str):
        return "process should return a dict with a 'scene_type' string"
    from vlmkit.world.spec import CATEGORIES

    w, h = size
    for o in out["objects"]:
        x1, y1, x2, y2 = o["box"]
        if o["name"] not in CATEGORIES or not (-0.5 <= x1 <= x2 <= w + 0.5 and -0.5 <= y1 <= y2 <= h + 0.5):
            return "each object needs a category 'name' and a box [x1, y1, x2, y2] inside the image"
        if not 0.0 <= o["score"] <= 1.0:
            return "each object's 'score' should be a probability"
    return None


def contract_holds(case, output):
    from vlmkit.world.spec import IMAGE_SIZE, singular

    plain, full = output["plain"], output["full"]
    message = _objects_ok(plain, (IMAGE_SIZE, IMAGE_SIZE)) or _objects_ok(full, (IMAGE_SIZE, IMAGE_SIZE))
    if message:
        return message
    if not isinstance(full.get("answer"), str) or not full["answer"]:
        return "with a question, 'answer' should be a non-empty string"
    if plain.get("answer") is not None or plain.get("grounded") != {}:
        return "without a question 'answer' should be None, and without names 'grounded' should be {}"
    if compare.equal([o["name"] for o in plain["objects"]], [o["name"] for o in full["objects"]],
                     "objects") or compare.close([o["box"] for o in plain["objects"]],
                                                 [o["box"] for o in full["objects"]], "boxes", atol=1e-3):
        return "the objects should not depend on the question or the names to ground"
    grounded = full.get("grounded")
    if not isinstance(grounded, dict) or sorted(grounded) != sorted(case["names"]):
        return "'grounded' should have one entry per name in ground_objects, keyed by the name as given"
    for name, g in grounded.items():
        if g["found"] is not bool(g["boxes"]) or len(g["scores"]) != len(g["boxes"]):
            return "each grounded entry needs 'found' (a bool: any boxes?) and one score per box"
        mine = sorted(g["boxes"])
        expected = sorted(o["box"] for o in full["objects"] if o["name"] == singular(name))
        if len(mine) != len(expected) or compare.close(mine, expected, "boxes", atol=0.5):
            return ("grounding a name should give the detector's boxes of that category "
                    "(names matched case-insensitively)")
    return None


@lru_cache(maxsize=4)
def _kit_summary(start, stop):
    """What the kit's own pipeline reaches on samples[start:stop] (computed, never stored)."""
    from vlmkit.pipeline import Pipeline

    samples = _samples()[start:stop]
    predictions = Pipeline().process_batch([s["image"] for s in samples], [s["question"] for s in samples],
                                           [evaluation.ground_names(s) for s in samples])
    return evaluation.summarize(samples, predictions)


def reaches_kit_metrics(case, output):
    samples = _samples()[case["start"]:case["stop"]]
    if not isinstance(output, list) or len(output) != len(samples):
        return "the probe expected one output per test sample"
    mine = evaluation.summarize(samples, output)
    kit = _kit_summary(case["start"], case["stop"])
    for key in SUMMARY_KEYS:
        if (mine[key]["mean"] or 0.0) < kit[key]["mean"] - METRIC_MARGIN:
            return (f"{key} on these test samples is more than {METRIC_MARGIN} below what the "
                    "kit's own models reach: check how this part is wired")
        if mine[key]["mean"] > kit[key]["mean"] + METRIC_HEADROOM:
            return (f"{key} on these test samples is more than {METRIC_HEADROOM} above what the "
                    "kit's own models reach: it should come from the kit's models (scene: CLIP, "
                    "objects: the detector, answers: the VQA model), read off the pixels")
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
          {"index": 0, "question": "how many cars are there?", "names": ["Car", "fish", "tree"]}),
    Check("capstone.pipeline.test_set", "pipeline_run", reaches_kit_metrics, {"start": 0, "stop": 80}),
]
