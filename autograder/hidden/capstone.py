"""Hidden checks for the capstone (instructor-only: never shipped, never imported in a kernel).

Unseen inputs for the visible probes: random box pairs (inverted, zero-area, touching, nested,
also as numpy arrays), fake pipelines generated from a seed with every failure the course's
harness hides (answers that only contain the truth, empty answers, case-changed names, missed
and misplaced groundings, duplicates, hallucinations), and the learner's pipeline on other test
samples given as arrays and at another resolution. Judges compare with vlmkit.evaluation.
"""

import random

from vlmkit import evaluation
from vlmkit.checks.capstone import (
    errors_match_reference,
    evaluate_matches_reference,
    iou_matches_reference,
    reaches_kit_metrics,
)
from vlmkit.grading.registry import Check
from vlmkit.world.spec import IMAGE_SIZE

NAMES = ("car", "boat", "tree", "person", "fish", "sun", "house", "cloud")
SCENES = ("beach", "street", "park", "night", "kitchen")
COLORS = ("red", "blue", "green", "yellow", "white")
WORDS = ("zero", "one", "two", "three", "four", "five")
CELL = 40  # objects sit in distinct cells of a 3×3 grid: never two gt boxes near each other


def random_pairs(seed, n=40):
    """Box pairs of every kind: overlapping, nested, inverted, zero-area, touching, disjoint."""
    rng = random.Random(seed)

    def box():
        x1, y1 = rng.uniform(0, 60), rng.uniform(0, 60)
        return [round(x1, 2), round(y1, 2), round(x1 + rng.uniform(1, 40), 2), round(y1 + rng.uniform(1, 40), 2)]

    pairs = []
    for i in range(n):
        a, b = box(), box()
        kind = i % 6
        if kind == 1:  # nested
            b = [a[0] + 0.5, a[1] + 0.5, max(a[0] + 0.6, a[2] - 0.5), max(a[1] + 0.6, a[3] - 0.5)]
        elif kind == 2:  # inverted in x or y (or both), overlapping the other box
            b = list(a)
            a = [a[2], a[1], a[0], a[3]] if rng.random() < 0.5 else [a[0], a[3], a[2], a[1]]
            if rng.random() < 0.3:
                a = [a[2], a[3], a[0], a[1]]
        elif kind == 3:  # zero width or height
            a[2 if rng.random() < 0.5 else 3] = a[0 if rng.random() < 0.5 else 1]
        elif kind == 4:  # touching along an edge
            b = [a[2], a[1], a[2] + 5, a[3]]
        pairs.append([a, b])
    return pairs


def _jitter(rng, box, low, high):
    """A box near `box` whose IoU with it lies in [low, high] (rejection sampling)."""
    w, h = box[2] - box[0], box[3] - box[1]
    for _ in range(200):
        s = 0.08 if low > 0.5 else 0.7
        dx, dy = rng.uniform(-s, s) * w, rng.uniform(-s, s) * h
        cand = [round(box[0] + dx, 1), round(box[1] + dy, 1),
                round(box[2] + dx + rng.uniform(-2, 2), 1), round(box[3] + dy + rng.uniform(-2, 2), 1)]
        if low <= evaluation.compute_iou(cand, box) <= high:
            return cand
    return list(box) if low > 0.5 else [box[2] + 1, box[3] + 1, box[2] + 6, box[3] + 6]


def _answer(rng, kind, truth):
    """A predicted answer: right (maybe spelled differently) or wrong (often containing the truth)."""
    wrong = ["", f"{truth}, I think"]
    if kind == "counting":
        right, wrong = [truth, WORDS[int(truth)]], wrong + ["1" + truth, str(int(truth) + 1)]
    elif kind == "existence":
        right, wrong = [truth, truth.capitalize() + "."], wrong + ["no" if truth == "yes" else "yes"]
    else:
        other = [c for c in (COLORS if kind == "color" else SCENES) if c != truth][0]
        right, wrong = [truth, "the " + truth, truth.upper()], wrong + [other]
    return rng.choice(right if rng.random() < 0.5 else wrong)


def _spelling(rng, name):
    return rng.choice([name, name, name.upper(), name.capitalize()])


