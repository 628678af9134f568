"""Realistic wrong answers to the capstone, and the test cells each one must lose.

Each entry: (name, answer cell grade_id, the wrong cell's source, test cells that lose points).
Most are the course's own harness flaws, re-made by a learner who half-fixed them; the wrong
cells are the solution's own answer cells with one idea changed (`mistake`).
"""

from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import mistake, solution_answers

ANSWERS = solution_answers(paths.SOLUTIONS / "capstone" / "capstone.ipynb")
PIPELINE, EVALUATE, ERRORS, IOU = (ANSWERS[k] for k in ("capstone_pipeline", "capstone_evaluate", "capstone_errors",
                                                      "capstone_iou"))


WRONG = [
    ("substring answer match", "capstone_evaluate", mistake(EVALUATE, (
        '        answers.append(normalize_answer(p.get("answer")) == normalize_answer(s["gt_answer"]))',
        '        pred, gt = normalize_answer(p.get("answer")), normalize_answer(s["gt_answer"])\n'
        '        answers.append(gt in pred or pred in gt)')),
     {"capstone_test_evaluate"}),
    ("grounding misses skipped", "capstone_evaluate", mistake(EVALUATE, (
        '        ious += [iou for _, iou, _ in grounding_results(p.get("grounded"), s["gt_objects"])]',
        '        ious += [iou for found, iou, _ in grounding_results(p.get("grounded"), s["gt_objects"]) if found]')),
     {"capstone_test_evaluate"}),
    ("grounding names not lower-cased", "capstone_evaluate", mistake(EVALUATE, (
        '    by_name = {str(k).strip().lower(): v for k, v in (grounded or {}).items()}',
        '    by_name = dict(grounded or {})'), (
        '        entry = by_name.get(str(g["name"]).strip().lower()) or {}',
        '        entry = by_name.get(g["name"]) or {}')),
     {"capstone_test_evaluate", "capstone_test_errors"}),
    ("detection names compared as written", "capstone_evaluate", mistake(EVALUATE, (
        '                    if same_name(p["name"], g["name"])), key=lambda t: -t[0])',
        '                    if p["name"] == g["name"]), key=lambda t: -t[0])')),
     {"capstone_test_evaluate", "capstone_test_errors"}),
    ("recall only, no precision", "capstone_evaluate", mistake(EVALUATE, (
        '        "detection_precision": matched / n_pred if n_pred else None,\n',
        '')),
     {"capstone_test_evaluate"}),
    ("precision counts every box on a found object", "capstone_evaluate", mistake(EVALUATE, (
        '        "detection_precision": matched / n_pred if n_pred else None,',
        '        "detection_precision": sum(\n'
        '            any(same_name(o["name"], g["name"]) and compute_iou(o["box"], g["box"]) >= IOU_THRESHOLD\n'
        '                for g in s["gt_objects"])\n'
        '            for s, p in zip(samples, predictions) for o in p.get("objects") or []) / n_pred,')),
     {"capstone_test_evaluate"}),
    ("pipeline run twice per sample", "capstone_evaluate", mistake(EVALUATE, (
        '        scenes.append(same_name(p.get("scene_type") or "", s["gt_scene"]))',
        '        scene = pipeline.process(s["image"])["scene_type"]  # scene needs no question\n'
        '        scenes.append(same_name(scene or "", s["gt_scene"]))')),
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
    ("error_analysis re-runs the pipeline", "capstone_errors", mistake(ERRORS, (
        '    errors = {c: [] for c in ERROR_CATEGORIES}\n',
        '    errors = {c: [] for c in ERROR_CATEGORIES}\n'
        '    predictions = [pipeline.process(s["image"], question=s["question"],\n'
        '                                    ground_objects=[g["name"] for g in s["gt_objects"]])\n'
        '                   for s in samples]  # fresh outputs, to be safe\n')),
     {"capstone_test_errors"}),
    ("grounding misses not reported", "capstone_errors", mistake(ERRORS, (
        '            if not found:\n'
        '                add("missed_object", i, 1.0, source="grounding", name=g["name"], gt_box=g["box"])\n'
        '            elif iou < IOU_THRESHOLD:',
        '            if found and iou < IOU_THRESHOLD:')),
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
    ("boxes left in the model's pixels", "capstone_pipeline", mistake(PIPELINE, (
        '        sx, sy = img.width / self.size, img.height / self.size  # back to the pixels given\n',
        '        sx = sy = 1.0\n')),
     {"capstone_test_pipeline"}),
    ("grounding names compared as written", "capstone_pipeline", mistake(PIPELINE, (
        '            hits = [o for o in objects if o["name"] == singular(name)]',
        '            hits = [o for o in objects if o["name"] == name]')),
     {"capstone_test_pipeline"}),
    ("colour channels in BGR order", "capstone_pipeline", mistake(PIPELINE, (
        '        x = x.permute(2, 0, 1)[None]',
        '        x = x.permute(2, 0, 1)[None].flip(1)  # OpenCV order')),
     {"capstone_test_pipeline"}),
    ("pixels scaled to 0..1", "capstone_pipeline", mistake(PIPELINE, (
        '        x = x.permute(2, 0, 1)[None]',
        '        x = x.permute(2, 0, 1)[None] / 255.0')),
     {"capstone_test_pipeline"}),
    # competing matches, thresholds, case and spaces, empty sets, per-object entries, types
    ("matching takes each prediction's best gt in order", "capstone_evaluate", mistake(EVALUATE, (
        '''    pairs = sorted(((compute_iou(p["box"], g["box"]), i, j)
                    for i, p in enumerate(pred_objects) for j, g in enumerate(gt_objects)
                    if same_name(p["name"], g["name"])), key=lambda t: -t[0])''',
        '''    pairs = sorted(((compute_iou(p["box"], g["box"]), i, j)
                    for i, p in enumerate(pred_objects) for j, g in enumerate(gt_objects)
                    if same_name(p["name"], g["name"])), key=lambda t: (t[1], -t[0]))''')),
     {"capstone_test_evaluate", "capstone_test_errors"}),
    ("IoU of exactly 0.5 is not a match", "capstone_evaluate", mistake(EVALUATE, (
        "        if iou >= threshold and i not in used_pred and j not in used_gt:",
        "        if iou > threshold and i not in used_pred and j not in used_gt:")),
     {"capstone_test_evaluate", "capstone_test_errors"}),
    ("scenes compared as written", "capstone_evaluate", mistake(EVALUATE, (
        '''        scenes.append(same_name(p.get("scene_type") or "", s["gt_scene"]))''',
        '''        scenes.append(p.get("scene_type") == s["gt_scene"])''')),
     {"capstone_test_evaluate"}),
    ("nothing to average counts as 0", "capstone_evaluate", mistake(EVALUATE, (
        '''        "detection_precision": matched / n_pred if n_pred else None,
        "detection_recall": matched / n_gt if n_gt else None,''',
        '''        "detection_precision": matched / max(n_pred, 1),
        "detection_recall": matched / max(n_gt, 1),''')),
     {"capstone_test_evaluate"}),
    ("grounding scores the first box, not the best", "capstone_evaluate", mistake(EVALUATE, (
        '''        best = max(boxes, key=lambda b: compute_iou(b, g["box"]))''',
        '''        best = boxes[0]''')),
     {"capstone_test_evaluate", "capstone_test_errors"}),
    ("gt names asked once per object", "capstone_evaluate", mistake(EVALUATE, (
        '''ground_objects=list(dict.fromkeys(g["name"] for g in s["gt_objects"])))''',
        '''ground_objects=[g["name"] for g in s["gt_objects"]])''')),
     {"capstone_test_evaluate"}),
    ("gt names without surrounding spaces stripped in grounding", "capstone_evaluate", mistake(EVALUATE, (
        '''        entry = by_name.get(str(g["name"]).strip().lower()) or {}''',
        '''        entry = by_name.get(str(g["name"]).lower()) or {}''')),
     {"capstone_test_evaluate", "capstone_test_errors"}),
    ("unmatched prediction paired with the first gt of its name", "capstone_errors", mistake(ERRORS, (
        '''            j = max(same, key=lambda j: compute_iou(o["box"], gt[j]["box"]))''',
        '''            j = same[0]''')),
     {"capstone_test_errors"}),
    ("wrong location named after the prediction", "capstone_errors", mistake(ERRORS, (
        '''            add("wrong_location", i, 1 - iou, source="detection", name=gt[j]["name"],''',
        '''            add("wrong_location", i, 1 - iou, source="detection", name=o["name"],''')),
     {"capstone_test_errors"}),
    ("every severity 1.0", "capstone_errors", mistake(ERRORS, (
        '''        errors[category].append({"index": i, "severity": float(severity), **details})''',
        '''        errors[category].append({"index": i, "severity": 1.0, **details})''')),
     {"capstone_test_errors"}),
    ("missed objects once per name and image", "capstone_errors", mistake(ERRORS, (
        '''        for j in left_gt:
            add("missed_object", i, 1.0, source="detection", name=gt[j]["name"], gt_box=gt[j]["box"])''',
        '''        for j in {gt[j]["name"].lower(): j for j in left_gt}.values():
            add("missed_object", i, 1.0, source="detection", name=gt[j]["name"], gt_box=gt[j]["box"])''')),
     {"capstone_test_errors"}),
    ("severity an int for certain failures", "capstone_errors", mistake(ERRORS, (
        '''        errors[category].append({"index": i, "severity": float(severity), **details})''',
        '''        errors[category].append({"index": i, "severity": severity, **details})'''), (
        '''            add("missed_object", i, 1.0, source="detection", name=gt[j]["name"], gt_box=gt[j]["box"])''',
        '''            add("missed_object", i, 1, source="detection", name=gt[j]["name"], gt_box=gt[j]["box"])''')),
     {"capstone_test_errors"}),
    ("compute_iou returns the int 0", "capstone_iou", mistake(IOU, (
        "        return 0.0", "        return 0")),
     {"capstone_test_iou"}),
    ("grounded left None without names", "capstone_pipeline", mistake(PIPELINE, (
        "        grounded = {}\n        for name in ground_objects or []:",
        "        grounded = None if ground_objects is None else {}\n        for name in ground_objects or []:")),
     {"capstone_test_pipeline"}),
    # which model does each part (issue 21): right on nearly every test image, wrong on the images
    # where the kit's models disagree; and the output contract where no question or name is given
    ("scene from the detector's scene head", "capstone_pipeline", mistake(PIPELINE, (
        '''        scene = self.clip.config.scenes[int(self.clip.classify(x, self.scene_text).argmax())]
        heads = self.detector(x)''',
        '''        heads = self.detector(x)
        scene = self.detector.config.scenes[int(heads["scene"].argmax())]  # one model fewer to run''')),
     {"capstone_test_pipeline"}),
    ("counting questions answered by counting the detections", "capstone_pipeline", mistake(PIPELINE, (
        '''            answer = self.vqa.answer(tokens, glob, [question])[0]''',
        '''            answer = self.vqa.answer(tokens, glob, [question])[0]
            asked = question.lower().split()
            if asked[:2] == ["how", "many"]:  # the detector already found them: count them
                answer = str(sum(o["name"] == singular(asked[2]) for o in objects))''')),
     {"capstone_test_pipeline"}),
    ("answer key left out without a question", "capstone_pipeline", mistake(PIPELINE, (
        '''        return {"scene_type": scene, "objects": objects, "grounded": grounded, "answer": answer}''',
        '''        out = {"scene_type": scene, "objects": objects, "grounded": grounded}
        if answer is not None:
            out["answer"] = answer
        return out''')),
     {"capstone_test_pipeline"}),
    ("an unknown name to ground raises", "capstone_pipeline", mistake(PIPELINE, (
        '''            hits = [o for o in objects if o["name"] == singular(name)]''',
        '''            if singular(name) is None:
                raise ValueError(f"the detector cannot ground {name!r}")
            hits = [o for o in objects if o["name"] == singular(name)]''')),
     {"capstone_test_pipeline"}),
    ("matching takes each gt object's best prediction in order", "capstone_evaluate", mistake(EVALUATE, (
        '''    pairs = sorted(((compute_iou(p["box"], g["box"]), i, j)
                    for i, p in enumerate(pred_objects) for j, g in enumerate(gt_objects)
                    if same_name(p["name"], g["name"])), key=lambda t: -t[0])''',
        '''    pairs = sorted(((compute_iou(p["box"], g["box"]), i, j)
                    for i, p in enumerate(pred_objects) for j, g in enumerate(gt_objects)
                    if same_name(p["name"], g["name"])), key=lambda t: (t[2], -t[0]))''')),
     {"capstone_test_evaluate", "capstone_test_errors"}),
]

# Mistakes only the behavioural contracts (grading/checking/contracts.py) catch: every number is right.
WRONG += [
    ("the samples' object names lower-cased in place", "capstone_evaluate", mistake(EVALUATE, (
        '    """Run the pipeline once per sample; return (predictions, summary) as specified above."""\n',
        '    """Run the pipeline once per sample; return (predictions, summary) as specified above."""\n'
        "    for s in samples:  # names are compared in lower case anyway\n"
        "        for g in s[\"gt_objects\"]:\n"
        "            g[\"name\"] = g[\"name\"].lower()\n")),
     {"capstone_test_evaluate"}),
]
