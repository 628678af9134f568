"""The scene world: determinism, what the pictures contain, questions, and the bundled test set."""

import itertools
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vlmkit.errors import KitError
from vlmkit.world import (
    CATEGORIES,
    COLORS,
    QUESTION_TYPES,
    SCENES,
    caption,
    generate_scene,
    load_samples,
    make_question,
    scene_seed,
)
from vlmkit.world.language import feasible_kinds, spatial_pairs
from vlmkit.world.scene import SPLITS, _overlap
from vlmkit.world.spec import IMAGE_SIZE, MAX_OBJECTS, MAX_OVERLAP, plural, singular


@pytest.fixture(scope="module")
def scenes():
    return [generate_scene(scene_seed("val", i)) for i in range(300)]


def test_same_seed_same_scene_and_splits_differ():
    a, b = generate_scene(scene_seed("train", 5)), generate_scene(scene_seed("train", 5))
    assert np.array_equal(np.asarray(a.image), np.asarray(b.image)) and a.objects == b.objects
    c = generate_scene(scene_seed("test", 5))
    assert not np.array_equal(np.asarray(a.image), np.asarray(c.image))
    assert len(set(SPLITS.values())) == len(SPLITS)  # distinct split codes: seeds can never collide


def test_images_and_annotations_are_well_formed(scenes):
    for s in scenes:
        assert s.image.size == (IMAGE_SIZE, IMAGE_SIZE) and s.image.mode == "RGB"
        assert s.scene in SCENES and 1 <= len(s.objects) <= MAX_OBJECTS
        for o in s.objects:
            x1, y1, x2, y2 = o["box"]
            assert 0 <= x1 < x2 <= IMAGE_SIZE and 0 <= y1 < y2 <= IMAGE_SIZE
            assert o["name"] in CATEGORIES and o["color"] in COLORS
        for a, b in itertools.combinations(s.objects, 2):
            assert _overlap(a["box"], b["box"]) <= MAX_OVERLAP


def test_variety(scenes):
    assert {s.scene for s in scenes} == set(SCENES)
    objects = [o for s in scenes for o in s.objects]
    assert {o["name"] for o in objects} == set(CATEGORIES)
    assert {o["color"] for o in objects} == set(COLORS)
    assert {len(s.objects) for s in scenes} == set(range(1, MAX_OBJECTS + 1))
    widths = [o["box"][2] - o["box"][0] for o in objects if o["name"] == "car"]
    assert max(widths) - min(widths) >= 10  # sizes vary


def test_objects_are_drawn_inside_their_boxes(scenes):
    for s in scenes[:50]:
        img = np.asarray(s.image).astype(int)
        for o in s.objects:
            x1, y1, x2, y2 = o["box"]
            patch = img[y1:y2, x1:x2]
            assert (np.abs(patch - np.array(COLORS[o["color"]])).sum(-1) < 60).any()  # its colour is there


def test_scene_type_is_visible_in_the_pixels(scenes):
    """A nearest-centroid classifier on coarse colour statistics already separates the scenes."""

    def feat(s):
        return np.asarray(s.image.resize((4, 4), Image.BILINEAR), dtype=float).ravel()

    train, test = scenes[:200], scenes[200:]
    centroids = {k: np.mean([feat(s) for s in train if s.scene == k], 0) for k in SCENES}
    pred = [min(SCENES, key=lambda k: np.linalg.norm(feat(s) - centroids[k])) for s in test]
    assert np.mean([p == s.scene for p, s in zip(pred, test, strict=True)]) > 0.8


def test_questions_are_true_to_the_annotation(scenes):
    rng = np.random.default_rng(0)
    for s in scenes[:150]:
        counts = Counter(o["name"] for o in s.objects)
        for kind in QUESTION_TYPES:
            q = make_question(kind, s.scene, s.objects, rng)
            if kind not in feasible_kinds(s.objects):
                assert q is None
                continue
            words = q["question"].rstrip("?").split()
            named = [singular(w) for w in words if singular(w)]
            if kind == "existence":
                assert q["answer"] == ("yes" if counts[named[0]] else "no")
            elif kind == "counting":
                assert q["answer"] == str(counts[named[0]])
            elif kind == "color":
                assert q["answer"] == next(o["color"] for o in s.objects if o["name"] == named[0])
            elif kind == "scene":
                assert q["answer"] == s.scene
            else:
                a, b = (next(o["box"] for o in s.objects if o["name"] == n) for n in named)
                axis = 0 if "left" in words else 1
                assert q["answer"] == ("yes" if a[axis] + a[axis + 2] < b[axis] + b[axis + 2] else "no")


def test_spatial_pairs_only_for_unique_and_separated_objects():
    objs = [
        {"name": "car", "box": [0, 50, 20, 60], "color": "red"},
        {"name": "tree", "box": [3, 10, 23, 40], "color": "green"},
    ]
    pairs = spatial_pairs(objs)
    assert ("car", "tree", 1, "no") in pairs and not [p for p in pairs if p[2] == 0]  # 3 px apart in x
    assert spatial_pairs(objs + [dict(objs[0])]) == []  # two cars: "the car" is ambiguous


def test_caption_names_scene_and_objects():
    objs = [
        {"name": "boat", "box": [0, 0, 9, 9], "color": "red"},
        {"name": "fish", "box": [20, 20, 29, 29], "color": "blue"},
        {"name": "fish", "box": [40, 40, 49, 49], "color": "pink"},
    ]
    text = caption("beach", objs, np.random.default_rng(0))
    assert "beach scene" in text and "a red boat" in text and "two fish" in text
    assert plural("person") == "people" and singular("Cars") == "car" and singular("dog") is None


def test_bundled_test_set():
    samples = load_samples()
    images = {r["image"] for r in samples}
    assert 250 <= len(images) <= 350 and len(samples) >= len(images)
    assert all(Path(p).is_absolute() and Path(p).is_file() for p in images)
    kinds = Counter(r["question_type"] for r in samples)
    assert set(kinds) == set(QUESTION_TYPES) and max(kinds.values()) - min(kinds.values()) <= 1
    for r in samples:
        assert {"image", "question", "gt_answer", "gt_objects", "gt_scene", "question_type", "captions"} <= set(r)
        assert r["seed"][0] == SPLITS["test"]
    for r in samples[:6:2]:  # the PNGs are exactly what the generator draws from the recorded seed
        s = generate_scene(tuple(r["seed"]))
        assert np.array_equal(np.asarray(Image.open(r["image"]).convert("RGB")), np.asarray(s.image))
        assert [o["box"] for o in s.objects] == [o["box"] for o in r["gt_objects"]]


def test_load_samples_missing_dir(tmp_path):
    with pytest.raises(KitError, match="samples.json"):
        load_samples(tmp_path)
