"""Painters for the scene world: one background per scene type, one drawing per object category.

Backgrounds are numpy arrays (so gradients and texture are cheap); objects are PIL primitives
with a dark outline, so every colour stays visible on every background. Each object painter
fills exactly its box [x1, y1, x2, y2) (pixel x2 and y2 excluded), so the box is tight.
"""

import numpy as np
from PIL import ImageDraw

OUTLINE = (30, 30, 30)
TRUNK = (110, 70, 35)
WINDOW = (170, 215, 240)
SKIN = ((255, 220, 180), (205, 155, 115), (140, 95, 60))


def _gradient(h, w, top, bottom, rng, jitter=12):
    """A vertical colour gradient of shape (h, w, 3), its two ends jittered per image."""
    top = np.clip(np.array(top) + rng.integers(-jitter, jitter + 1, 3), 0, 255)
    bottom = np.clip(np.array(bottom) + rng.integers(-jitter, jitter + 1, 3), 0, 255)
    t = np.linspace(0.0, 1.0, max(h, 1))[:, None, None]
    return np.broadcast_to(top * (1 - t) + bottom * t, (h, w, 3)).astype(np.float32)


def _speckle(band, rng, amount):
    """Add per-pixel noise so flat areas look like sand, grass or asphalt, not a label colour."""
    return band + rng.normal(0.0, amount, band.shape[:2])[..., None]


def beach(size, rng):
    horizon, shore = int(size * rng.uniform(0.32, 0.42)), int(size * rng.uniform(0.6, 0.7))
    img = np.empty((size, size, 3), np.float32)
    img[:horizon] = _gradient(horizon, size, (120, 190, 245), (190, 225, 250), rng)
    img[horizon:shore] = _speckle(_gradient(shore - horizon, size, (30, 100, 180), (60, 150, 210), rng), rng, 6)
    img[shore:] = _speckle(_gradient(size - shore, size, (225, 200, 145), (240, 215, 165), rng), rng, 8)
    img[shore : shore + 2] = (235, 240, 240)  # surf line
    for _ in range(rng.integers(4, 9)):  # wave crests
        y, x = rng.integers(horizon + 3, shore - 2), rng.integers(0, size - 10)
        img[y, x : x + rng.integers(5, 12)] = (150, 200, 235)
    return img, {"horizon": horizon, "shore": shore}


def street(size, rng):
    ground = int(size * rng.uniform(0.5, 0.58))
    img = np.empty((size, size, 3), np.float32)
    img[:ground] = _gradient(ground, size, (165, 195, 220), (205, 215, 230), rng)
    x = 0
    while x < size:  # a skyline of grey buildings with window grids
        w, top = int(rng.integers(14, 30)), int(rng.integers(int(size * 0.12), ground - 12))
        grey = rng.integers(95, 165)
        img[top:ground, x : x + w] = (grey, grey, grey + rng.integers(-8, 9))
        img[top + 3 : ground - 2 : 6, x + 2 : x + w - 2 : 4] = (60, 65, 80)
        x += w + int(rng.integers(0, 4))
    img[ground : ground + 5] = (175, 175, 170)  # pavement
    img[ground + 5 :] = _speckle(_gradient(size - ground - 5, size, (75, 75, 80), (95, 95, 100), rng), rng, 5)
    lane = (ground + 5 + size) // 2
    for x in range(int(rng.integers(0, 8)), size, 16):
        img[lane : lane + 2, x : x + 8] = (240, 240, 240)
    return img, {"horizon": ground}


def park(size, rng):
    horizon = int(size * rng.uniform(0.35, 0.45))
    img = np.empty((size, size, 3), np.float32)
    img[:horizon] = _gradient(horizon, size, (110, 180, 240), (180, 215, 245), rng)
    img[horizon:] = _speckle(_gradient(size - horizon, size, (95, 165, 70), (60, 135, 50), rng), rng, 10)
    # a winding sand path from the bottom edge to the horizon
    x0, x1, width = rng.uniform(0.2, 0.8) * size, rng.uniform(0.3, 0.7) * size, rng.uniform(10, 18)
    for y in range(horizon, size):
        t = (y - horizon) / (size - horizon)
        c = x1 + (x0 - x1) * t + 4 * np.sin(t * 6 + x0)
        half = 1 + width * t / 2
        img[y, max(0, int(c - half)) : int(c + half)] = (205, 185, 140)
    return img, {"horizon": horizon}