def fake_world(seed, n=12, grounding=None):
    """n samples with distinct images and the stored outputs of an imperfect pipeline.

    grounding='none' makes the pipeline ground nothing (the legacy harness's perfect mean).
    """
    rng = random.Random(seed)
    samples, outputs = [], []
    for i in range(n):
        cells = rng.sample(range(9), rng.randint(1, 4))
        gt = []
        for c in cells:
            x, y = (c % 3) * CELL + rng.randint(2, 8), (c // 3) * CELL + rng.randint(2, 8)
            name = rng.choice(NAMES[:4])  # few names: several objects share one
            gt.append({"name": name.capitalize() if rng.random() < 0.25 else name,
                       "box": [x, y, x + rng.randint(14, 28), y + rng.randint(14, 28)]})
        scene, kind = rng.choice(SCENES), rng.choice(("counting", "existence", "color", "scene"))
        truth = {"counting": str(rng.randint(0, 5)), "existence": rng.choice(("yes", "no")),
                 "color": rng.choice(COLORS), "scene": scene}[kind]
        samples.append({"image": f"fake/{seed}/{i}.png", "question": f"question {i} ({kind})?",
                        "gt_answer": truth, "question_type": kind, "gt_scene": scene, "gt_objects": gt})
        lower = [g["name"].lower() for g in gt]
        objects = []
        for g in gt:
            r = rng.random()
            if r < 0.55:
                objects.append({"name": _spelling(rng, g["name"].lower()), "box": _jitter(rng, g["box"], 0.6, 1.0),
                                "score": round(rng.uniform(0.5, 1), 3)})
                if r < 0.1 and lower.count(g["name"].lower()) == 1:  # a duplicate of a unique object
                    objects.append({"name": g["name"].lower(), "box": _jitter(rng, g["box"], 0.6, 1.0),
                                    "score": round(rng.uniform(0.3, 0.5), 3)})
            elif r < 0.75:
                objects.append({"name": g["name"].lower(), "box": _jitter(rng, g["box"], 0.05, 0.4),
                                "score": round(rng.uniform(0.3, 0.8), 3)})
        for c in rng.sample([c for c in range(9) if c not in cells], rng.randint(0, 2)):
            x, y = (c % 3) * CELL + 5, (c // 3) * CELL + 5
            objects.append({"name": rng.choice(NAMES), "box": [x, y, x + 20, y + 20], "score": 0.35})
        rng.shuffle(objects)
        grounded = {}
        for name in dict.fromkeys(lower):
            mine = [g for g in gt if g["name"].lower() == name]
            key = rng.choice([name, mine[0]["name"]])
            r = 1.0 if grounding == "none" else rng.random()
            if r < 0.5:
                boxes = [_jitter(rng, g["box"], 0.6, 1.0) for g in mine]
            elif r < 0.65:
                boxes = [_jitter(rng, g["box"], 0.05, 0.4) for g in mine]
            elif r < 0.85 or grounding == "none":
                boxes = []
            else:
                continue  # the pipeline left this name out altogether
            grounded[key] = {"found": bool(boxes), "boxes": boxes, "scores": [0.8] * len(boxes)}
        outputs.append({"scene_type": scene if rng.random() < 0.7 else rng.choice(SCENES),
                        "objects": objects, "grounded": grounded, "answer": _answer(rng, kind, truth)})
    return {"samples": samples, "outputs": outputs}


def _boxes_follow_pixels(case, output):
    """Boxes on the resized image, scaled back, land on the boxes found on the original."""
    sx, sy = case["size"][0] / IMAGE_SIZE, case["size"][1] / IMAGE_SIZE
    for pair in output:
        original, resized = pair["original"]["objects"], pair["resized"]["objects"]
        back = [{"name": o["name"], "box": [o["box"][0] / sx, o["box"][1] / sy, o["box"][2] / sx, o["box"][3] / sy]}
                for o in resized]
        matches, _, _ = evaluation.match_detections(back, original, threshold=0.7)
        if len(matches) < 0.8 * max(len(original), len(back)):
            return ("boxes should be in the pixels of the image as given: resize it to the models' "
                    "input size, then scale the boxes back to the image's width and height")
    return None


CHECKS = [
    Check("capstone.hidden.iou_random", "iou_pairs", iou_matches_reference("unseen boxes of every kind"),
          {"pairs": random_pairs(67)}),
    Check("capstone.hidden.iou_arrays", "iou_pairs", iou_matches_reference("boxes given as numpy arrays"),
          {"pairs": random_pairs(68, 12), "as_array": True}),
    Check("capstone.hidden.evaluate_random", "evaluate_fake", evaluate_matches_reference, fake_world(101)),
    Check("capstone.hidden.evaluate_finds_nothing", "evaluate_fake", evaluate_matches_reference,
          fake_world(102, 6, grounding="none")),
    Check("capstone.hidden.errors_random", "errors_fake", errors_match_reference, fake_world(103)),
    Check("capstone.hidden.pipeline_resized", "pipeline_resized",
          _boxes_follow_pixels,
          {"indices": [0, 42, 84, 126], "size": [384, 256]}),
    Check("capstone.hidden.pipeline_test_set", "pipeline_run", reaches_kit_metrics,
          {"start": 300, "stop": 440, "as_array": True}),
]

