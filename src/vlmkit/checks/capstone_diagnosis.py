"""Capstone: what a failing compute_iou or summary value says about its mistake.

The judges in capstone.py append these to a message that already fails (HINT, then the hint);
nothing here decides a grade. First the value each common mistake of the class would give on the
case's own inputs, computed with the kit's harness (vlmkit.evaluation) bent that one way
(judges.diagnose; each mistake that fits is named, as the numbers alone may not tell two apart,
by the narrowest way of making it that fits); failing that, where the IoUs go wrong (which kinds
of box pairs) or which way a metric is off and the rule it breaks. Neither quotes a value.

The bent harness is written out here (`_match_count`, `_grounding_mean`) because the kit's
`match_detections` and `grounding_results` take neither another IoU, nor another name
comparison, nor another matching order: with the defaults they agree with the kit's.
"""

import operator

from vlmkit import evaluation
from vlmkit.evaluation import IOU_THRESHOLD, box_area, compute_iou, name_key
from vlmkit.grading.checking.judges import HINT, diagnose

ATOL = 1e-6  # the judges' tolerance: a mistake "matches" when it is as close as a pass would be


# ---------------------------------------------------------------- compute_iou

def _reordered(a, b):
    def fix(box):
        return [min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])]

    return compute_iou(fix(a), fix(b))


def _meet(a, b):
    """The intersection's corners (inverted when the boxes do not overlap)."""
    return [max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])]


def _inter(a, b):
    return box_area(_meet(a, b))


def _unclamped(a, b):
    x1, y1, x2, y2 = _meet(a, b)
    inter = (x2 - x1) * (y2 - y1)
    union = box_area(a) + box_area(b) - inter
    return inter / union if box_area(a) > 0 and box_area(b) > 0 and union > 0 else 0.0


def _union_with_intersection(a, b):
    inter, area_a, area_b = _inter(a, b), box_area(a), box_area(b)
    return inter / (area_a + area_b) if inter and area_a and area_b else 0.0


def _pixel_inclusive(a, b):
    def area(box):
        return max(0.0, box[2] - box[0] + 1) * max(0.0, box[3] - box[1] + 1)

    inter = area(_meet(a, b))
    union = area(a) + area(b) - inter
    return inter / union if union > 0 else 0.0


# Each: (hint, the IoU that mistake computes). Shared with the summary: evaluate_pipeline's
# metrics go wrong the same way when compute_iou does.
IOU_MISTAKES = (
    ("an inverted box (x2 < x1 or y2 < y1) is re-ordered: it is invalid, with area 0 and IoU 0", _reordered),
    ("the intersection's width and height are not clamped at 0: boxes that do not overlap get a "
     "nonzero intersection", _unclamped),
    ("the union counts the intersection twice: union = area_a + area_b - intersection", _union_with_intersection),
    ("areas counted in whole pixels (+1): boxes are continuous, area = (x2 - x1) * (y2 - y1)", _pixel_inclusive),
)


def _pair_kind(a, b):
    if a[2] < a[0] or a[3] < a[1] or b[2] < b[0] or b[3] < b[1]:
        return "pairs with an inverted box (x2 < x1 or y2 < y1: area 0, IoU 0)"
    if box_area(a) == 0 or box_area(b) == 0:
        return "pairs with a zero-area box (IoU 0)"
    if _inter(a, b) == 0:
        return "boxes that touch or lie apart (no area in common: IoU 0)"
    return "boxes that overlap (intersection over union)"


def _explained(got, mistakes):
    """HINT and the mistakes of (family, hint, value) whose value `got` matches, else "". A
    family lists ways of making one mistake, those that leave out least first: only its first fit
    is named (what it says is wrong is wrong here). The numbers alone may not tell two families
    apart: then both are named."""
    named = {}
    for family, hint, value in mistakes:
        if family not in named and diagnose(got, {hint: value}, ATOL, 0):
            named[family] = hint
    hints = list(dict.fromkeys(named.values()))
    if len(hints) > 1:
        return f"{HINT}one of these mistakes: {'; or '.join(hints)}"
    return f"{HINT}{hints[0]}" if hints else ""


def iou_hint(pairs, values):
    """The mistake the IoUs match, else which kinds of pairs they are wrong on ("" if unknown)."""
    named = _explained(values, [(hint, hint, [iou(a, b) for a, b in pairs]) for hint, iou in IOU_MISTAKES])
    if named:
        return named
    wrong = [_pair_kind(a, b) for (a, b), v in zip(pairs, values, strict=True)
             if abs(v - compute_iou(a, b)) > ATOL]
    kinds = list(dict.fromkeys(wrong))
    if not kinds:
        return ""
    only = "" if len(kinds) == len({_pair_kind(a, b) for a, b in pairs}) else "only "
    return f"{HINT}wrong {only}for {', '.join(kinds)}"


