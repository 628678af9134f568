"""Q5 — coordinate tokens: probes and visible checks.

Conventions (Florence-2 unless a case says otherwise): normalise by W and H, quantise with
floor and clamp to [0, N-1], decode to bin centres (q + 0.5) / N, order x1 y1 x2 y2,
tokens `<loc_q>`. See shared reference-conventions, Q5.
"""

import random

import numpy as np

from vlmkit.checks.common import call, call_each, each_caught
from vlmkit.grading.checking import compare
from vlmkit.grading.checking.judges import HINT, bare_message, diagnose, diagnosed, expect_close, expect_equal
from vlmkit.grading.checking.registry import Check

# ---------------------------------------------------------------- probes (learner's kernel)

def roundtrip(case, quantize, dequantize):
    return dequantize(quantize(case["values"], case["num_bins"]), case["num_bins"])


def tokens_roundtrip(case, box_to_tokens, tokens_to_box):
    w, h, n = case["width"], case["height"], case["num_bins"]
    return [tokens_to_box(box_to_tokens(b, w, h, n), w, h, n) for b in case["boxes"]]


def raises(case, function):
    """Record which exception the learner's function raises on bad input (None if it does not)."""
    try:
        function(*case.get("args", []), **case.get("kwargs", {}))
    except Exception as err:
        return type(err).__name__
    return None


def raises_each(case, function):
    """For each entry of case["calls"]: "ValueError" if the function raises a ValueError (or a
    subclass), the exception's type name for any other exception, None if it returns."""
    found = []
    for c in case["calls"]:
        try:
            function(*c.get("args", []), **c.get("kwargs", {}))
        except ValueError:
            found.append("ValueError")
        except Exception as err:
            found.append(type(err).__name__)
        else:
            found.append(None)
    return found


PROBES = {"call": call, "call_each": call_each, "roundtrip": roundtrip,
          "tokens_roundtrip": tokens_roundtrip, "raises": raises, "raises_each": raises_each,
          "call_each_caught": each_caught(call)}


# ---------------------------------------------------------------- judges and references (grader's process)

def list_of(kind, what):
    """A message if `output` is not a list whose items are all of type `kind` (None if it is)."""
    names = {int: "ints", float: "floats", str: "strings"}

    def message(output):
        if not isinstance(output, list) or not all(type(x) is kind for x in output):
            return f"{what} should return a list of {names[kind]} (check the return type)"
        return None

    return message


def typed(type_message, judge):
    """Judge the return type first (a message naming it), then the values with `judge`."""
    return lambda case, output: type_message(output) or judge(case, output)


def within_half_bin(case, output):
    """Every decoded value is within half a bin of its input, and lies at a bin centre."""
    n = case["num_bins"]
    message = compare.close(output, case["values"], "decoded values", atol=0.5 / n + 1e-9, rtol=0)
    if message:
        return message + f" — more than half a bin (0.5/{n})"
    centres = [(min(max(int(v * n), 0), n - 1) + 0.5) / n for v in case["values"]]
    return compare.close(output, centres, "decoded values (bin centres)")


def boxes_within_half_bin(case, output):
    w, h, n = case["width"], case["height"], case["num_bins"]
    expected = [[min(max(v, 0), lim) for v, lim in zip(b, (w, h, w, h))] for b in case["boxes"]]
    tolerance = max(w, h) * 0.5 / n + 1e-6
    message = compare.close(output, expected, "decoded boxes", atol=tolerance, rtol=0)
    return message and message + " — more than half a bin from the original box"


# Known mistakes (diagnoses). Hints say what to do, in the same words wherever one mistake shows
# (the class report groups by them).

SWAPPED = "x by the width, y by the height"
ROUND = "floor(v * N), not round"
CLAMP = "clamp to [0, N-1]"
EDGE = "decode to the bin centre (q + 0.5)/N, not its edge q/N"
FIXED_BINS = "use num_bins, not a fixed 1000 bins"


def box_mistakes(box, width, height, num_bins, order):
    """{mistake: the box it decodes to} for `box`, a box decoded right (bin centres) in a scheme."""
    size = [width, height] * 2
    normalised = [v / s for v, s in zip(box, size)]
    return {
        EDGE: [v - 0.5 * s / num_bins for v, s in zip(box, size)],
        "follow the scheme's order: with 'yxyx' the tokens are y1 x1 y2 x2":
            [normalised[i] * s for i, s in zip((1, 0, 3, 2), size)] if order == "yxyx" else box,
        SWAPPED: [v * s for v, s in zip(normalised, [height, width] * 2)],
        FIXED_BINS: [v * num_bins / 1000 for v in box],
    }


def wrong_coordinates(output, expected, atol):
    """HINT and which coordinates of a box (or a list of boxes) are wrong, x or y only; else ""."""
    wrong = ~np.isclose(np.asarray(output, dtype=float), np.asarray(expected, dtype=float),
                        atol=atol, rtol=0).reshape(-1, 4)
    x, y = wrong[:, [0, 2]].any(), wrong[:, [1, 3]].any()
    if x != y:
        return f"{HINT}only the {'x' if x else 'y'} coordinates are wrong"
    return ""


