"""The bundled held-out test set: how it is built and how it is loaded.

    from vlmkit.world import load_samples
    samples = load_samples()          # data/capstone/test, image paths made absolute

Rebuild it (deterministic, seeds from the 'test' split that training never uses):

    vlmkit testset --out data/capstone/test

Layout: `images/NNNN.png` and `samples.json`, a list of records in the course harness's schema
{'image', 'question', 'gt_answer', 'question_type', 'gt_objects': [{'name', 'box', 'color'}],
'gt_scene', 'captions', 'id', 'seed'}. Each image has QUESTIONS_PER_IMAGE records (one question
each, of different kinds); every pair of kinds is used equally often, so kinds are balanced.
"""

import itertools
import json
from pathlib import Path

import numpy as np

from vlmkit import paths
from vlmkit.errors import KitError
from vlmkit.world.language import caption, feasible_kinds, make_question
from vlmkit.world.scene import generate_scene, scene_seed
from vlmkit.world.spec import QUESTION_TYPES

TEST_DIR = paths.DATA / "capstone" / "test"
SAMPLES_FILE = "samples.json"
QUESTIONS_PER_IMAGE = 2


def annotate(scene, image: str, seed, rng) -> dict:
    """The question-free part of a record: image path, objects, scene and two captions."""
    return {
        "image": image,
        "gt_objects": [dict(o) for o in scene.objects],
        "gt_scene": scene.scene,
        "captions": [caption(scene.scene, scene.objects, rng) for _ in range(2)],
        "seed": list(seed),
    }


def build_test_set(out_dir, n_images: int = 300, split: str = "test") -> list:
    """Render `n_images` scenes to out_dir/images and write out_dir/samples.json; return the records."""
    out_dir = Path(out_dir)
    (out_dir / "images").mkdir(parents=True, exist_ok=True)
    pairs = list(itertools.combinations(QUESTION_TYPES, QUESTIONS_PER_IMAGE))
    quota = {p: n_images // len(pairs) for p in pairs}
    for p in pairs[: n_images - sum(quota.values())]:
        quota[p] += 1
    records, index = [], 0
    while len(records) < n_images * QUESTIONS_PER_IMAGE:
        seed = scene_seed(split, index)
        index += 1
        scene = generate_scene(seed)
        kinds = set(feasible_kinds(scene.objects))
        open_pairs = [p for p in pairs if quota[p] > 0 and kinds.issuperset(p)]
        if not open_pairs:  # this scene cannot serve a kind pair that still needs images
            continue
        pair = max(open_pairs, key=lambda p: quota[p])
        quota[pair] -= 1
        rng = np.random.default_rng(seed + (1,))  # the question stream, apart from the pixel stream
        name = f"images/{len(records) // QUESTIONS_PER_IMAGE:04d}.png"
        scene.image.save(out_dir / name)
        base = annotate(scene, name, seed, rng)
        for k, kind in enumerate(pair):
            q = make_question(kind, scene.scene, scene.objects, rng)
            records.append(
                {
                    "id": f"{split}-{len(records) // QUESTIONS_PER_IMAGE:04d}-q{k}",
                    **base,
                    "question": q["question"],
                    "gt_answer": q["answer"],
                    "question_type": kind,
                }
            )
    (out_dir / SAMPLES_FILE).write_text(json.dumps(records, indent=1))
    return records


def load_samples(dir=None) -> list:
    """The records of a test set directory (default: the bundled one), image paths absolute."""
    root = Path(dir) if dir is not None else TEST_DIR
    path = root / SAMPLES_FILE
    if not path.is_file():
        raise KitError(f"no {SAMPLES_FILE} in {root}; build it with `vlmkit testset --out {root}`")
    records = json.loads(path.read_text())
    for r in records:
        r["image"] = str((root / r["image"]).resolve())
    return records
