"""The truthful capstone harness: run a pipeline once per sample, score it, explain its failures.

    from vlmkit.evaluation import evaluate, error_analysis, print_summary
    predictions, summary = evaluate(pipeline, samples, progress=True)
    print_summary(summary)
    errors = error_analysis(samples, predictions)   # reuses predictions, never re-runs

It fixes every flaw of the course's original harness (kept in `vlmkit.evaluation.legacy_harness`):
answers are compared by normalised exact match, grounding misses count as IoU 0, names are
compared case-insensitively everywhere, detection has precision as well as recall, inverted
boxes have zero area, and `error_analysis` fills all five categories.

`summary` is a flat dict; every value is `{'mean': float | None, 'count': int}`, where `count`
is how many items the mean is taken over and `mean` is None when there were none:

    scene_accuracy            predicted scene_type == gt_scene (case-insensitive), per image
    vqa_accuracy              normalised exact match of answer vs gt_answer, per question
    vqa_accuracy/<type>       the same, restricted to one question_type
    detection_precision       matched predictions / all predicted objects (count: predictions)
    detection_recall          matched gt objects / all gt objects (count: gt objects)
    detection_f1              harmonic mean of the two (count: images; 0 when either is 0/None)
    grounding_miou            mean over gt objects of the best grounded IoU, a miss counts as 0
    grounding_accuracy        share of gt objects whose best grounded IoU >= IOU_THRESHOLD

Detection is micro-averaged over the whole set: a prediction matches a gt object with the same
name (case-insensitive) and IoU >= IOU_THRESHOLD, greedily by descending IoU, one-to-one.
Scene, detection and grounding are judged once per image (on its first record) even when
several records ask questions about the same image; see `score_all`.
"""

import os
import re
import string

from tqdm.auto import tqdm

from vlmkit.world.boxes import IOU_THRESHOLD, compute_iou, match_detections, name_key

ERROR_CATEGORIES = (
    "hallucination", "missed_object", "wrong_location", "wrong_answer", "wrong_scene")

