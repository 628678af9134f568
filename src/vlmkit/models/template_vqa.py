"""The template baseline for VQA: parse the question with the world's templates, read the answer
off the detections. Not a model of language (it knows five question shapes and nothing else),
which is why it is reported *beside* the learned VQA model, never instead of it.

    template_answer("how many cars are there?", detections, scene="street")  # -> '2'
"""

import re

from vlmkit.world.language import words
from vlmkit.world.spec import singular

_OBJECT = r"(\w+)"
PATTERNS = [
    ("existence", re.compile(rf"^(?:is there an? {_OBJECT}|are there any {_OBJECT})\b")),
    ("counting", re.compile(rf"^how many {_OBJECT}\b")),
    ("color", re.compile(rf"^what (?:color|colour) is the {_OBJECT}|^what is the (?:color|colour) of the {_OBJECT}")),
    ("scene", re.compile(r"^(?:what kind of scene|where was this)")),
    ("left", re.compile(rf"^is the {_OBJECT} (?:to the )?left of the {_OBJECT}")),
    ("above", re.compile(rf"^is the {_OBJECT} above the {_OBJECT}")),
]


def _center(box):
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def template_answer(question: str, detections: list, scene: str) -> str:
    """Answer from detections [{'name', 'box', 'score', 'color'}]; 'unknown' if no template fits."""
    text = " ".join(words(question))
    for kind, pattern in PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        names = [singular(g) for g in m.groups() if g]
        found = [[d for d in detections if d["name"] == n] for n in names]
        if kind == "existence":
            return "yes" if found[0] else "no"
        if kind == "counting":
            return str(len(found[0]))
        if kind == "color":
            return found[0][0].get("color", "unknown") if found[0] else "unknown"
        if kind == "scene":
            return scene
        if not (found[0] and found[1]):
            return "no"
        axis = 0 if kind == "left" else 1
        return "yes" if _center(found[0][0]["box"])[axis] < _center(found[1][0]["box"])[axis] else "no"
    return "unknown"
