"""Realistic wrong answers to the capstone, and the test cells each one must lose.

Each entry: (name, answer cell grade_id, the wrong cell's source, test cells that lose points).
Most are the course's own harness flaws, re-made by a learner who half-fixed them; the wrong
cells are the solution's cells with one idea changed (see `_variant`).
"""

PIPELINE = '''
class CapstonePipeline:
    def __init__(self, models_dir=None):
        self.clip = load_model(model_path("clip", models_dir))
        self.detector = load_model(model_path("detector", models_dir))
        self.vqa = load_model(model_path("vqa", models_dir))
        self.scene_text = self.clip.scene_embeddings()
        self.size = self.detector.config.backbone.image_size

    @torch.inference_mode()
    def process(self, image, question=None, ground_objects=None):
        img = load_image(image)
        x = torch.from_numpy(np.array(img.resize((self.size, self.size), Image.BILINEAR)))
        x = x.permute(2, 0, 1)[None]
        scene = self.clip.config.scenes[int(self.clip.classify(x, self.scene_text).argmax())]
        heads = self.detector(x)
        sx, sy = img.width / self.size, img.height / self.size
        objects = [{"name": d["name"], "score": d["score"],
                    "box": [d["box"][0] * sx, d["box"][1] * sy, d["box"][2] * sx, d["box"][3] * sy]}
                   for d in self.detector.decode(heads)[0]]
        answer = None
        if question is not None:
            tokens, glob = self.detector.vqa_tokens(heads, self.vqa.config.n_tokens)
            answer = self.vqa.answer(tokens, glob, [question])[0]
        grounded = {}
        for name in ground_objects or []:
            hits = [o for o in objects if o["name"] == singular(name)]
            grounded[name] = {"found": bool(hits), "boxes": [o["box"] for o in hits],
                              "scores": [o["score"] for o in hits]}
        return {"scene_type": scene, "objects": objects, "grounded": grounded, "answer": answer}


pipeline = CapstonePipeline()
'''

IOU = '''
def compute_iou(a, b):
    def area(x1, y1, x2, y2):
        return max(0.0, x2 - x1) * max(0.0, y2 - y1)

    area_a, area_b = area(*a), area(*b)
    inter = area(max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    if inter == 0 or area_a == 0 or area_b == 0:
        return 0.0
    return float(inter / (area_a + area_b - inter))
'''

EVALUATE = '''
def same_name(a, b):
    return str(a).strip().lower() == str(b).strip().lower()


def match_objects(pred_objects, gt_objects, threshold=IOU_THRESHOLD):
    pairs = sorted(((compute_iou(p["box"], g["box"]), i, j)
                    for i, p in enumerate(pred_objects) for j, g in enumerate(gt_objects)
                    if same_name(p["name"], g["name"])), key=lambda t: -t[0])
    used_pred, used_gt, matches = set(), set(), []
    for iou, i, j in pairs:
        if iou >= threshold and i not in used_pred and j not in used_gt:
            used_pred.add(i)
            used_gt.add(j)
            matches.append((i, j, iou))
    return matches


def grounding_results(grounded, gt_objects):
    by_name = {str(k).strip().lower(): v for k, v in (grounded or {}).items()}
    results = []
    for g in gt_objects:
        entry = by_name.get(str(g["name"]).strip().lower()) or {}
        boxes = list(entry.get("boxes", [])) if entry.get("found") else []
        if not boxes:
            results.append((False, 0.0, None))
            continue
        best = max(boxes, key=lambda b: compute_iou(b, g["box"]))
        results.append((True, compute_iou(best, g["box"]), best))
    return results


def evaluate_pipeline(pipeline, samples):
    predictions = [
        pipeline.process(s["image"], question=s["question"],
                         ground_objects=list(dict.fromkeys(g["name"] for g in s["gt_objects"])))
        for s in samples]
    scenes, answers, ious = [], [], []
    matched = n_pred = n_gt = 0
    for s, p in zip(samples, predictions):
        scenes.append(same_name(p.get("scene_type") or "", s["gt_scene"]))
        answers.append(normalize_answer(p.get("answer")) == normalize_answer(s["gt_answer"]))
        objects = p.get("objects") or []
        matched += len(match_objects(objects, s["gt_objects"]))
        n_pred += len(objects)
        n_gt += len(s["gt_objects"])
        ious += [iou for _, iou, _ in grounding_results(p.get("grounded"), s["gt_objects"])]

    def mean(values):
        return sum(values) / len(values) if values else None

    summary = {
        "scene_accuracy": mean(scenes),
        "vqa_accuracy": mean(answers),
        "detection_precision": matched / n_pred if n_pred else None,
        "detection_recall": matched / n_gt if n_gt else None,
        "grounding_miou": mean(ious),
    }
    return predictions, summary
'''

