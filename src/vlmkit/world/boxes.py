"""Boxes of the world: area, IoU, and matching predicted objects to ground-truth ones.

    compute_iou([0, 0, 2, 2], [1, 0, 3, 2])                  # 1/3
    matches, unmatched_pred, unmatched_gt = match_detections(predictions, gt_objects)

Boxes are [x1, y1, x2, y2]; objects are dicts with "name" and "box". Shared by the evaluation
harness and by training (validation F1), so neither has to import the other.
"""

IOU_THRESHOLD = 0.5


def box_area(box) -> float:
    """Area of [x1, y1, x2, y2]; an inverted box (x2 < x1 or y2 < y1) is invalid and has area 0."""
    x1, y1, x2, y2 = box
    return max(0.0, x2 - x1) * max(0.0, y2 - y1)


def compute_iou(a, b) -> float:
    """Intersection over union of two [x1, y1, x2, y2] boxes.

    Boxes are never re-ordered: an inverted box has area 0, so its IoU with anything is 0.
    Zero-area and merely touching boxes give 0; identical valid boxes give 1.
    """
    inter = box_area([max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])])
    area_a, area_b = box_area(a), box_area(b)
    if inter == 0.0 or area_a == 0.0 or area_b == 0.0:
        return 0.0
    return float(inter / (area_a + area_b - inter))


def name_key(x) -> str:
    """How names compare everywhere: stripped, lower case (None counts as "")."""
    return str(x or "").strip().lower()


def match_detections(pred_objects, gt_objects, threshold=IOU_THRESHOLD):
    """Greedy one-to-one matching by descending IoU among same-name pairs with IoU >= threshold.

    Returns (matches, unmatched_pred, unmatched_gt): matches is a list of (pred_i, gt_i, iou),
    the other two are lists of indices.
    """
    pairs = sorted(
        ((compute_iou(p["box"], g["box"]), pi, gi)
         for pi, p in enumerate(pred_objects) for gi, g in enumerate(gt_objects)
         if name_key(p.get("name")) == name_key(g.get("name"))),
        key=lambda t: -t[0])
    used_p, used_g, matches = set(), set(), []
    for iou, pi, gi in pairs:
        if iou >= threshold and pi not in used_p and gi not in used_g:
            used_p.add(pi)
            used_g.add(gi)
            matches.append((pi, gi, iou))
    return (matches, [i for i in range(len(pred_objects)) if i not in used_p],
            [i for i in range(len(gt_objects)) if i not in used_g])
