"""Capstone: judging a learner's `error_analysis` against the kit's (`vlmkit.evaluation`).

Every category must hold the same failures as the kit's, field by field; text may be written as
the sample has it or in normalised form. Detection's pairs depend on the order unmatched
predictions are taken in, which the spec leaves open, so those entries are checked by their
rule (`_detection_pairing_ok`) instead of against one reference order.
"""

from vlmkit import evaluation

# The keys each error entry carries (besides 'index' and 'severity'): what the kit's pictures and
# ErrorBrowser read to draw and describe a failure.
ERROR_FIELDS = {
    "hallucination": ("name", "box", "score"),
    "missed_object": ("name", "gt_box", "source"),
    "wrong_location": ("name", "gt_box", "pred_box", "iou", "source"),
    "wrong_answer": ("question", "answer", "gt_answer"),
    "wrong_scene": ("scene_type", "gt_scene"),
}


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
                return (key, gt_box) in left and here >= max(ious) - 1e-9

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
