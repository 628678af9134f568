"""Hidden checks for the capstone (instructor-only: never shipped, never imported in a kernel).

Unseen inputs for the visible probes: random box pairs (inverted, zero-area, touching, nested,
also as numpy arrays), fake pipelines generated from a seed with every failure the course's
harness hides (answers that only contain the truth, empty answers, case-changed names, missed
and misplaced groundings, duplicates, hallucinations), and the learner's pipeline on other test
samples given as arrays and at another resolution, and on scenes of the kit's world where its
models disagree (each part judged against its own model). Judges compare with vlmkit.evaluation.
"""

import random

from vlmkit import evaluation
from vlmkit.checks.capstone import evaluate_matches_reference, iou_matches_reference
from vlmkit.checks.capstone_components import matches_kit_components
from vlmkit.checks.capstone_errors import errors_match_reference
from vlmkit.checks.capstone_pipeline import measured_metrics, reaches_kit_metrics
from vlmkit.grading.checking.registry import Check
from vlmkit.world.spec import IMAGE_SIZE

NAMES = ("car", "boat", "tree", "person", "fish", "sun", "house", "cloud")
SCENES = ("beach", "street", "park", "night", "kitchen")
COLORS = ("red", "blue", "green", "yellow", "white")
WORDS = ("zero", "one", "two", "three", "four", "five")
CELL = 40  # objects sit in distinct cells of a 3×3 grid: never two gt boxes near each other


def random_pairs(seed, n=40):
    """Box pairs of every kind: overlapping, nested, inverted, zero-area, touching, disjoint,
    identical, integer corners, large and negative coordinates."""
    rng = random.Random(seed)

    def box(scale=1.0, shift=0.0):
        x1, y1 = rng.uniform(0, 60) * scale + shift, rng.uniform(0, 60) * scale + shift
        return [round(x1, 2), round(y1, 2), round(x1 + rng.uniform(1, 40) * scale, 2),
                round(y1 + rng.uniform(1, 40) * scale, 2)]

    pairs = []
    for i in range(n):
        a, b = box(), box()
        kind = i % 10
        if kind == 1:  # nested
            b = [a[0] + 0.5, a[1] + 0.5, max(a[0] + 0.6, a[2] - 0.5), max(a[1] + 0.6, a[3] - 0.5)]
        elif kind == 2:  # inverted in x or y (or both), overlapping the other box
            b = list(a)
            a = [a[2], a[1], a[0], a[3]] if rng.random() < 0.5 else [a[0], a[3], a[2], a[1]]
            if rng.random() < 0.3:
                a = [a[2], a[3], a[0], a[1]]
        elif kind == 3:  # zero width or height
            a[2 if rng.random() < 0.5 else 3] = a[0 if rng.random() < 0.5 else 1]
        elif kind == 4:  # touching along an edge (left/right or top/bottom)
            b = [a[2], a[1], a[2] + 5, a[3]] if rng.random() < 0.5 else [a[0], a[3], a[2], a[3] + 5]
        elif kind == 6:  # identical
            b = list(a)
        elif kind == 7:  # touching at a corner only
            b = [a[2], a[3], a[2] + 7, a[3] + 3]
        elif kind == 8:  # integer corners, overlapping
            x, y = rng.randint(0, 50), rng.randint(0, 50)
            a = [x, y, x + rng.randint(5, 30), y + rng.randint(5, 30)]
            b = [v + rng.randint(-4, 4) for v in a]
        elif kind == 9:  # large or negative coordinates, overlapping
            a = box(scale=rng.choice([0.2, 30.0]), shift=rng.choice([-80.0, 0.0, 500.0]))
            b = [a[0] + (a[2] - a[0]) * 0.3, a[1] - (a[3] - a[1]) * 0.2, a[2] + 1.5, a[3] - 0.1]
        pairs.append([a, b] if rng.random() < 0.5 else [b, a])
    # unit areas: an area or an intersection of exactly 1 is an ordinary one
    return pairs + [[[0, 0, 1, 1], [0, 0, 1, 1]], [[2, 3, 3, 4], [2, 3, 4, 5]], [[0, 0, 2, 2], [1, 1, 3, 3]]]


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
    """The same name as another part of the output may write it: case and surrounding spaces."""
    return rng.choice([name, name, name.upper(), name.capitalize(), f" {name}", f"{name.capitalize()} "])


