"""The course's original capstone harness, kept on purpose WITH its flaws. Do not use it to score.

It exists so the capstone can show, side by side with `vlmkit.evaluation`, how a plausible-looking
harness misleads (tests/evaluation/test_legacy_harness.py demonstrates each flaw). It is a reconstruction
from the documented flaws list (/work/shared/reference-conventions.md), written the way the
course wrote it:

- VQA "exact match" is `gt in pred or pred in gt`: an empty answer matches everything and
  "2" matches "12".
- Grounding IoU is recorded only when the object is found; misses are skipped, and with nothing
  recorded the mean defaults to 1.0, so a pipeline that finds nothing scores a perfect mean.
- Detection names are lower-cased but grounding names are not: a case mismatch turns a grounding
  into a (skipped, hence invisible) miss.
- Only recall is measured, so hallucinated objects cost nothing. (A gt object counts as detected
  if `any` prediction matches it, so one box can also explain several objects.)
- `error_analysis` declares wrong_location, wrong_answer and wrong_scene but never fills them, and
  re-runs the whole pipeline instead of reusing the evaluation's predictions.
- `compute_iou` accepts inverted boxes (x2 < x1): it puts the corners back in order, so an
  invalid box gets a positive area and can score a positive, even perfect, IoU.

    from vlmkit.evaluation.legacy_harness import evaluate_pipeline
    results = evaluate_pipeline(pipeline, samples)   # {'scene_accuracy': 0.9, ...}
"""


def compute_iou(box1, box2):
    # "Be forgiving about corner order" -- this is the flaw: invalid boxes are silently accepted.
    ax1, ax2 = sorted((box1[0], box1[2]))
    ay1, ay2 = sorted((box1[1], box1[3]))
    bx1, bx2 = sorted((box2[0], box2[2]))
    by1, by2 = sorted((box2[1], box2[3]))
    inter = max(0, min(ax2, bx2) - max(ax1, bx1)) * max(0, min(ay2, by2) - max(ay1, by1))
    union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter
    return inter / union if union > 0 else 0.0


def answer_matches(pred, gt):
    pred, gt = str(pred).strip().lower(), str(gt).strip().lower()
    return gt in pred or pred in gt


def evaluate_pipeline(pipeline, samples):
    """Returns {'scene_accuracy', 'vqa_accuracy', 'detection_recall', 'grounding_miou'} floats."""
    scene_hits, vqa_hits, detected, n_gt, ious = 0, 0, 0, 0, []
    for sample in samples:
        names = [obj["name"] for obj in sample["gt_objects"]]
        out = pipeline.process(sample["image"], question=sample["question"], ground_objects=names)
        scene_hits += out["scene_type"] == sample["gt_scene"]
        vqa_hits += answer_matches(out["answer"], sample["gt_answer"])
        for obj in sample["gt_objects"]:
            n_gt += 1
            detected += any(p["name"].lower() == obj["name"].lower()
                            and compute_iou(p["box"], obj["box"]) >= 0.5 for p in out["objects"])
            g = out["grounded"].get(obj["name"])
            if g and g["found"]:
                ious.append(max(compute_iou(b, obj["box"]) for b in g["boxes"]))
    n = len(samples)
    return {
        "scene_accuracy": scene_hits / n,
        "vqa_accuracy": vqa_hits / n,
        "detection_recall": detected / n_gt if n_gt else 0.0,
        "grounding_miou": sum(ious) / len(ious) if ious else 1.0,
    }


def error_analysis(pipeline, samples):
    errors = {"hallucination": [], "missed_object": [], "wrong_location": [],
              "wrong_answer": [], "wrong_scene": []}
    for i, sample in enumerate(samples):
        names = [obj["name"] for obj in sample["gt_objects"]]
        out = pipeline.process(sample["image"], question=sample["question"], ground_objects=names)
        gt_names = {n.lower() for n in names}
        pred_names = {p["name"].lower() for p in out["objects"]}
        for p in out["objects"]:
            if p["name"].lower() not in gt_names:
                errors["hallucination"].append({"index": i, "name": p["name"]})
        for name in names:
            if name.lower() not in pred_names:
                errors["missed_object"].append({"index": i, "name": name})
    return errors