_NUMBER_WORDS = {w: str(i) for i, w in enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty"])}
_ARTICLES = {"a", "an", "the"}
# Apostrophes vanish ("don't" -> "dont"); other punctuation separates words, except a decimal
# point between digits, which is part of the number.
_PUNCT = re.compile(r"(?<!\d)\.|\.(?!\d)|[" + re.escape(string.punctuation.replace(".", "")) + "]")


def normalize_answer(s) -> str:
    """Lower case, strip punctuation, drop articles, number words -> digits, collapse spaces."""
    s = str(s or "").lower().replace("'", "").replace("\u2019", "")
    words = _PUNCT.sub(" ", s).split()
    return " ".join(_NUMBER_WORDS.get(w, w) for w in words if w not in _ARTICLES)


def answers_match(pred, gt) -> bool:
    """Normalised exact match; never a substring test, so "2" does not match "12"."""
    return normalize_answer(pred) == normalize_answer(gt)


def grounding_results(grounded, gt_objects):
    """For each gt object: (found, best IoU among the boxes grounded for its name, best box).

    Names are looked up case-insensitively; a name that is absent or not found gives IoU 0.
    """
    by_name = {name_key(k): v for k, v in (grounded or {}).items()}
    out = []
    for g in gt_objects:
        entry = by_name.get(name_key(g.get("name"))) or {}
        boxes = list(entry.get("boxes", [])) if entry.get("found") else []  # arrays welcome
        ious = [compute_iou(b, g["box"]) for b in boxes]
        best = max(range(len(ious)), key=ious.__getitem__, default=None)
        out.append((bool(boxes), ious[best] if boxes else 0.0, boxes[best] if boxes else None))
    return out


def ground_names(sample) -> list:
    """The names the pipeline is asked to ground for a sample: its gt names, once each."""
    return list(dict.fromkeys(g["name"] for g in sample.get("gt_objects", [])))


def score_sample(sample, prediction, image_level=True) -> dict:
    """Every per-sample judgement, in one place, shared by `summarize` and `error_analysis`.

    With image_level=False (a later record of an image already scored) only the question is
    judged: the scene, objects and grounding of that image were counted with its first record.
    """
    gt_objects = sample.get("gt_objects", []) if image_level else []
    pred_objects = (prediction.get("objects") or []) if image_level else []
    matches, unmatched_pred, unmatched_gt = match_detections(pred_objects, gt_objects)
    scene = None
    if image_level and sample.get("gt_scene") is not None:
        scene = (name_key(sample["gt_scene"]), name_key(prediction.get("scene_type")) or "(none)")
    has_question = sample.get("question") and sample.get("gt_answer") is not None
    return {
        "image_level": image_level, "scene": scene,
        "scene_correct": None if scene is None else scene[0] == scene[1],
        "vqa_correct": answers_match(prediction.get("answer"), sample["gt_answer"])
        if has_question else None,
        "question_type": sample.get("question_type") or "unknown",
        "gt_objects": gt_objects, "pred_objects": pred_objects,
        "matches": matches, "unmatched_pred": unmatched_pred, "unmatched_gt": unmatched_gt,
        "grounding": grounding_results(prediction.get("grounded"), gt_objects),
    }


def score_all(samples, predictions) -> list:
    """`score_sample` for each pair, image-level judgements only on an image's first record.

    The bundled test set asks several questions per image; scoring its scene and objects once
    keeps every count a count of images and objects, not of questions.
    """
    seen, scores = set(), []
    for s, p in zip(samples, predictions, strict=True):
        image = s.get("image")
        key = image if isinstance(image, str | os.PathLike) else id(image)  # arrays: by object
        scores.append(score_sample(s, p, image_level=key not in seen))
        seen.add(key)
    return scores


def _stat(values) -> dict:
    values = list(values)
    return {"mean": sum(values) / len(values) if values else None, "count": len(values)}


def summarize(samples, predictions) -> dict:
    """The flat summary dict (keys in the module docstring) from stored predictions."""
    scores = score_all(samples, predictions)
    vqa = [(sc["question_type"], sc["vqa_correct"])
           for sc in scores if sc["vqa_correct"] is not None]
    tp = sum(len(sc["matches"]) for sc in scores)
    n_pred = sum(len(sc["pred_objects"]) for sc in scores)
    n_gt = sum(len(sc["gt_objects"]) for sc in scores)
    precision = tp / n_pred if n_pred else None
    recall = tp / n_gt if n_gt else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
    if precision is None and recall is None:  # nothing to find and nothing found
        f1 = None
    ious = [iou for sc in scores for _, iou, _ in sc["grounding"]]
    summary = {
        "scene_accuracy": _stat(
            sc["scene_correct"] for sc in scores if sc["scene_correct"] is not None),
        "vqa_accuracy": _stat(ok for _, ok in vqa),
    }
    for qtype in sorted({t for t, _ in vqa}):
        summary[f"vqa_accuracy/{qtype}"] = _stat(ok for t, ok in vqa if t == qtype)
    summary.update({
        "detection_precision": {"mean": precision, "count": n_pred},
        "detection_recall": {"mean": recall, "count": n_gt},
        "detection_f1": {"mean": f1, "count": sum(sc["image_level"] for sc in scores)},
        "grounding_miou": _stat(ious),
        "grounding_accuracy": _stat(iou >= IOU_THRESHOLD for iou in ious),
    })
    return summary


def scene_confusion(samples, predictions):
    """(labels, counts): counts[i][j] = images with gt scene labels[i] predicted as labels[j].

    Scenes are compared as `scene_accuracy` compares them; an empty prediction is "(none)".
    """
    pairs = [sc["scene"] for sc in score_all(samples, predictions) if sc["scene"] is not None]
    labels = sorted({label for pair in pairs for label in pair})
    index = {label: i for i, label in enumerate(labels)}
    counts = [[0] * len(labels) for _ in labels]
    for gt, pred in pairs:
        counts[index[gt]][index[pred]] += 1
    return labels, counts


def evaluate(pipeline, samples, progress=False):
    """Run `pipeline.process` once per sample (question and grounding names in the same call).

    Returns (predictions, summary): the raw outputs, in sample order, and `summarize`'s dict.
    """
    samples = list(samples)
    predictions = [
        pipeline.process(s["image"], question=s.get("question"), ground_objects=ground_names(s))
        for s in tqdm(samples, desc="evaluating", unit="sample", disable=not progress)
    ]
    return predictions, summarize(samples, predictions)


def error_analysis(samples, predictions) -> dict:
    """Sort every failure into the five ERROR_CATEGORIES, from stored predictions only.

    Each entry: {'index', 'image', 'severity' (higher = worse, for worst-first views), details}.
    - hallucination: a predicted object with no gt of its name left to explain it.
    - missed_object: a gt object nothing points at (no detection of its name, or grounding miss);
      'source' says whether detection or grounding missed it.
    - wrong_location: right name but IoU < IOU_THRESHOLD ('source': detection or grounding).
    - wrong_answer / wrong_scene: VQA answer or scene type that does not match.
    """
    errors = {c: [] for c in ERROR_CATEGORIES}
    scores = score_all(samples, predictions)
    for i, (s, p, sc) in enumerate(zip(samples, predictions, scores, strict=True)):
        for category, severity, details in _sample_errors(s, p, sc):
            errors[category].append({"index": i, "image": s.get("image"),
                                     "severity": float(severity), **details})
    return errors


def _sample_errors(s, p, sc):
    """Yield (category, severity, details) for one sample's failures, given its scores."""
    gt, objs = sc["gt_objects"], sc["pred_objects"]
    # An unmatched prediction next to an unmatched gt of its name found the object but put it
    # in the wrong place; with no such gt left, the object does not exist.
    left_gt = list(sc["unmatched_gt"])
    for pi in sc["unmatched_pred"]:
        o = objs[pi]
        same = [gi for gi in left_gt if name_key(gt[gi]["name"]) == name_key(o.get("name"))]
        if not same:
            yield "hallucination", o.get("score", 1.0), {
                "name": o.get("name"), "box": o["box"], "score": o.get("score")}
            continue
        gi = max(same, key=lambda j: compute_iou(o["box"], gt[j]["box"]))
        left_gt.remove(gi)
        iou = compute_iou(o["box"], gt[gi]["box"])
        yield "wrong_location", 1.0 - iou, {"source": "detection", "name": gt[gi]["name"],
                                            "gt_box": gt[gi]["box"], "pred_box": o["box"],
                                            "iou": iou}
    for gi in left_gt:
        yield "missed_object", 1.0, {"source": "detection", "name": gt[gi]["name"],
                                     "gt_box": gt[gi]["box"]}
    for g, (found, iou, box) in zip(gt, sc["grounding"], strict=True):
        if not found:
            yield "missed_object", 1.0, {"source": "grounding", "name": g["name"],
                                         "gt_box": g["box"]}
        elif iou < IOU_THRESHOLD:
            yield "wrong_location", 1.0 - iou, {"source": "grounding", "name": g["name"],
                                                "gt_box": g["box"], "pred_box": box, "iou": iou}
    if sc["vqa_correct"] is False:
        yield "wrong_answer", 1.0, {"question": s["question"], "question_type": sc["question_type"],
                                    "answer": p.get("answer"), "gt_answer": s["gt_answer"]}
    if sc["scene_correct"] is False:
        yield "wrong_scene", 1.0, {"scene_type": p.get("scene_type"), "gt_scene": s["gt_scene"]}


def format_summary(summary) -> str:
    """The summary as a plain-text table: metric, mean, count."""
    width = max([len("metric")] + [len(k) for k in summary])
    lines = [f"{'metric':<{width}}  {'mean':>6}  {'count':>6}", "-" * (width + 16)]
    for key, v in summary.items():
        mean = "n/a" if v["mean"] is None else f"{v['mean']:.3f}"
        lines.append(f"{key:<{width}}  {mean:>6}  {v['count']:>6}")
    return "\n".join(lines)


def print_summary(summary) -> None:
    print(format_summary(summary))
