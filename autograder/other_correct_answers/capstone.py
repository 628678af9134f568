"""Correct answers to the capstone written differently from the solution: each keeps full marks.

Each entry: (name, answer cell grade_id, the cell's full source). Readings the spec leaves open:
the order in which error_analysis takes the unmatched predictions, how ties in IoU are broken,
whether ground_objects are passed as written or lower-cased (once each either way), names and
severities built in another order; where the pipeline's output contract is silent: keys beyond
the contract's (in the output and in its grounded entries), the order of the objects; and other
idioms (numpy, early returns, the detector's whole dicts kept in the pipeline's objects).
"""

from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import mistake, solution_answers

SOLUTION = solution_answers(paths.SOLUTIONS / "capstone" / "capstone.ipynb")
PIPELINE, EVALUATE, ERRORS = (SOLUTION[k] for k in ("capstone_pipeline", "capstone_evaluate", "capstone_errors"))

CORRECT = [
    ("early returns on invalid boxes, widths and heights clamped separately", "capstone_iou", '''
def compute_iou(a, b):
    """IoU of two [x1, y1, x2, y2] boxes (lists or arrays) as a float; 0 for invalid or disjoint boxes."""
    ax1, ay1, ax2, ay2 = (float(v) for v in a)
    bx1, by1, bx2, by2 = (float(v) for v in b)
    if ax2 <= ax1 or ay2 <= ay1 or bx2 <= bx1 or by2 <= by1:
        return 0.0
    iw = min(ax2, bx2) - max(ax1, bx1)
    ih = min(ay2, by2) - max(ay1, by1)
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    return inter / ((ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter)
'''),
    ("numpy boxes, np.clip and a numpy float", "capstone_iou", '''
def compute_iou(a, b):
    """IoU of two [x1, y1, x2, y2] boxes (lists or arrays) as a float; 0 for invalid or disjoint boxes."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    lo, hi = np.maximum(a[:2], b[:2]), np.minimum(a[2:], b[2:])
    inter = np.prod(np.clip(hi - lo, 0, None))
    area_a, area_b = np.prod(np.clip(a[2:] - a[:2], 0, None)), np.prod(np.clip(b[2:] - b[:2], 0, None))
    if inter <= 0 or area_a <= 0 or area_b <= 0:
        return np.float64(0.0)
    return np.float64(inter / (area_a + area_b - inter))
'''),
    ("ties broken by later indices, names asked lower-cased once each, casefold, dict lookups",
     "capstone_evaluate", mistake(EVALUATE, (
        '''    pairs = sorted(((compute_iou(p["box"], g["box"]), i, j)
                    for i, p in enumerate(pred_objects) for j, g in enumerate(gt_objects)
                    if same_name(p["name"], g["name"])), key=lambda t: -t[0])''',
        '''    pairs = sorted(((compute_iou(p["box"], g["box"]), i, j)
                    for i, p in enumerate(pred_objects) for j, g in enumerate(gt_objects)
                    if same_name(p["name"], g["name"])), reverse=True)'''), (
        '''                         ground_objects=list(dict.fromkeys(g["name"] for g in s["gt_objects"])))''',
        '''                         ground_objects=sorted({g["name"].strip().casefold()
                                                for g in s["gt_objects"]}))'''), (
        '''        scenes.append(same_name(p.get("scene_type") or "", s["gt_scene"]))''',
        '''        scenes.append(str(p["scene_type"]).strip().casefold()
                      == str(s["gt_scene"]).strip().casefold())'''), (
        '''    def mean(values):
        return sum(values) / len(values) if values else None
''',
        '''    def mean(values):
        return float(np.mean(values)) if len(values) else None
'''))),
    ("unmatched predictions taken by descending score, grounding first, entries built as dicts",
     "capstone_errors", '''
def error_analysis(samples, predictions):
    """Every failure of stored predictions, sorted into the five ERROR_CATEGORIES."""
    errors = {c: [] for c in ERROR_CATEGORIES}
    for i, (s, p) in enumerate(zip(samples, predictions)):
        gt = s["gt_objects"]
        objects = p["objects"]
        for g, (found, iou, box) in zip(gt, grounding_results(p["grounded"], gt)):
            if not found:
                errors["missed_object"].append({"index": i, "severity": 1.0, "name": g["name"],
                                                "gt_box": g["box"], "source": "grounding"})
            elif iou < IOU_THRESHOLD:
                errors["wrong_location"].append({"index": i, "severity": 1.0 - iou, "name": g["name"],
                                                 "gt_box": g["box"], "pred_box": box, "iou": iou,
                                                 "source": "grounding"})
        matches = match_objects(objects, gt)
        taken_pred = {k for k, _, _ in matches}
        left_gt = {j for _, j, _ in matches} ^ set(range(len(gt)))
        unmatched = sorted((k for k in range(len(objects)) if k not in taken_pred),
                           key=lambda k: -objects[k]["score"])
        for k in unmatched:
            o = objects[k]
            candidates = [(compute_iou(o["box"], gt[j]["box"]), j) for j in sorted(left_gt)
                          if same_name(o["name"], gt[j]["name"])]
            if candidates:
                iou, j = max(candidates, key=lambda c: c[0])
                left_gt.discard(j)
                errors["wrong_location"].append({"index": i, "severity": 1.0 - iou, "name": gt[j]["name"],
                                                 "gt_box": gt[j]["box"], "pred_box": o["box"], "iou": iou,
                                                 "source": "detection"})
            else:
                errors["hallucination"].append({"index": i, "severity": float(o["score"]), "name": o["name"],
                                                "box": o["box"], "score": o["score"]})
        for j in sorted(left_gt):
            errors["missed_object"].append({"index": i, "severity": 1.0, "name": gt[j]["name"],
                                            "gt_box": gt[j]["box"], "source": "detection"})
        if normalize_answer(p["answer"]) != normalize_answer(s["gt_answer"]):
            errors["wrong_answer"].append({"index": i, "severity": 1.0, "question": s["question"],
                                           "answer": p["answer"], "gt_answer": s["gt_answer"]})
        if not same_name(p["scene_type"], s["gt_scene"]):
            errors["wrong_scene"].append({"index": i, "severity": 1.0, "scene_type": p["scene_type"],
                                          "gt_scene": s["gt_scene"]})
    return errors
'''),
    ("unmatched predictions paired by the best remaining IoU over the whole image", "capstone_errors", mistake(ERRORS, (
        '''        for k, o in enumerate(objects):
            if k in matched_pred:
                continue
            same = [j for j in left_gt if same_name(gt[j]["name"], o["name"])]
            if not same:
                add("hallucination", i, o.get("score", 1.0), name=o["name"], box=o["box"], score=o.get("score"))
                continue
            j = max(same, key=lambda j: compute_iou(o["box"], gt[j]["box"]))
            left_gt.remove(j)
            iou = compute_iou(o["box"], gt[j]["box"])''',
        '''        left_pred = [k for k in range(len(objects)) if k not in matched_pred]
        while True:
            candidates = [(compute_iou(objects[k]["box"], gt[j]["box"]), k, j) for k in left_pred for j in left_gt
                          if same_name(gt[j]["name"], objects[k]["name"])]
            if not candidates:
                break
            iou, k, j = max(candidates, key=lambda c: c[0])
            o = objects[k]
            left_pred.remove(k)
            left_gt.remove(j)''',
    ), (
        '''                gt_box=gt[j]["box"], pred_box=o["box"], iou=iou)
        for j in left_gt:''',
        '''                gt_box=gt[j]["box"], pred_box=o["box"], iou=iou)
        for k in left_pred:
            o = objects[k]
            add("hallucination", i, o["score"], name=o["name"], box=o["box"], score=o["score"])
        for j in left_gt:'''))),
    ("the detector's whole dicts kept (colour too), boxes scaled with numpy, grounding by a dict",
     "capstone_pipeline", mistake(PIPELINE, (
        '''        objects = [{"name": d["name"], "score": d["score"],
                    "box": [d["box"][0] * sx, d["box"][1] * sy, d["box"][2] * sx, d["box"][3] * sy]}
                   for d in self.detector.decode(heads)[0]]''',
        '''        scale = np.array([sx, sy, sx, sy])
        objects = [{**d, "box": (np.asarray(d["box"], dtype=float) * scale).tolist()}
                   for d in self.detector.decode(heads)[0]]'''), (
        '''        grounded = {}
        for name in ground_objects or []:
            hits = [o for o in objects if o["name"] == singular(name)]
            grounded[name] = {"found": bool(hits), "boxes": [o["box"] for o in hits],
                              "scores": [o["score"] for o in hits]}''',
        '''        by_category = {}
        for o in objects:
            by_category.setdefault(o["name"], []).append(o)
        grounded = {name: {"found": len(by_category.get(singular(name), [])) > 0,
                           "boxes": [o["box"] for o in by_category.get(singular(name), [])],
                           "scores": [o["score"] for o in by_category.get(singular(name), [])]}
                    for name in ground_objects or []}'''))),
    # readings of the output contract where it is silent: extra keys, the objects' order
    ("objects left to right, the scene's probabilities as an extra key", "capstone_pipeline", mistake(PIPELINE, (
        '''        scene = self.clip.config.scenes[int(self.clip.classify(x, self.scene_text).argmax())]''',
        '''        probs = self.clip.classify(x, self.scene_text)[0]
        scene = self.clip.config.scenes[int(probs.argmax())]'''), (
        '''                   for d in self.detector.decode(heads)[0]]''',
        '''                   for d in sorted(self.detector.decode(heads)[0], key=lambda d: d["box"][0])]'''), (
        '''        return {"scene_type": scene, "objects": objects, "grounded": grounded, "answer": answer}''',
        '''        return {"scene_type": scene, "scene_probs": dict(zip(self.clip.config.scenes, probs.tolist())),
                "objects": objects, "grounded": grounded, "answer": answer}'''))),
    ("grounded entries that say why an unknown name is not found, and the category", "capstone_pipeline",
     mistake(PIPELINE, (
        '''            hits = [o for o in objects if o["name"] == singular(name)]
            grounded[name] = {"found": bool(hits), "boxes": [o["box"] for o in hits],
                              "scores": [o["score"] for o in hits]}''',
        '''            category = singular(name)
            if category is None:  # not one of the detector's categories: found nowhere, and why
                grounded[name] = {"found": False, "boxes": [], "scores": [], "why": "not a detector category"}
                continue
            hits = [o for o in objects if o["name"] == category]
            grounded[name] = {"found": len(hits) > 0, "boxes": [o["box"] for o in hits],
                              "scores": [o["score"] for o in hits], "category": category}'''))),
    ("models loaded in a generator, image size as width and height, answer set after the fact",
     "capstone_pipeline", '''
class CapstonePipeline:
    """Scene from the tiny CLIP (zero-shot), objects and grounding from the detector, answers from VQA."""

    def __init__(self, models_dir=None):
        """Load the three models (from the kit's data/models unless `models_dir` is given)."""
        self.clip, self.detector, self.vqa = (load_model(model_path(n, models_dir))
                                              for n in ("clip", "detector", "vqa"))
        self.scene_text = self.clip.scene_embeddings()

    @torch.inference_mode()
    def process(self, image, question=None, ground_objects=None):
        """The course's contract (see above): one call, one image, everything asked of it."""
        img = load_image(image)
        s = self.detector.config.backbone.image_size
        x = torch.as_tensor(np.asarray(img.resize((s, s), Image.Resampling.BILINEAR))).permute(2, 0, 1).unsqueeze(0)
        probs = self.clip.classify(x, self.scene_text)
        heads = self.detector(x)
        w, h = img.size
        objects = []
        for d in self.detector.decode(heads)[0]:
            x1, y1, x2, y2 = d["box"]
            objects.append({"name": d["name"], "box": [x1 * w / s, y1 * h / s, x2 * w / s, y2 * h / s],
                            "score": float(d["score"])})
        out = {"scene_type": self.clip.config.scenes[probs[0].argmax().item()], "objects": objects,
               "grounded": {}, "answer": None}
        if question is not None:
            out["answer"] = self.vqa.answer(*self.detector.vqa_tokens(heads, self.vqa.config.n_tokens), [question])[0]
        for name in ground_objects or []:
            mine = [o for o in objects if o["name"] == singular(name)]
            out["grounded"][name] = {"found": len(mine) > 0, "boxes": [o["box"] for o in mine],
                                     "scores": [o["score"] for o in mine]}
        return out


pipeline = CapstonePipeline()
'''),
]