# ---------------------------------------------------------------- the summary's metrics

def _as_written(x):
    return x


def _lower(x):
    return str(x or "").lower()


def _strip(x):
    return str(x or "").strip()


# The name comparisons a learner may write, and what each leaves out that name_key does.
_LEAVES_OUT = {_as_written: ("lower-casing", "stripping surrounding spaces"), _lower: ("stripping surrounding spaces",),
               _strip: ("lower-casing",), name_key: ()}
_COMPARISONS = (_lower, _strip, _as_written)  # the mistaken ones, those that leave out less first


def _without(*comparisons):
    """What the comparisons leave out, together: "lower-casing or stripping surrounding spaces"."""
    return " or ".join(op for op in _LEAVES_OUT[_as_written] if any(op in _LEAVES_OUT[c] for c in comparisons))


def _by_iou(pair):
    return -pair[0]


def _match_count(pred, gt, iou=compute_iou, same=name_key, order=_by_iou, accept=operator.ge, one_to_one=True):
    """(matched predictions, matched gt objects): the kit's greedy matching, bent by the arguments."""
    pairs = sorted(((iou(p["box"], g["box"]), i, j) for i, p in enumerate(pred) for j, g in enumerate(gt)
                    if same(p.get("name")) == same(g.get("name"))), key=order)
    hits = [(i, j) for v, i, j in pairs if accept(v, IOU_THRESHOLD)]
    if not one_to_one:
        return len({i for i, _ in hits}), len({j for _, j in hits})
    used_p, used_g = set(), set()
    for i, j in hits:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
    return len(used_p), len(used_g)


# (family, hint, how the matching is bent): see _explained.
_IN_TURN = ("matching takes each prediction, or each gt object, in turn with its best partner: match "
            "greedily by descending IoU over all same-name pairs")
_DETECTION_MISTAKES = (
    *(("names", f"names compared without {_without(c)}: compare them stripped and lower-cased", {"same": c})
      for c in _COMPARISONS),
    ("threshold", "an IoU of exactly IOU_THRESHOLD is no match: a match needs IoU >= 0.5", {"accept": operator.gt}),
    ("order", _IN_TURN, {"order": lambda t: (t[1], -t[0])}),
    ("order", _IN_TURN, {"order": lambda t: (t[2], -t[0])}),
    ("one-to-one", "matching is not one-to-one: a duplicate box on an object already matched counts as a match",
     {"one_to_one": False}),
    *((hint, f"the IoUs are off ({hint}): fix compute_iou", {"iou": iou}) for hint, iou in IOU_MISTAKES),
)


def _detection(scores, key):
    """(family, hint, summary[key]) for each detection mistake; key is detection_precision or _recall."""
    side = 0 if key == "detection_precision" else 1  # which of (predictions, gt objects) it divides by
    lists = ("pred_objects", "gt_objects")
    counts = [sum(len(sc[k]) for sc in scores) for k in lists]
    out = [(family, hint, sum(_match_count(sc["pred_objects"], sc["gt_objects"], **bend)[side] for sc in scores)
            / counts[side]) for family, hint, bend in _DETECTION_MISTAKES]
    matched = sum(len(sc["matches"]) for sc in scores)
    if counts[1 - side]:
        hint = f"precision and recall swapped: divide by the {('predicted', 'gt')[side]} objects"
        out.append((hint, hint, matched / counts[1 - side]))
    per_image = [len(sc["matches"]) / len(sc[lists[side]]) for sc in scores if sc[lists[side]]]
    hint = "averaged per image: count matches and objects over the whole set, then divide"
    out.append((hint, hint, sum(per_image) / len(per_image)))
    return out


def _grounding_mean(scores, outputs, gt_key=name_key, grounded_key=name_key, pick=max, iou=compute_iou,
                    skip_missed=False):
    """The mean over gt objects of the IoU grounding reaches (the kit's rule, bent by the arguments)."""
    ious = []
    for sc, out in zip(scores, outputs, strict=True):
        by_name = {grounded_key(k): v for k, v in (out.get("grounded") or {}).items()}
        for g in sc["gt_objects"]:
            entry = by_name.get(gt_key(g.get("name"))) or {}
            boxes = list(entry.get("boxes", [])) if entry.get("found") else []
            if boxes:
                ious.append(pick(iou(b, g["box"]) for b in boxes))
            elif not skip_missed:
                ious.append(0.0)
    return sum(ious) / len(ious) if ious else None