ERRORS = '''
def error_analysis(samples, predictions):
    errors = {c: [] for c in ERROR_CATEGORIES}

    def add(category, i, severity, **details):
        errors[category].append({"index": i, "severity": float(severity), **details})

    for i, (s, p) in enumerate(zip(samples, predictions)):
        gt, objects = s["gt_objects"], p.get("objects") or []
        matches = match_objects(objects, gt)
        matched_pred = {m[0] for m in matches}
        left_gt = [j for j in range(len(gt)) if j not in {m[1] for m in matches}]
        for k, o in enumerate(objects):
            if k in matched_pred:
                continue
            same = [j for j in left_gt if same_name(gt[j]["name"], o["name"])]
            if not same:
                add("hallucination", i, o.get("score", 1.0), name=o["name"], box=o["box"], score=o.get("score"))
                continue
            j = max(same, key=lambda j: compute_iou(o["box"], gt[j]["box"]))
            left_gt.remove(j)
            iou = compute_iou(o["box"], gt[j]["box"])
            add("wrong_location", i, 1 - iou, source="detection", name=gt[j]["name"],
                gt_box=gt[j]["box"], pred_box=o["box"], iou=iou)
        for j in left_gt:
            add("missed_object", i, 1.0, source="detection", name=gt[j]["name"], gt_box=gt[j]["box"])
        for g, (found, iou, box) in zip(gt, grounding_results(p.get("grounded"), gt)):
            if not found:
                add("missed_object", i, 1.0, source="grounding", name=g["name"], gt_box=g["box"])
            elif iou < IOU_THRESHOLD:
                add("wrong_location", i, 1 - iou, source="grounding", name=g["name"],
                    gt_box=g["box"], pred_box=box, iou=iou)
        if normalize_answer(p.get("answer")) != normalize_answer(s["gt_answer"]):
            add("wrong_answer", i, 1.0, question=s["question"], answer=p.get("answer"),
                gt_answer=s["gt_answer"])
        if not same_name(p.get("scene_type") or "", s["gt_scene"]):
            add("wrong_scene", i, 1.0, scene_type=p.get("scene_type"), gt_scene=s["gt_scene"])
    return errors
'''


def _variant(cell, old, new):
    """The solution cell with one passage changed (the passage must be there, exactly once)."""
    assert cell.count(old) == 1, old
    return cell.replace(old, new)


