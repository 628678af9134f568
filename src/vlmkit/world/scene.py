"""Procedural scenes: `generate_scene(seed)` -> a `Scene` (PIL image + its ground truth).

    from vlmkit.world import generate_scene, scene_seed
    s = generate_scene(scene_seed("train", 7))
    s.image.show(); print(s.scene, s.objects)

Deterministic: the same seed always gives the same pixels and annotation. Seeds come from
`scene_seed(split, index)`, so the train, val and test splits can never share a scene.
"""

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from vlmkit.world.draw import paint_background, paint_object
from vlmkit.world.spec import COLORS, IMAGE_SIZE, MAX_OBJECTS, MAX_OVERLAP, SCENE_CATEGORIES, SCENES

SPLITS = {"train": 0, "val": 1, "test": 2}

# Object size at 128 px: (range of the main dimension, range of width/height, main is 'w' or 'h').
SIZES = {
    "tree": ((22, 42), (0.55, 0.75), "h"),
    "house": ((22, 40), (0.9, 1.2), "w"),
    "car": ((22, 40), (1.8, 2.2), "w"),
    "boat": ((20, 38), (1.1, 1.4), "w"),
    "sun": ((14, 26), (1.0, 1.0), "w"),
    "person": ((20, 36), (0.45, 0.55), "h"),
    "fish": ((14, 28), (1.6, 2.0), "w"),
    "cloud": ((22, 42), (1.6, 2.0), "w"),
}
SKY = ("sun", "cloud")
WATER = ("boat", "fish")


@dataclass
class Scene:
    """One rendered scene. `objects`: [{'name', 'box': [x1, y1, x2, y2], 'color'}] in pixels."""

    image: Image.Image
    scene: str
    objects: list = field(default_factory=list)


def scene_seed(split: str, index: int) -> tuple:
    """The seed of scene `index` of a split; distinct splits never collide."""
    return (SPLITS[split], int(index))


def _overlap(a, b) -> float:
    """Intersection over the smaller box's area."""
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    return iw * ih / min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))


def _vertical_range(name, scene, layout, h, size):
    """Allowed rows for the box top, so objects sit where the scene puts them (sky, sea, ground)."""
    horizon, shore = layout.get("horizon"), layout.get("shore")
    if horizon is None:  # kitchen: anywhere
        lo, hi = int(0.08 * size), size - 2 - h
    elif name in SKY:
        lo, hi = 2, horizon - h - 2
    elif name in WATER and shore is not None:  # boats float on the sea, fish swim in it
        lo, hi = (horizon - h // 2 if name == "boat" else horizon + 1), shore - h - 1
    else:  # standing on the ground (on a beach, the sand)
        lo, hi = (shore or horizon) + 4 - h, size - 2 - h
    lo = max(1, lo)
    hi = max(lo, min(hi, size - 1 - h))
    return lo, hi


def _sample_box(name, scene, layout, size, rng):
    (m_lo, m_hi), (a_lo, a_hi), main = SIZES[name]
    scale = size / IMAGE_SIZE
    m, aspect = rng.uniform(m_lo, m_hi) * scale, rng.uniform(a_lo, a_hi)
    w, h = (m, m / aspect) if main == "w" else (m * aspect, m)
    w, h = max(6, round(w)), max(6, round(h))
    x1 = int(rng.integers(1, size - w))
    lo, hi = _vertical_range(name, scene, layout, h, size)
    y1 = int(rng.integers(lo, hi + 1))
    return [x1, y1, x1 + w, y1 + h]


def _choose_categories(scene, rng):
    """1..MAX_OBJECTS names; a third of the extra objects repeat one already chosen (for counting)."""
    allowed = SCENE_CATEGORIES[scene]
    names = []
    for _ in range(int(rng.integers(1, MAX_OBJECTS + 1))):
        pool = names if names and rng.random() < 0.35 else allowed
        names.append(pool[int(rng.integers(len(pool)))])
    return names


def generate_scene(seed, size: int = IMAGE_SIZE, scene: str | None = None) -> Scene:
    """Render one scene from `seed` (an int or a tuple such as `scene_seed('test', 3)`)."""
    rng = np.random.default_rng(seed)
    scene = scene or SCENES[int(rng.integers(len(SCENES)))]
    background, layout = paint_background(scene, size, rng)
    image = Image.fromarray(background)
    color_names = list(COLORS)
    objects = []
    for name in _choose_categories(scene, rng):
        for _ in range(30):  # rejection sampling keeps overlaps bounded
            box = _sample_box(name, scene, layout, size, rng)
            if all(_overlap(box, o["box"]) <= MAX_OVERLAP for o in objects):
                color = color_names[int(rng.integers(len(color_names)))]
                objects.append({"name": name, "box": box, "color": color})
                break
    # far (higher, sky) objects first, so nearer ones are drawn on top
    objects.sort(key=lambda o: (o["name"] not in SKY, o["box"][3]))
    for o in objects:
        rgb = np.clip(np.array(COLORS[o["color"]]) + rng.integers(-15, 16, 3), 0, 255)
        paint_object(image, o["name"], o["box"], rgb, rng)
    return Scene(image=image, scene=scene, objects=objects)