def vocab_mistakes(num_bins, template):
    """{mistake: the vocabulary it gives} for location_vocabulary(num_bins, template)."""
    return {"the bins run from 0 to N−1, not from 1 to N": [template.format(q) for q in range(1, num_bins + 1)]}


def detections_match(expected, scheme):
    """Judge for parse_detections: same labels in the same order, boxes within 1e-6. scheme(case)
    -> (width, height, num_bins, order) of the call, to name a box decoding mistake."""

    def judge(case, output):
        if not isinstance(output, list) or not all(isinstance(d, dict) for d in output):
            return "parse_detections should return a list of dicts with 'label' and 'box'"
        labels = [d.get("label") for d in output]
        message = compare.equal(labels, [d["label"] for d in expected], "labels found")
        if message:
            return message + (_label_mistake(labels, [d["label"] for d in expected]) if bare_message(message) else "")
        boxes, want = [d.get("box") for d in output], [d["box"] for d in expected]
        message = compare.close(boxes, want, "boxes found", atol=1e-6)
        if bare_message(message):  # the boxes are numbers of the right shape: say which mistake or where
            mistakes = [box_mistakes(box, *scheme(case)) for box in want]
            return message + (diagnose(boxes, {hint: [m[hint] for m in mistakes] for hint in mistakes[0]})
                              or wrong_coordinates(boxes, want, 1e-6))
        return message

    return judge


def _label_mistake(labels, want):
    if len(labels) != len(want) or not all(isinstance(label, str) for label in labels):
        return ""
    if [label.strip() for label in labels] == want:
        return f"{HINT}strip the spaces around each label"
    return f"{HINT}wrong labels ({sum(a != b for a, b in zip(labels, want))} of {len(want)})"


def vocab_ends(ends):
    """The Florence-2 vocabulary's first two and last tokens, a mistake named when it explains them."""
    message = compare.equal(ends, ["<loc_0>", "<loc_1>", "<loc_999>"], "first and last tokens")
    return message and message + diagnose(ends, {hint: v[:2] + v[-1:]
                                                 for hint, v in vocab_mistakes(1000, "<loc_{}>").items()})


# ---------------------------------------------------------------- visible cases

def uniform(seed, n):
    rng = random.Random(seed)
    return [rng.random() for _ in range(n)]

DECODED = [9.92, 19.92, 639.68, 478.8]

CHECKS = [
    Check("q5.normalize.example", "call",
          expect_close([0.1, 0.1, 0.5, 0.5], "normalize_box", hint=SWAPPED),
          {"args": [[64, 48, 320, 240], 640, 480]}),
    Check("q5.quantize.example", "call",
          typed(list_of(int, "quantize"),
                expect_equal([0, 15, 500, 299], "quantize", hint=ROUND)),
          {"args": [[0.0, 0.015625, 0.5, 0.2999]], "kwargs": {"num_bins": 1000}}),
    Check("q5.quantize.clamp", "call",
          expect_equal([999, 0, 999, 999], "quantize at and beyond the range ends",
                       hint=CLAMP),
          {"args": [[1.0, -0.01, 1.2, 0.9999]], "kwargs": {"num_bins": 1000}}),
    Check("q5.dequantize.example", "call",
          expect_close([0.0005, 0.0155, 0.9995], "dequantize", hint="decode to the bin centre"),
          {"args": [[0, 15, 999]], "kwargs": {"num_bins": 1000}}),
    Check("q5.roundtrip.bound", "roundtrip", within_half_bin,
          {"values": uniform(5, 200), "num_bins": 1000}),
    Check("q5.tokens.florence_example", "call",
          expect_equal("<loc_15><loc_41><loc_999><loc_997>", "box_to_tokens",
                       hint="normalise, quantise, then write x1 y1 x2 y2"),
          {"args": [[10, 20, 639.9, 479], 640, 480]}),
    Check("q5.tokens.decode_example", "call",
          diagnosed(expect_close(DECODED, "tokens_to_box", atol=1e-3),
                    lambda case, output: diagnose(output, box_mistakes(DECODED, 640, 480, 1000, "xyxy"), atol=1e-3)
                    or wrong_coordinates(output, DECODED, 1e-3)),
          {"args": ["<loc_15><loc_41><loc_999><loc_997>", 640, 480]}),
    Check("q5.tokens.roundtrip", "tokens_roundtrip", boxes_within_half_bin,
          {"width": 640, "height": 480, "num_bins": 1000,
           "boxes": [[0, 0, 640, 480], [100.3, 50.7, 200.1, 300.9], [5, 470, 20, 479.5]]}),
    Check("q5.parse.example", "call",
          detections_match([{"label": "car", "box": [52.5, 333.5, 932.5, 774.5]},
                            {"label": "person", "box": [10.5, 20.5, 30.5, 40.5]}],
                           lambda case: (1000, 1000, 1000, "xyxy")),
          {"args": ["car<loc_52><loc_333><loc_932><loc_774>person<loc_10><loc_20><loc_30><loc_40></s>",
                    1000, 1000]}),
    Check("q5.vocab.florence", "call",
          lambda case, out: compare.first(
              compare.equal(len(out) if isinstance(out, list) else None, 1000, "number of tokens"),
              vocab_ends(out[:2] + out[-1:]),
              compare.equal(len(set(out)), 1000, "number of distinct tokens")),
          {"args": []}),
]