WRONG = [
    ("substring answer match", "capstone_evaluate", _variant(
        EVALUATE,
        '        answers.append(normalize_answer(p.get("answer")) == normalize_answer(s["gt_answer"]))',
        '        pred, gt = normalize_answer(p.get("answer")), normalize_answer(s["gt_answer"])\n'
        '        answers.append(gt in pred or pred in gt)'),
     {"capstone_test_evaluate"}),
    ("grounding misses skipped", "capstone_evaluate", _variant(
        EVALUATE,
        '        ious += [iou for _, iou, _ in grounding_results(p.get("grounded"), s["gt_objects"])]',
        '        ious += [iou for found, iou, _ in grounding_results(p.get("grounded"), s["gt_objects"]) if found]'),
     {"capstone_test_evaluate"}),
    ("grounding names not lower-cased", "capstone_evaluate", _variant(
        _variant(EVALUATE, '    by_name = {str(k).strip().lower(): v for k, v in (grounded or {}).items()}',
                 '    by_name = dict(grounded or {})'),
        '        entry = by_name.get(str(g["name"]).strip().lower()) or {}',
        '        entry = by_name.get(g["name"]) or {}'),
     {"capstone_test_evaluate", "capstone_test_errors"}),
    ("detection names compared as written", "capstone_evaluate", _variant(
        EVALUATE, '                    if same_name(p["name"], g["name"])), key=lambda t: -t[0])',
        '                    if p["name"] == g["name"]), key=lambda t: -t[0])'),
     {"capstone_test_evaluate", "capstone_test_errors"}),
    ("recall only, no precision", "capstone_evaluate", _variant(
        EVALUATE, '        "detection_precision": matched / n_pred if n_pred else None,\n', ''),
     {"capstone_test_evaluate"}),
    ("precision counts every box on a found object", "capstone_evaluate", _variant(
        EVALUATE, '        "detection_precision": matched / n_pred if n_pred else None,',
        '        "detection_precision": sum(\n'
        '            any(same_name(o["name"], g["name"]) and compute_iou(o["box"], g["box"]) >= IOU_THRESHOLD\n'
        '                for g in s["gt_objects"])\n'
        '            for s, p in zip(samples, predictions) for o in p.get("objects") or []) / n_pred,'),
     {"capstone_test_evaluate"}),
    ("pipeline run twice per sample", "capstone_evaluate", _variant(
        EVALUATE, '        scenes.append(same_name(p.get("scene_type") or "", s["gt_scene"]))',
        '        scene = pipeline.process(s["image"])["scene_type"]  # scene needs no question\n'
        '        scenes.append(same_name(scene or "", s["gt_scene"]))'),
     {"capstone_test_evaluate"}),
    ("error_analysis fills two categories", "capstone_errors", '''
def error_analysis(samples, predictions):
    errors = {c: [] for c in ERROR_CATEGORIES}
    for i, (s, p) in enumerate(zip(samples, predictions)):
        gt_names = {g["name"].lower() for g in s["gt_objects"]}
        pred_names = {o["name"].lower() for o in p["objects"]}
        for o in p["objects"]:
            if o["name"].lower() not in gt_names:
                errors["hallucination"].append({"index": i, "severity": o["score"], "name": o["name"],
                                                "box": o["box"], "score": o["score"]})
        for g in s["gt_objects"]:
            if g["name"].lower() not in pred_names:
                errors["missed_object"].append({"index": i, "severity": 1.0, "name": g["name"],
                                                "gt_box": g["box"], "source": "detection"})
    return errors
''', {"capstone_test_errors"}),
    ("error_analysis re-runs the pipeline", "capstone_errors", _variant(
        ERRORS, '    errors = {c: [] for c in ERROR_CATEGORIES}\n',
        '    errors = {c: [] for c in ERROR_CATEGORIES}\n'
        '    predictions = [pipeline.process(s["image"], question=s["question"],\n'
        '                                    ground_objects=[g["name"] for g in s["gt_objects"]])\n'
        '                   for s in samples]  # fresh outputs, to be safe\n'),
     {"capstone_test_errors"}),
    ("grounding misses not reported", "capstone_errors", _variant(
        ERRORS, '            if not found:\n'
                '                add("missed_object", i, 1.0, source="grounding", name=g["name"], gt_box=g["box"])\n'
                '            elif iou < IOU_THRESHOLD:',
        '            if found and iou < IOU_THRESHOLD:'),
     {"capstone_test_errors"}),
    ("inverted boxes re-ordered", "capstone_iou", '''
def compute_iou(a, b):
    ax1, ax2 = sorted((a[0], a[2]))
    ay1, ay2 = sorted((a[1], a[3]))
    bx1, bx2 = sorted((b[0], b[2]))
    by1, by2 = sorted((b[1], b[3]))
    inter = max(0, min(ax2, bx2) - max(ax1, bx1)) * max(0, min(ay2, by2) - max(ay1, by1))
    union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter
    return inter / union if union > 0 else 0.0
''', {"capstone_test_iou"}),
    ("intersection not clamped", "capstone_iou", '''
def compute_iou(a, b):
    area_a = max(0.0, a[2] - a[0]) * max(0.0, a[3] - a[1])
    area_b = max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])
    inter = (min(a[2], b[2]) - max(a[0], b[0])) * (min(a[3], b[3]) - max(a[1], b[1]))
    union = area_a + area_b - inter
    return inter / union if area_a > 0 and area_b > 0 and union > 0 else 0.0
''', {"capstone_test_iou", "capstone_test_evaluate", "capstone_test_errors"}),
    ("boxes left in the model's pixels", "capstone_pipeline", _variant(
        PIPELINE, '        sx, sy = img.width / self.size, img.height / self.size\n', '        sx = sy = 1.0\n'),
     {"capstone_test_pipeline"}),
    ("grounding names compared as written", "capstone_pipeline", _variant(
        PIPELINE, '            hits = [o for o in objects if o["name"] == singular(name)]',
        '            hits = [o for o in objects if o["name"] == name]'),
     {"capstone_test_pipeline"}),
    ("colour channels in BGR order", "capstone_pipeline", _variant(
        PIPELINE, '        x = x.permute(2, 0, 1)[None]', '        x = x.permute(2, 0, 1)[None].flip(1)  # OpenCV order'),
     {"capstone_test_pipeline"}),
    ("pixels scaled to 0..1", "capstone_pipeline", _variant(
        PIPELINE, '        x = x.permute(2, 0, 1)[None]', '        x = x.permute(2, 0, 1)[None] / 255.0'),
     {"capstone_test_pipeline"}),
]