def fake_world(seed, n=12, grounding=None):
    """n samples with distinct images and the stored outputs of an imperfect pipeline.

    grounding='none' makes the pipeline ground nothing (the legacy harness's perfect mean).
    """
    rng = random.Random(seed)
    samples, outputs = [], []
    for i in range(n):
        cells = rng.sample(range(9), rng.randint(0 if i % 5 == 4 else 1, 4))  # some images have no gt
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
            key = rng.choice([name, mine[0]["name"], _spelling(rng, name)])
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
        outputs.append({"scene_type": _spelling(rng, scene) if rng.random() < 0.7 else rng.choice(SCENES),
                        "objects": objects, "grounded": grounded, "answer": _answer(rng, kind, truth)})
    return {"samples": samples, "outputs": outputs}


def _row(y, *spans):
    """Boxes [x1, y, x2, y + 10] for the given (x1, x2) spans: IoU is then the spans' IoU."""
    return [[x1, y, x2, y + 10] for x1, x2 in spans]


def _objects(name, boxes, scores):
    return [{"name": name, "box": b, "score": sc} for b, sc in zip(boxes, scores, strict=True)]


def _found(*boxes):
    return {"found": bool(boxes), "boxes": list(boxes), "scores": [0.7] * len(boxes)}


def competing_world():
    """Hand-made samples where the order of matching decides the numbers.

    0: two trees, two predictions. Greedy by descending IoU matches one pair (0.857), and the
       other prediction (IoU 0.333 with the tree left) is a wrong location; taking predictions
       in order, gt objects in order, or the best assignment all match two.
    1: two trees where taking each prediction in order with its best tree matches only one;
    6: two persons where taking each gt object in order with its best prediction matches only one
       (the second pair at IoU exactly 0.5).
    7: two unmatched predictions whose best tree is the same (IoU 0.25 and 0.38): which one takes
       it depends on the order they are taken in (any order is fine, the other then takes the
       second tree); then a car predicted twice next to one car (one wrong location, one
       hallucination, either way round); the trees of 1 as boats and the persons of 6 as houses
       (so that counts from two wrong matchings cannot cancel out).
    2: IoU exactly IOU_THRESHOLD (0.5) is a match ("Car" and "car "), in detection and grounding.
    3: a tree detected among three trees (IoU 0.05, 0.25, 0): a wrong location on the second,
       the others missed objects; two fish hallucinated and two missed houses in one image (one
       entry per object); a duplicate box on a matched boat; gt names with surrounding spaces.
    4: no gt objects at all: every prediction a hallucination, nothing to ground.
    5: scene and names written with other case and spaces; an answer of None.
    """
    y = 60
    samples = [
        {"gt_objects": _objects("tree", _row(y, (20, 35), (23, 42)), [None, None])},
        {"gt_objects": _objects("tree", _row(y, (11, 29), (10, 20)), [None, None])},
        {"gt_objects": _objects("Car", _row(y, (0, 20)), [None])},
        {"gt_objects": _objects("tree", _row(y, (30, 50), (0, 20), (60, 80)), [None, None, None])
                       + _objects("house ", _row(90, (0, 30), (60, 90)), [None, None])
                       + _objects("boat", _row(20, (40, 70)), [None])},
        {"gt_objects": []},
        {"gt_objects": _objects("Person", _row(y, (10, 30)), [None]) + _objects("sun", _row(5, (90, 110)), [None])},
        {"gt_objects": _objects("person", _row(y, (9, 17), (9, 18)), [None, None])},
        {"gt_objects": _objects("Tree", _row(y, (0, 20), (30, 50)), [None, None])
                       + _objects("car", _row(90, (0, 20)), [None])
                       + _objects("boat", _row(20, (11, 29), (10, 20)), [None, None])
                       + _objects("house", _row(35, (9, 17), (9, 18)), [None, None])},
    ]
    for s in samples:
        for g in s["gt_objects"]:
            del g["score"]
    outputs = [
        {"objects": _objects("tree", _row(y, (28, 41), (21, 41)), [0.9, 0.8]),
         "grounded": {"tree": _found(*_row(y, (28, 41), (21, 41)))}},
        {"objects": _objects("tree", _row(y, (8, 23), (9, 18)), [0.6, 0.7]),
         "grounded": {"Tree": _found(*_row(y, (16, 36)))}},
        {"objects": _objects("car ", _row(y, (0, 10)), [0.8]),
         "grounded": {" car": _found(*_row(y, (0, 10)))}},
        {"objects": _objects("tree", _row(y, (12, 32)), [0.55])
                    + _objects("fish", _row(40, (0, 20), (50, 70)), [0.45, 0.4])
                    + _objects("boat", _row(20, (40, 70), (41, 70)), [0.9, 0.6]),
         "grounded": {"tree": _found(*_row(y, (12, 32))), " House": _found(*_row(90, (0, 28))),
                      "BOAT": _found(*_row(20, (60, 80), (42, 70)))}},
        {"objects": _objects("sun", _row(5, (90, 110)), [0.95]) + _objects("person", _row(y, (5, 15)), [0.5]),
         "grounded": {}},
        {"objects": _objects("PERSON", _row(y, (11, 30)), [0.9]) + _objects(" sun", _row(5, (90, 108)), [0.9]),
         "grounded": {"person ": _found(*_row(y, (11, 30))), "Sun": _found(*_row(5, (40, 60)))}},
        {"objects": _objects("person", _row(y, (6, 21), (3, 16)), [0.8, 0.75]),
         "grounded": {"person": _found(*_row(y, (6, 21), (3, 16), (9, 16)))}},
        {"objects": _objects("TREE", _row(y, (12, 32)), [0.4]) + _objects("tree ", _row(y, (9, 29)), [0.9])
                    + _objects("Car", _row(90, (12, 32), (9, 29)), [0.45, 0.85])
                    + _objects("boat", _row(20, (8, 23), (9, 18)), [0.6, 0.7])
                    + _objects("house", _row(35, (6, 21), (3, 16)), [0.8, 0.75]),
         "grounded": {"tree": _found(*_row(y, (12, 32), (9, 29))), "car": _found(*_row(90, (9, 29))),
                      "boat": _found(*_row(20, (10, 21))), "house": _found(*_row(35, (9, 17)))}},
    ]
    scenes = [("park", "park"), ("park", "Park"), ("street", " street "), ("beach", "night"),
              ("beach", "BEACH"), ("Street", "street"), ("kitchen", "kitchen"),
              ("night", "night ")]
    answers = [("2", "2"), ("1", "one"), ("yes", "Yes."), ("2", "12"), ("no", ""), ("red", None), ("two", "2"),
               ("yes", "yes")]
    for i, (s, o) in enumerate(zip(samples, outputs)):
        s.update({"image": f"fake/compete/{i}.png", "question": f"question {i}?", "gt_answer": answers[i][0],
                  "question_type": "counting", "gt_scene": scenes[i][0]})
        o.update({"scene_type": scenes[i][1], "answer": answers[i][1]})
    return {"samples": samples, "outputs": outputs}


