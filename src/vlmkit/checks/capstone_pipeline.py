"""Capstone: judging a learner's pipeline, by its output contract and by the metrics it reaches
on the bundled test set next to the kit's own `Pipeline` (computed here, never stored); which
model did each part, in capstone_components.py.

The contract (the notebook's section 1 and `vlmkit.pipeline.Pipeline` say the same): the four
keys are always there, `answer` None without a question, `grounded` {} without names, and a name
outside the detector's categories is grounded as not found.
"""

from functools import lru_cache

from vlmkit import evaluation
from vlmkit.grading.checking import compare

CONTRACT_KEYS = ("scene_type", "objects", "grounded", "answer")
NOT_FOUND = {"found": False, "boxes": [], "scores": []}
SUMMARY_KEYS = ("scene_accuracy", "vqa_accuracy", "detection_precision", "detection_recall",
                "grounding_miou")
# How far a learner's pipeline may score below / above the kit's own on the same test samples:
# far above means the numbers do not come from the kit's models (the ground truth looked up by
# file name, say; the hidden run passes arrays, not paths, for the same reason).
METRIC_MARGIN, METRIC_HEADROOM = 0.05, 0.10


@lru_cache(maxsize=1)
def bundled_samples():
    """The bundled capstone test set (loaded once; the probes and the judges index into it)."""
    from vlmkit.world import load_samples

    return load_samples()


def contract_view(out):
    """Only the contract's fields of one pipeline output, as plain data (records stay small);
    'missing' lists the contract's keys the output lacks."""
    def obj(o):
        return {"name": o.get("name"), "box": [float(v) for v in o.get("box")], "score": float(o.get("score"))}

    grounded = out.get("grounded")
    return {
        "missing": [k for k in CONTRACT_KEYS if k not in out],
        "scene_type": out.get("scene_type"),
        "objects": [obj(o) for o in out.get("objects") or []],
        "grounded": None if grounded is None else {
            str(n): {"found": g.get("found"), "boxes": [[float(v) for v in b] for b in g.get("boxes")],
                     "scores": [float(s) for s in g.get("scores")]} for n, g in grounded.items()},
        "answer": out.get("answer"),
    }


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

    plain, full, unknown = output["plain"], output["full"], output["unknown"]
    missing = [k for k in CONTRACT_KEYS if k in plain["missing"] + full["missing"]]
    if missing:
        return (f"process should always return the four keys {', '.join(CONTRACT_KEYS)} (missing: "
                f"{', '.join(missing)}): 'answer' is None without a question, 'grounded' {{}} without names")
    message = _objects_ok(plain, (IMAGE_SIZE, IMAGE_SIZE)) or _objects_ok(full, (IMAGE_SIZE, IMAGE_SIZE))
    if message:
        return message
    if not isinstance(full.get("answer"), str) or not full["answer"]:
        return "with a question, 'answer' should be a non-empty string"
    if plain.get("answer") is not None or plain.get("grounded") != {}:
        return "without a question 'answer' should be None, and without names 'grounded' should be {}"
    if not isinstance(unknown, dict) or unknown.get("grounded") != {case["unknown"]: NOT_FOUND}:
        raised = f" (yours raised {unknown})" if isinstance(unknown, str) else ""
        return (f"a name the detector has no category for, such as {case['unknown']!r}, should be grounded "
                f"as not found, {NOT_FOUND}{raised}")
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


@lru_cache(maxsize=1)
def kit_pipeline():
    """The kit's own Pipeline, the judges' yardstick (loaded once per grader process)."""
    from vlmkit.pipeline import Pipeline

    return Pipeline()


@lru_cache(maxsize=4)
def _kit_summary(start, stop):
    """What the kit's own pipeline reaches on samples[start:stop] (computed, never stored)."""
    samples = bundled_samples()[start:stop]
    predictions = kit_pipeline().process_batch([s["image"] for s in samples], [s["question"] for s in samples],
                                           [evaluation.ground_names(s) for s in samples])
    return evaluation.summarize(samples, predictions)


def _summaries(case, output):
    """(the learner's summary, the kit's) on the case's test samples; None for a malformed output."""
    samples = bundled_samples()[case["start"]:case["stop"]]
    if not isinstance(output, list) or len(output) != len(samples):
        return None
    return evaluation.summarize(samples, output), _kit_summary(case["start"], case["stop"])


def reaches_kit_metrics(case, output):
    summaries = _summaries(case, output)
    if summaries is None:
        return "the probe expected one output per test sample"
    mine, kit = summaries
    for key in SUMMARY_KEYS:
        if (mine[key]["mean"] or 0.0) < kit[key]["mean"] - METRIC_MARGIN:
            return (f"{key} on these test samples is more than {METRIC_MARGIN} below what the "
                    "kit's own models reach: check how this part is wired")
        if mine[key]["mean"] > kit[key]["mean"] + METRIC_HEADROOM:
            return (f"{key} on these test samples is more than {METRIC_HEADROOM} above what the "
                    "kit's own models reach: it should come from the kit's models (scene: CLIP, "
                    "objects: the detector, answers: the VQA model), read off the pixels")
    return None


def measured_metrics(case, output):
    """The metrics the learner's pipeline and the kit's reach on the case's samples (the class
    report's distributions): SUMMARY_KEYS and VQA accuracy per question kind; a metric with
    nothing to measure is left out."""
    summaries = _summaries(case, output)
    if summaries is None:
        return None
    names = [*SUMMARY_KEYS[:2], *sorted(k for k in summaries[1] if k.startswith("vqa_accuracy/")),
             *SUMMARY_KEYS[2:]]
    return {group: {name: summary[name]["mean"] for name in names if summary.get(name, {}).get("mean") is not None}
            for group, summary in zip(("reached", "reference"), summaries)}