def night(size, rng):
    horizon = int(size * rng.uniform(0.5, 0.6))
    img = np.empty((size, size, 3), np.float32)
    img[:horizon] = _gradient(horizon, size, (8, 10, 35), (35, 40, 85), rng, jitter=6)
    img[horizon:] = _speckle(_gradient(size - horizon, size, (30, 45, 35), (20, 30, 25), rng, jitter=6), rng, 4)
    n = int(rng.integers(25, 50))
    ys, xs = rng.integers(0, horizon - 2, n), rng.integers(0, size, n)
    img[ys, xs] = (250, 250, 220)
    big = rng.random(n) < 0.3  # a few brighter 2-pixel stars
    img[ys[big] + 1, xs[big]] = (250, 250, 220)
    return img, {"horizon": horizon}


def kitchen(size, rng):
    counter = int(size * rng.uniform(0.5, 0.58))
    wall = np.array([(225, 225, 205), (200, 222, 228), (232, 212, 200), (215, 230, 210)][rng.integers(4)], np.float32)
    img = np.empty((size, size, 3), np.float32)
    img[:counter] = wall + rng.integers(-10, 11, 3)
    step = int(rng.integers(8, 12))
    img[:counter:step] *= 0.8  # tile grout
    img[:counter, ::step] *= 0.8
    img[counter : counter + 7] = (140, 95, 55)  # wooden counter top
    a, b = rng.integers(150, 200), rng.integers(90, 140)
    yy, xx = np.mgrid[counter + 7 : size, 0:size]
    checker = ((yy // 10 + xx // 10) % 2).astype(bool)
    img[counter + 7 :] = np.where(checker[..., None], a, b)
    return img, {"horizon": None}


BACKGROUNDS = {"beach": beach, "street": street, "park": park, "night": night, "kitchen": kitchen}


def paint_background(scene, size, rng):
    """(uint8 array of shape (size, size, 3), layout dict with the horizon/shore rows)."""
    img, layout = BACKGROUNDS[scene](size, rng)
    return np.clip(img, 0, 255).astype(np.uint8), layout


# --- objects: each takes (draw, box, rgb, rng) and paints inside [x1, y1, x2, y2) -----------


def tree(d, box, rgb, rng):
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    tw = max(2, int(w * 0.22))
    cx = (x1 + x2) // 2
    d.rectangle([cx - tw // 2, y1 + int(0.55 * h), cx - tw // 2 + tw - 1, y2 - 1], fill=TRUNK, outline=OUTLINE)
    if rng.random() < 0.5:  # round crown
        d.ellipse([x1, y1, x2 - 1, y1 + int(0.7 * h)], fill=rgb, outline=OUTLINE)
    else:  # pine: two stacked triangles
        d.polygon(
            [(cx, y1 + int(0.25 * h)), (x1, y1 + int(0.75 * h)), (x2 - 1, y1 + int(0.75 * h))],
            fill=rgb,
            outline=OUTLINE,
        )
        d.polygon(
            [(cx, y1), (x1 + w // 6, y1 + int(0.45 * h)), (x2 - 1 - w // 6, y1 + int(0.45 * h))],
            fill=rgb,
            outline=OUTLINE,
        )


def house(d, box, rgb, rng):
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    eave = y1 + int(0.4 * h)
    roof = ((125, 45, 35), (70, 70, 80))[rng.integers(2)]
    d.rectangle([x1 + 1, eave, x2 - 2, y2 - 1], fill=rgb, outline=OUTLINE)
    d.polygon([(x1, eave), ((x1 + x2) // 2, y1), (x2 - 1, eave)], fill=roof, outline=OUTLINE)
    dw = max(2, w // 5)
    dx = x1 + int(w * rng.uniform(0.2, 0.6))
    d.rectangle([dx, y2 - 1 - int(0.3 * h), dx + dw, y2 - 1], fill=(90, 55, 30), outline=OUTLINE)
    wx = x1 + 3 if dx > x1 + w // 2 else x2 - 4 - dw
    d.rectangle([wx, eave + 3, wx + dw, eave + 3 + dw], fill=WINDOW, outline=OUTLINE)


def car(d, box, rgb, rng):
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    r = max(2, int(0.17 * h))
    d.polygon(
        [
            (x1 + int(0.2 * w), y1 + int(0.42 * h)),
            (x1 + int(0.3 * w), y1),
            (x1 + int(0.7 * w), y1),
            (x1 + int(0.82 * w), y1 + int(0.42 * h)),
        ],
        fill=rgb,
        outline=OUTLINE,
    )
    d.rectangle([x1 + int(0.33 * w), y1 + 2, x1 + int(0.67 * w), y1 + int(0.38 * h)], fill=WINDOW)
    d.rectangle([x1, y1 + int(0.4 * h), x2 - 1, y2 - 1 - r], fill=rgb, outline=OUTLINE)
    for cx in (x1 + int(0.25 * w), x1 + int(0.75 * w)):
        d.ellipse([cx - r, y2 - 1 - 2 * r, cx + r, y2 - 1], fill=OUTLINE)
        d.ellipse([cx - r // 2, y2 - 1 - r - r // 2, cx + r // 2, y2 - 1 - r + r // 2], fill=(150, 150, 150))


def boat(d, box, rgb, rng):
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    deck, cx = y1 + int(0.6 * h), x1 + int(w * rng.uniform(0.4, 0.55))
    d.line([(cx, y1), (cx, deck)], fill=OUTLINE, width=1)
    sail = (200, 200, 200) if min(rgb) > 200 else (240, 240, 230)
    d.polygon([(cx + 1, y1), (cx + 1, deck - 2), (x2 - 1 - int(0.1 * w), deck - 2)], fill=sail, outline=OUTLINE)
    d.polygon(
        [(x1, deck), (x2 - 1, deck), (x2 - 1 - int(0.15 * w), y2 - 1), (x1 + int(0.15 * w), y2 - 1)],
        fill=rgb,
        outline=OUTLINE,
    )


def sun(d, box, rgb, rng):
    x1, y1, x2, y2 = box
    cx, cy, half = (x1 + x2 - 1) / 2, (y1 + y2 - 1) / 2, (x2 - x1 - 1) / 2
    r = half * 0.6
    for k in range(8):
        a = k * np.pi / 4 + rng.uniform(-0.1, 0.1) * (k == 0)
        d.line(
            [
                (cx + 0.75 * half * np.cos(a), cy + 0.75 * half * np.sin(a)),
                (cx + half * np.cos(a), cy + half * np.sin(a)),
            ],
            fill=rgb,
            width=2,
        )
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=rgb, outline=OUTLINE)


def person(d, box, rgb, rng):
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    cx, r = (x1 + x2 - 1) // 2, max(2, int(0.12 * h))
    hip = y1 + int(0.62 * h)
    d.line([(cx - 1, hip), (x1 + w // 4, y2 - 1)], fill=OUTLINE, width=2)
    d.line([(cx + 1, hip), (x2 - 1 - w // 4, y2 - 1)], fill=OUTLINE, width=2)
    d.line([(x1, y1 + int(0.5 * h)), (cx, y1 + int(0.32 * h)), (x2 - 1, y1 + int(0.5 * h))], fill=OUTLINE, width=2)
    d.polygon(
        [(cx - w // 4, y1 + 2 * r), (cx + w // 4, y1 + 2 * r), (cx + w // 3, hip), (cx - w // 3, hip)],
        fill=rgb,
        outline=OUTLINE,
    )
    d.ellipse([cx - r, y1, cx + r, y1 + 2 * r], fill=SKIN[rng.integers(len(SKIN))], outline=OUTLINE)


def fish(d, box, rgb, rng):
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    cy = (y1 + y2 - 1) // 2
    if rng.random() < 0.5:  # facing left: tail on the right
        d.polygon([(x1 + int(0.65 * w), cy), (x2 - 1, y1), (x2 - 1, y2 - 1)], fill=rgb, outline=OUTLINE)
        d.ellipse([x1, y1 + h // 8, x1 + int(0.75 * w), y2 - 1 - h // 8], fill=rgb, outline=OUTLINE)
        ex = x1 + int(0.18 * w)
    else:
        d.polygon([(x2 - 1 - int(0.65 * w), cy), (x1, y1), (x1, y2 - 1)], fill=rgb, outline=OUTLINE)
        d.ellipse([x2 - 1 - int(0.75 * w), y1 + h // 8, x2 - 1, y2 - 1 - h // 8], fill=rgb, outline=OUTLINE)
        ex = x2 - 1 - int(0.18 * w)
    d.rectangle([ex - 1, cy - 1, ex, cy], fill=OUTLINE)


def cloud(d, box, rgb, rng):
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    puffs = [
        (x1, y1 + int(0.35 * h), x1 + int(0.5 * w), y2 - 1),
        (x1 + int(0.2 * w), y1, x1 + int(0.75 * w), y2 - 1 - int(0.1 * h)),
        (x1 + int(0.45 * w), y1 + int(0.25 * h), x2 - 1, y2 - 1),
    ]
    for p in puffs:  # outlines first, then fills on top, so only the union's edge stays dark
        d.ellipse(p, fill=OUTLINE)
    for a, b, c, e in puffs:
        d.ellipse([a + 1, b + 1, c - 1, e - 1], fill=rgb)


PAINTERS = {
    "tree": tree,
    "house": house,
    "car": car,
    "boat": boat,
    "sun": sun,
    "person": person,
    "fish": fish,
    "cloud": cloud,
}


def paint_object(image, name, box, rgb, rng):
    """Draw one object of category `name` into the PIL image, filling `box` [x1, y1, x2, y2)."""
    PAINTERS[name](ImageDraw.Draw(image), [int(v) for v in box], tuple(int(c) for c in rgb), rng)