def says_nothing_world(seed, n=5):
    """A pipeline that finds nothing, grounds nothing and answers "" or None (scene ""): no
    predicted objects at all, so precision has nothing to average."""
    world = fake_world(seed, n)
    for s, o in zip(world["samples"], world["outputs"], strict=True):
        o.update({"scene_type": "", "objects": [], "answer": "" if len(s["gt_objects"]) % 2 else None,
                  "grounded": {g["name"]: _found() for g in s["gt_objects"]}})
    return world


def nothing_to_find_world(seed, n=5):
    """Images without gt objects: recall and grounding have nothing to average; every
    predicted object is a hallucination."""
    world = fake_world(seed, n)
    for s in world["samples"]:
        s["gt_objects"] = []
    for o in world["outputs"]:
        o["grounded"] = {}
    return world


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


# ---------------------------------------------------------------- the learner's pipeline vs the kit's

# Test images as given (a path, a PIL image) and as arrays or PIL images of other sizes, none a
# multiple of the models' input size, with the sample's question and its gt names plus a plural, capitalised name.
KIT_ITEMS = [{"index": 7, "size": [320, 200]}, {"index": 61, "size": [200, 320], "pil": True},
             {"index": 133, "size": [96, 112]}, {"index": 250, "size": None}, {"index": 171, "size": None, "pil": True}]
