"""Words about scenes: captions, questions with their answers, and the closed vocabulary.

    from vlmkit.world.language import caption, make_question
    q = make_question("counting", "beach", objects, rng)   # {'question', 'answer', 'question_type'}

Questions are generated from the annotation only, so every answer is true by construction.
Kinds: existence (yes/no), counting (0-5), color, scene, spatial (left of / above, yes/no).
"""

import re

from vlmkit.world.spec import CATEGORIES, COLORS, MAX_OBJECTS, QUESTION_TYPES, SCENES, plural

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five")
ANSWERS = ("yes", "no") + tuple(str(i) for i in range(MAX_OBJECTS + 1)) + tuple(COLORS) + SCENES

TEMPLATES = {
    "existence": ("is there a {n} in the image?", "are there any {p}?"),
    "counting": ("how many {p} are there?", "how many {p} can you see?"),
    "color": ("what color is the {n}?", "what is the color of the {n}?"),
    "scene": ("what kind of scene is this?", "where was this picture taken?"),
    "spatial": ("is the {n} to the left of the {m}?", "is the {n} above the {m}?"),
}
CAPTION_STARTS = ("a photo of a {s} scene", "a {s} scene", "a picture of a {s} scene")
SCENE_PROMPTS = CAPTION_STARTS  # zero-shot prompts: the caption starts, without the objects
MIN_GAP = 8  # px at 128: closer centres make "left of" / "above" ambiguous, so they are not asked


def words(text: str) -> list:
    """Lower-case words without punctuation: the tokenisation every tiny model uses."""
    return re.findall(r"[a-z0-9]+", text.lower())


def _vocab():
    texts = [t for ts in TEMPLATES.values() for t in ts] + list(CAPTION_STARTS)
    texts += list(CATEGORIES) + [plural(c) for c in CATEGORIES] + list(COLORS) + list(SCENES)
    texts += list(NUMBER_WORDS) + ["with and"]
    return sorted({w for t in texts for w in words(t.replace("{", " ").replace("}", " "))} - {"n", "m", "p", "s"})


VOCAB = tuple(_vocab())


def _counts(objects):
    counts = {}
    for o in objects:
        counts[o["name"]] = counts.get(o["name"], 0) + 1
    return counts


def _center(box):
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def caption(scene: str, objects: list, rng) -> str:
    """'a beach scene with a red boat and two fish' (objects in random order)."""
    start = CAPTION_STARTS[int(rng.integers(len(CAPTION_STARTS)))].format(s=scene)
    counts = _counts(objects)
    names = list(counts)
    rng.shuffle(names)
    parts = []
    for name in names:
        k = counts[name]
        color = next(o["color"] for o in objects if o["name"] == name)
        parts.append(f"a {color} {name}" if k == 1 else f"{NUMBER_WORDS[k]} {plural(name)}")
    if not parts:
        return start
    return start + " with " + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1])


def spatial_pairs(objects: list) -> list:
    """(a, b, relation, answer) for every pair of unique objects far enough apart to ask about."""
    counts = _counts(objects)
    unique = [o for o in objects if counts[o["name"]] == 1]
    pairs = []
    for a in unique:
        for b in unique:
            if a is b:
                continue
            (ax, ay), (bx, by) = _center(a["box"]), _center(b["box"])
            if abs(ax - bx) >= MIN_GAP:
                pairs.append((a["name"], b["name"], 0, "yes" if ax < bx else "no"))
            if abs(ay - by) >= MIN_GAP:
                pairs.append((a["name"], b["name"], 1, "yes" if ay < by else "no"))
    return pairs


def feasible_kinds(objects: list) -> list:
    """The question kinds that can be asked about these objects (color needs a unique object)."""
    counts = _counts(objects)
    ok = {"existence", "counting", "scene"}
    if any(k == 1 for k in counts.values()):
        ok.add("color")
    if spatial_pairs(objects):
        ok.add("spatial")
    return [k for k in QUESTION_TYPES if k in ok]


def make_question(kind: str, scene: str, objects: list, rng) -> dict | None:
    """One random question of `kind` with its true answer, or None if the kind cannot be asked."""
    counts = _counts(objects)
    template = TEMPLATES[kind][int(rng.integers(len(TEMPLATES[kind])))]
    absent = [c for c in CATEGORIES if c not in counts]
    present = list(counts)
    if kind == "existence":
        yes = bool(present) and (not absent or rng.random() < 0.5)
        name = (present if yes else absent)[int(rng.integers(len(present if yes else absent)))]
        q, a = template.format(n=name, p=plural(name)), "yes" if yes else "no"
    elif kind == "counting":
        pool = present if (rng.random() < 0.8 or not absent) else absent
        name = pool[int(rng.integers(len(pool)))]
        q, a = template.format(p=plural(name)), str(counts.get(name, 0))
    elif kind == "color":
        unique = [o for o in objects if counts[o["name"]] == 1]
        if not unique:
            return None
        o = unique[int(rng.integers(len(unique)))]
        q, a = template.format(n=o["name"]), o["color"]
    elif kind == "scene":
        q, a = template, scene
    else:
        pairs = spatial_pairs(objects)
        if not pairs:
            return None
        n, m, rel, a = pairs[int(rng.integers(len(pairs)))]
        q = TEMPLATES["spatial"][rel].format(n=n, m=m)
    return {"question": q, "answer": a, "question_type": kind}