def _first(values):
    return next(iter(values))


def _lookup_hint(gt_side, grounded_side):
    if gt_side is grounded_side:
        return (f"grounding compares names without {_without(gt_side)}: strip and lower-case the gt names "
                "and the grounded ones")
    sides = " and ".join(f"the {who} names without {_without(side)}" for who, side in
                         (("gt", gt_side), ("grounded", grounded_side)) if side is not name_key)
    return f"grounding looks up {sides}: strip and lower-case both"


# (family, hint, how the grounding is bent): see _explained.
_GROUNDING_MISTAKES = (
    ("misses", "a name not found (or left out) is skipped: it counts as IoU 0", {"skip_missed": True}),
    *(("names", _lookup_hint(gt, grounded), {"gt_key": gt, "grounded_key": grounded})
      for gt, grounded in sorted(((gt, grounded) for gt in _LEAVES_OUT for grounded in _LEAVES_OUT
                                  if (gt, grounded) != (name_key, name_key)),
                                 key=lambda sides: sum(len(_LEAVES_OUT[c]) for c in sides))),
    ("first", "the first grounded box is scored: take the best IoU among the boxes of the name", {"pick": _first}),
    *((hint, f"the IoUs are off ({hint}): fix compute_iou", {"iou": iou}) for hint, iou in IOU_MISTAKES),
)


def _scene(samples, outputs, scores):
    pairs = [(s["gt_scene"], p.get("scene_type")) for s, p, sc in zip(samples, outputs, scores, strict=True)
             if sc["scene_correct"] is not None]
    return [("names", f"scenes compared without {_without(same)}: compare them stripped and lower-cased",
             sum(same(gt) == same(pred or "") for gt, pred in pairs) / len(pairs)) for same in _COMPARISONS]


def _vqa(samples, outputs, scores):
    pairs = [(s["gt_answer"], p.get("answer")) for s, p, sc in zip(samples, outputs, scores, strict=True)
             if sc["vqa_correct"] is not None]
    norm = evaluation.normalize_answer

    def rate(right):
        return sum(right(gt, pred) for gt, pred in pairs) / len(pairs)

    def contains(gt, pred):
        return norm(gt) in norm(pred) or norm(pred) in norm(gt)

    return [
        ("substring", "an answer that contains the truth, or is contained in it, counts as right: compare "
         "the normalised answers for equality", rate(contains)),
        ("normalise", "answers compared with punctuation, articles and number words as written: normalise "
         "both with normalize_answer", rate(lambda gt, pred: _strip(_lower(gt)) == _strip(_lower(pred)))),
        ("normalise", "answers compared as written (case, spaces, punctuation, articles, number words): "
         "normalise both with normalize_answer", rate(lambda gt, pred: gt == pred)),
    ]


# What each metric should be, for a value no known mistake explains.
_MATCH = "same name (stripped, lower-cased), IoU >= 0.5, one-to-one, greedily by descending IoU"
RULES = {
    "scene_accuracy": "the share of images whose scene_type equals gt_scene, both stripped and lower-cased",
    "vqa_accuracy": "the share of questions whose answer equals gt_answer once both go through normalize_answer",
    "detection_precision": f"matched predictions / all predicted objects over the whole set (a match: {_MATCH})",
    "detection_recall": f"matched gt objects / all gt objects over the whole set (a match: {_MATCH})",
    "grounding_miou": "the mean over gt objects of the best IoU among the boxes grounded for its name "
                      "(looked up stripped and lower-cased), a name not found counting as 0",
}


def summary_hint(samples, outputs, key, got, expected):
    """The mistake summary[key] matches on these samples, else which way it is off and its rule."""
    scores = evaluation.score_all(samples, outputs)
    if key in ("detection_precision", "detection_recall"):
        mistakes = _detection(scores, key)
    elif key == "grounding_miou":
        mistakes = [(family, hint, _grounding_mean(scores, outputs, **bend))
                    for family, hint, bend in _GROUNDING_MISTAKES]
    else:
        mistakes = (_scene if key == "scene_accuracy" else _vqa)(samples, outputs, scores)
    # a "mistake" that gives the right value here cannot explain a wrong one
    named = _explained(got, [m for m in mistakes if m[2] is not None and abs(m[2] - expected) > ATOL])
    return named or f"{HINT}{'higher' if got > expected else 'lower'} than it should be: {RULES[key]}"