SCENE = "what kind of scene is this?"
# Scenes of the kit's world where its models disagree (capstone_components.disagreements; none in
# the visible check): CLIP's zero-shot scene and the detector's scene head on the first five
# (the scene questions' answers too), the VQA model and the detections' answer on the others.
DISAGREEING = [
    {"seed": ["val", 2121], "question": "where was this picture taken?", "names": ["boats"]},
    {"seed": ["val", 5861], "question": SCENE, "names": ["fish"], "size": [200, 160]},
    {"seed": ["val", 7978], "question": SCENE, "names": []},
    {"seed": ["val", 8066], "question": SCENE, "names": ["person"], "pil": True},
    {"seed": ["val", 7570], "question": "is there a boat in the image?", "names": ["Boat"]},
    {"seed": ["val", 173], "question": "how many fish are there?", "names": ["fish"]},
    {"seed": ["val", 367], "question": "how many trees are there?", "names": ["trees"], "size": [256, 192]},
    {"seed": ["val", 628], "question": "how many cars can you see?", "names": ["Car"], "pil": True},
    {"seed": ["val", 870], "question": "how many fish are there?", "names": ["fish"]},
    {"seed": ["val", 934], "question": "how many boats can you see?", "names": ["boat"]},
    {"seed": ["val", 839], "question": "are there any fish?", "names": ["fish"]},
    {"seed": ["val", 173], "question": "what is the color of the fish?", "names": ["Fish"]},
]


def _kit_items():
    from vlmkit.world import load_samples

    samples = load_samples()
    items = []
    for k, item in enumerate(KIT_ITEMS):
        s = samples[item["index"]]
        extra = ["Trees", "Cars", "Clouds", "Boats", "FISH"][k]
        items.append({**item, "question": s["question"], "names": evaluation.ground_names(s) + [extra]})
    return items + DISAGREEING


def _models_dir_used(case, output):
    if not isinstance(output, dict) or output.get("None") != "loaded":
        return "CapstonePipeline(models_dir=...) should load the three models from that folder"
    if any(output.get(name) != "raised" for name in ("clip", "detector", "vqa")):
        return ("CapstonePipeline(models_dir=...) should load every model from models_dir, not from the "
                "kit's folder (a folder without one of them should fail)")
    return None

CHECKS = [
    Check("capstone.hidden.iou_random", "iou_pairs", iou_matches_reference("unseen boxes of every kind"),
          {"pairs": random_pairs(67)}),
    Check("capstone.hidden.iou_arrays", "iou_pairs", iou_matches_reference("boxes given as numpy arrays"),
          {"pairs": random_pairs(68, 12), "as_array": True}),
    Check("capstone.hidden.evaluate_random", "evaluate_fake", evaluate_matches_reference, fake_world(101)),
    Check("capstone.hidden.evaluate_finds_nothing", "evaluate_fake", evaluate_matches_reference,
          fake_world(102, 6, grounding="none")),
    Check("capstone.hidden.evaluate_competing", "evaluate_fake", evaluate_matches_reference, competing_world()),
    Check("capstone.hidden.evaluate_says_nothing", "evaluate_fake", evaluate_matches_reference,
          says_nothing_world(104)),
    Check("capstone.hidden.evaluate_nothing_to_find", "evaluate_fake", evaluate_matches_reference,
          nothing_to_find_world(105)),
    Check("capstone.hidden.errors_random", "errors_fake", errors_match_reference, fake_world(103)),
    Check("capstone.hidden.errors_competing", "errors_fake", errors_match_reference, competing_world()),
    Check("capstone.hidden.errors_says_nothing", "errors_fake", errors_match_reference, says_nothing_world(106)),
    # as many samples as the visible example, other contents: an answer kept from an earlier call
    # under a key that does not identify the input (its length) shows here
    Check("capstone.hidden.errors_same_size", "errors_fake", errors_match_reference, fake_world(108, n=4)),
    Check("capstone.hidden.pipeline_resized", "pipeline_resized",
          _boxes_follow_pixels,
          {"indices": [0, 42, 84, 126], "size": [320, 200]}),  # not a multiple of the input size
    Check("capstone.hidden.pipeline_matches_kit", "pipeline_items", matches_kit_components, {"items": _kit_items()}),
    Check("capstone.hidden.pipeline_models_dir", "pipeline_models_dir", _models_dir_used, {"index": 5}),
    Check("capstone.hidden.pipeline_test_set", "pipeline_run", reaches_kit_metrics,
          {"start": 300, "stop": 440, "as_array": True}, measure=measured_metrics),
]

