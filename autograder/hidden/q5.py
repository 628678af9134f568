"""Hidden checks for Q5 (instructor-only: never shipped to learners, never imported in a kernel).

References are written from the Florence-2 / PaliGemma conventions in the shared notes; the
inputs are ones the learner has not seen: range ends, out-of-range values, degenerate boxes,
another resolution, the PaliGemma scheme (1024 bins, y-first, `<loc0000>`), garbage in text.
The `*_each` checks run every function on seeded inputs (call_each) so that no parameter keeps one
value: several num_bins (1 to 4096), both orders, templates with regex metacharacters, boxes out
of the image, values beyond [0, 1] and at bin edges, token strings with 0/2/3/5/6 tokens or another
scheme's tokens, labels with spaces around them and bins equal to num_bins; return types checked.

Generated inputs at the end: detection text, token strings and boxes
drawn from the formats' grammars (Hypothesis, a fixed seed), the smallest failing one named.
"""

import math
import random
import re
import string

import numpy as np
from hypothesis import strategies as st

from vlmkit.checks.q5 import (
    CLAMP,
    EDGE,
    FIXED_BINS,
    ROUND,
    SWAPPED,
    box_mistakes,
    detections_match,
    list_of,
    uniform,
    vocab_mistakes,
    within_half_bin,
    wrong_coordinates,
)
from vlmkit.grading.checking.generated import generated_calls, smallest_failing, strings
from vlmkit.grading.checking.judges import (
    HINT,
    call_reference,
    diagnose,
    diagnosed,
    match_reference,
    match_reference_each,
    reference_arguments,
)
from vlmkit.grading.checking.registry import Check

PALI = {"num_bins": 1024, "order": "yxyx", "template": "<loc{:04d}>"}


def ref_normalize(box, w, h):
    return [box[0] / w, box[1] / h, box[2] / w, box[3] / h]


def ref_quantize(values, num_bins=1000):
    return [min(max(math.floor(v * num_bins), 0), num_bins - 1) for v in values]


def ref_dequantize(bins, num_bins=1000):
    return [(q + 0.5) / num_bins for q in bins]


def _reorder(bins, order):
    return [bins[1], bins[0], bins[3], bins[2]] if order == "yxyx" else list(bins)


def ref_box_to_tokens(box, w, h, num_bins=1000, order="xyxy", template="<loc_{}>"):
    bins = _reorder(ref_quantize(ref_normalize(box, w, h), num_bins), order)
    return "".join(template.format(q) for q in bins)


def token_pattern(template):
    prefix, rest = template.split("{", 1)
    return re.escape(prefix) + r"(\d+)" + re.escape(rest.split("}", 1)[1])


def ref_tokens_to_box(tokens, w, h, num_bins=1000, order="xyxy", template="<loc_{}>"):
    bins = _reorder([int(q) for q in re.findall(token_pattern(template), tokens)], order)
    x1, y1, x2, y2 = ref_dequantize(bins, num_bins)
    return [x1 * w, y1 * h, x2 * w, y2 * h]


def ref_vocab(num_bins=1000, template="<loc_{}>"):
    return [template.format(q) for q in range(num_bins)]


def ref_parse(text, w, h, num_bins=1000, order="xyxy", template="<loc_{}>"):
    token = token_pattern(template)
    found = []
    for match in re.finditer(r"([A-Za-z][A-Za-z ]*?) *" + token * 4, text):
        bins = [int(q) for q in match.groups()[1:]]
        if max(bins) < num_bins:
            box = ref_tokens_to_box("".join(template.format(q) for q in bins), w, h, num_bins, order, template)
            found.append({"label": match.group(1).strip(), "box": box})
    return found


# ---------------------------------------------------------------- known mistakes (diagnoses)

def quantize_mistakes(values, num_bins):
    floor = [math.floor(v * num_bins) for v in values]
    return {ROUND: [min(max(round(v * num_bins), 0), num_bins - 1) for v in values],
            CLAMP: floor,
            f"{CLAMP}, not [0, N]": [min(max(q, 0), num_bins) for q in floor],
            FIXED_BINS: ref_quantize(values, 1000)}


def explain_normalize(call, output):
    box, w, h = reference_arguments(ref_normalize, call).values()
    right = ref_normalize(box, w, h)
    return diagnose(output, {
        SWAPPED: ref_normalize(box, h, w),
        "do not clip: a box sticking out of the image keeps values beyond [0, 1]":
            [min(max(v, 0.0), 1.0) for v in right],
        "divide x by the width and y by the height": box}) or wrong_coordinates(output, right, 1e-9)


def explain_quantize(call, output):
    a = reference_arguments(ref_quantize, call)
    values, num_bins = a["values"], a["num_bins"]
    found = diagnose(output, quantize_mistakes(values, num_bins))
    if found:
        return found
    wrong = [v for v, q, r in zip(values, output, ref_quantize(values, num_bins)) if q != r]
    inside = sum(0 <= v < 1 for v in wrong)
    return f"{HINT}wrong only for values outside [0, 1): {CLAMP}" if not inside else (
        f"{HINT}wrong for values inside [0, 1) ({inside} of them): floor(v * N)")


def explain_dequantize(call, output):
    a = reference_arguments(ref_dequantize, call)
    bins, num_bins = a["bins"], a["num_bins"]
    return diagnose(output, {EDGE: [q / num_bins for q in bins],
                             FIXED_BINS: ref_dequantize(bins, 1000)})


def _tokens(bins, order, template):
    try:
        return "".join(template.format(q) for q in _reorder(bins, order))
    except ValueError:  # a template with {:04d} refuses floats: no such output to match
        return None


def explain_encode(call, output):
    a = reference_arguments(ref_box_to_tokens, call)
    box, w, h, num_bins, order, template = a.values()
    right = ref_quantize(ref_normalize(box, w, h), num_bins)
    candidates = {hint: _tokens(bins, order, template)
                  for hint, bins in quantize_mistakes(ref_normalize(box, w, h), num_bins).items()}
    candidates |= {
        SWAPPED: _tokens(ref_quantize(ref_normalize(box, h, w), num_bins), order, template),
        "follow the scheme's order: with 'yxyx' write y1 x1 y2 x2": _tokens(right, "xyxy", template),
        "quantize must return ints": _tokens([float(q) for q in right], order, template)}
    found = diagnose(output, candidates)
    if found or not isinstance(output, str):
        return found
    written = re.findall(token_pattern(template), output)
    if len(written) != 4:
        return f"{HINT}it should hold 4 tokens written with the template"
    names = _reorder(["x1", "y1", "x2", "y2"], order)
    wrong = [name for name, q, r in zip(names, written, _reorder(right, order)) if int(q) != r]
    if not wrong:
        return f"{HINT}the 4 tokens are right: return them alone, joined with nothing between them"
    return f"{HINT}wrong tokens for {', '.join(wrong)}"


def explain_decode(call, output):
    a = reference_arguments(ref_tokens_to_box, call)
    right = call_reference(ref_tokens_to_box, call)
    return (diagnose(output, box_mistakes(right, a["w"], a["h"], a["num_bins"], a["order"]), atol=1e-6)
            or wrong_coordinates(output, right, 1e-6))


def explain_vocab(call, output):
    a = reference_arguments(ref_vocab, call)
    return diagnose(output, vocab_mistakes(a["num_bins"], a["template"]))


def parse_scheme(call):
    a = reference_arguments(ref_parse, call)
    return a["w"], a["h"], a["num_bins"], a["order"]


# (num_bins, order, template): Florence-2, PaliGemma, Kosmos-2-like, and schemes whose template
# holds regex metacharacters ("|", "[", "]") or another zero padding.
SCHEMES = [(1000, "xyxy", "<loc_{}>"), (1024, "yxyx", "<loc{:04d}>"), (100, "xyxy", "<|loc_{}|>"),
           (32, "yxyx", "[{}]"), (2048, "xyxy", "<patch_index_{:05d}>"), (7, "yxyx", "<loc_{}>"),
           (500, "yxyx", "<|box_{:03d}|>"), (1, "xyxy", "<loc_{}>")]


def scheme_kwargs(rng, scheme, w, h):
    """A call's kwargs for a scheme; the Florence-2 defaults are sometimes left to the signature."""
    num_bins, order, template = scheme
    kwargs = {"num_bins": num_bins, "order": order, "template": template}
    if scheme == SCHEMES[0] and rng.random() < 0.5:
        kwargs = {}
    return {"args": [w, h], "kwargs": kwargs}


def random_box(rng, w, h, spill=0.25):
    """A pixel box, sometimes sticking out of the image on any side."""
    def coord(limit):
        return round(rng.uniform(-spill * limit, (1 + spill) * limit), rng.choice([0, 2, 4]))
    return [coord(w), coord(h), coord(w), coord(h)]


def normalize_calls(seed=50, n=14):
    rng = random.Random(seed)
    calls = []
    for _ in range(n):
        w, h = rng.randint(16, 4000), rng.randint(16, 4000)
        calls.append({"args": [random_box(rng, w, h, spill=0.6), w, h]})
    return calls


def quantize_calls(seed=51):
    rng = random.Random(seed)
    calls = []
    for num_bins in (1000, 1024, 1, 2, 7, 100, 333, 4096, 1000, 1024):
        values = [rng.uniform(-0.5, 1.5) for _ in range(rng.randint(1, 6))]
        values += [0.0, 1.0, rng.randint(0, num_bins) / num_bins, -1e-9, 1 + 1e-9, 1 - 1e-12]
        rng.shuffle(values)
        calls.append({"args": [values], "kwargs": {"num_bins": num_bins}} if rng.random() < 0.7
                     else {"args": [values, num_bins]})
    calls.append({"args": [[rng.uniform(-0.2, 1.2) for _ in range(8)]]})  # the default, 1000
    return calls


def dequantize_calls(seed=52):
    rng = random.Random(seed)
    calls = []
    for num_bins in (1000, 1024, 1, 2, 7, 100, 333, 4096):
        bins = sorted({0, num_bins - 1, *(rng.randrange(num_bins) for _ in range(5))})
        calls.append({"args": [bins], "kwargs": {"num_bins": num_bins}})
    calls.append({"args": [[0, 1, 500, 998, 999]]})  # the default, 1000
    return calls


def encode_calls(seed=53):
    rng = random.Random(seed)
    calls = []
    for scheme in SCHEMES * 2:
        w, h = rng.randint(16, 3000), rng.randint(16, 3000)
        call = scheme_kwargs(rng, scheme, w, h)
        call["args"].insert(0, random_box(rng, w, h))
        calls.append(call)
    return calls


def decode_calls(seed=54):
    rng = random.Random(seed)
    calls = []
    for scheme in SCHEMES * 2:
        num_bins, _, template = scheme
        w, h = rng.randint(16, 3000), rng.randint(16, 3000)
        call = scheme_kwargs(rng, scheme, w, h)
        bins = [rng.choice([0, num_bins - 1, rng.randrange(num_bins)]) for _ in range(4)]
        call["args"].insert(0, "".join(template.format(q) for q in bins))
        calls.append(call)
    return calls


def bad_token_calls(seed=55):
    """Strings that do not hold exactly 4 tokens of the call's template: 0, 2, 3, 5 and 6 tokens,
    and 4 tokens of another scheme's template; both orders."""
    rng = random.Random(seed)
    calls = []
    for count in (0, 2, 3, 5, 6, 3, 5):
        for scheme in (SCHEMES[0], SCHEMES[1], SCHEMES[3]):
            num_bins, _, template = scheme
            call = scheme_kwargs(rng, scheme, rng.randint(16, 3000), rng.randint(16, 3000))
            call["args"].insert(0, "".join(template.format(rng.randrange(num_bins)) for _ in range(count)))
            calls.append(call)
    for scheme, other in ((SCHEMES[0], SCHEMES[1]), (SCHEMES[1], SCHEMES[0]), (SCHEMES[2], SCHEMES[6])):
        call = scheme_kwargs(rng, scheme, 640, 480)
        call["args"].insert(0, "".join(other[2].format(rng.randrange(7)) for _ in range(4)))
        calls.append(call)
    return calls


WORDS = ["car", "person", "dog", "red", "traffic", "light", "Cup", "a", "TV", "zebra", "of", "bottle"]
SEPARATORS = ["", " ", "</s>", "<s>", " ; ", "\n", ", ", ". ", "<pad>"]


def detection_text(rng, scheme):
    """Generated text mixing detections (labels with spaces around them, at range ends),
    incomplete groups, special tokens, and detections with a bin at or beyond num_bins."""
    num_bins, _, template = scheme
    parts = [rng.choice(["", "<s>", "detect " + rng.choice(WORDS) + " ; "])]
    for _ in range(rng.randint(1, 5)):
        label = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
        kind = rng.choice(["ok", "ok", "ok", "partial", "out"])
        count = rng.randint(1, 3) if kind == "partial" else 4
        bins = [rng.choice([0, num_bins - 1, rng.randrange(num_bins)]) for _ in range(count)]
        if kind == "out":
            bins[rng.randrange(4)] = rng.choice([num_bins, num_bins, num_bins + rng.randint(1, 50)])
        tokens = "".join(template.format(q) for q in bins)
        parts.append(" " * rng.randint(0, 2) + label + " " * rng.randint(0, 3) + tokens)
        parts.append(rng.choice(SEPARATORS[2:]) if kind == "partial" else rng.choice(SEPARATORS))
    parts.append(rng.choice(["", "</s>"]))
    return "".join(parts)


def parse_calls(seed=56):
    rng = random.Random(seed)
    calls = []
    for scheme in SCHEMES[:7] * 2:
        w, h = rng.randint(16, 3000), rng.randint(16, 3000)
        call = scheme_kwargs(rng, scheme, w, h)
        call["args"].insert(0, detection_text(rng, scheme))
        calls.append(call)
    return calls


def vocab_calls():
    calls = [{"args": []}, {"args": [1024, "<loc{:04d}>"]}]
    calls += [{"args": [n], "kwargs": {"template": t}} for n, _, t in SCHEMES[2:]]
    calls += [{"args": [n]} for n in (1, 7, 256)]
    return calls


def each(reference, what, explain, type_message=None, **options):
    """match_reference_each, with every output's return type checked first (message names it)."""
    judge = match_reference_each(reference, what, explain, **options)

    def typed_each(case, output):
        if type_message and isinstance(output, list):
            wrong = [m for m in map(type_message, output) if m]
            if wrong:
                return f"{wrong[0]} (on {len(wrong)} of {len(case['calls'])} unseen inputs)"
        return judge(case, output)

    return typed_each


def floats(what):
    """dequantize's docstring says "as floats": a list of floats or a float numpy array."""
    def message(output):
        if isinstance(output, np.ndarray) and output.dtype.kind == "f" and output.ndim == 1:
            return None
        return list_of(float, what)(output) and f"{what} should return floats (check the return type)"
    return message


def all_value_errors(case, output):
    if not isinstance(output, list) or len(output) != len(case["calls"]):
        return "tokens_to_box: expected one result per input"
    wrong = sum(out != "ValueError" for out in output)
    if not wrong:
        return None
    return (f"tokens_to_box should raise ValueError when the string does not hold exactly 4 "
            f"tokens of its template (on {wrong} of {len(output)} unseen inputs)")


def parse_each(case, output):
    """Every call: the reference's detections (labels equal, boxes within 1e-6), in text order."""
    calls = case["calls"]
    if not isinstance(output, list) or len(output) != len(calls):
        return "parse_detections: expected one result per input"
    failures = [detections_match(call_reference(ref_parse, c), parse_scheme)(c, out)
                for c, out in zip(calls, output)]
    failures = [m for m in failures if m]
    return f"{failures[0]} (on {len(failures)} of {len(calls)} unseen inputs)" if failures else None


PARSE_TEXT = ("<s>a red car <loc_100><loc_200><loc_300><loc_400> junk <loc_1><loc_2> "
              "dog<loc_1><loc_2><loc_3><loc_1200>traffic light<loc_0><loc_0><loc_999><loc_999></s>")
PALI_TEXT = "detect cat ; dog\ncat <loc0512><loc0256><loc1023><loc0768> ; dog<loc0000><loc0010><loc0020>"

CHECKS = [
    Check("q5.hidden.normalize", "call",
          diagnosed(match_reference(ref_normalize, "normalize_box", exact=False), explain_normalize),
          {"args": [[0, 0, 1920, 1080], 1920, 1080]}),
    Check("q5.hidden.quantize", "call",
          diagnosed(match_reference(ref_quantize, "quantize (unseen values)"), explain_quantize),
          {"args": [[0.0, 0.0004, 0.001, 0.4567, 0.99999, 1.0, 1.5, -3.0]], "kwargs": {"num_bins": 1000}}),
    Check("q5.hidden.quantize_1024", "call",
          diagnosed(match_reference(ref_quantize, "quantize with 1024 bins"), explain_quantize),
          {"args": [[0.0, 0.5, 0.7501, 1.0, 0.00097]], "kwargs": {"num_bins": 1024}}),
    Check("q5.hidden.dequantize", "call",
          diagnosed(match_reference(ref_dequantize, "dequantize (other bins)", exact=False), explain_dequantize),
          {"args": [[0, 511, 1023]], "kwargs": {"num_bins": 1024}}),
    Check("q5.hidden.roundtrip_1024", "roundtrip", within_half_bin,
          {"values": uniform(17, 300), "num_bins": 1024}),
    Check("q5.hidden.tokens_encode", "call",
          diagnosed(match_reference(ref_box_to_tokens, "box_to_tokens"), explain_encode),
          {"args": [[0, 0, 1000, 333], 1000, 333]}),
    Check("q5.hidden.tokens_paligemma", "call",
          diagnosed(match_reference(ref_box_to_tokens, "box_to_tokens (PaliGemma scheme)"), explain_encode),
          {"args": [[100, 20, 300, 220], 400, 300], "kwargs": PALI}),
    Check("q5.hidden.tokens_decode", "call",
          diagnosed(match_reference(ref_tokens_to_box, "tokens_to_box (PaliGemma scheme)", exact=False, atol=1e-6),
                    explain_decode),
          {"args": ["<loc0100><loc0900><loc0200><loc1023>", 800, 600], "kwargs": PALI}),
    Check("q5.hidden.tokens_decode_bad", "raises",
          lambda case, out: None if out == "ValueError" else
          f"tokens_to_box on a string with 3 tokens should raise ValueError, raised {out}",
          {"args": ["<loc_1><loc_2><loc_3>", 100, 100]}),
    Check("q5.hidden.parse_garbage", "call",
          detections_match([{"label": "a red car", "box": [100.5, 200.5, 300.5, 400.5]},
                            {"label": "traffic light", "box": [0.5, 0.5, 999.5, 999.5]}], parse_scheme),
          {"args": [PARSE_TEXT, 1000, 1000]}),
    Check("q5.hidden.parse_paligemma", "call",
          detections_match([{"label": "cat", "box": [ref_tokens_to_box(
              "<loc0512><loc0256><loc1023><loc0768>", 512, 512, **PALI)][0]}], parse_scheme),
          {"args": [PALI_TEXT, 512, 512], "kwargs": PALI}),
    Check("q5.hidden.vocab_paligemma", "call",
          diagnosed(match_reference(ref_vocab, "location_vocabulary"), explain_vocab),
          {"args": [1024, "<loc{:04d}>"]}),
    # Seeded inputs for every parameter: several num_bins, both orders, other templates (with
    # regex metacharacters), boxes and values beyond [0, 1], labels with spaces around them.
    Check("q5.hidden.normalize_each", "call_each",
          each(ref_normalize, "normalize_box (boxes in and out of the image)", explain_normalize,
               list_of(float, "normalize_box"),
               exact=False, atol=1e-9, rtol=1e-9),
          {"calls": normalize_calls()}),
    Check("q5.hidden.quantize_each", "call_each",
          each(ref_quantize, "quantize (several num_bins, range ends)", explain_quantize, list_of(int, "quantize")),
          {"calls": quantize_calls()}),
    Check("q5.hidden.dequantize_each", "call_each",
          each(ref_dequantize, "dequantize (several num_bins)", explain_dequantize, floats("dequantize"),
               exact=False, atol=1e-12, rtol=1e-9),
          {"calls": dequantize_calls()}),
    Check("q5.hidden.tokens_encode_each", "call_each",
          each(ref_box_to_tokens, "box_to_tokens (several schemes)", explain_encode), {"calls": encode_calls()}),
    Check("q5.hidden.tokens_decode_each", "call_each",
          each(ref_tokens_to_box, "tokens_to_box (several schemes)", explain_decode, exact=False, atol=1e-6),
          {"calls": decode_calls()}),
    Check("q5.hidden.tokens_decode_bad_each", "raises_each", all_value_errors, {"calls": bad_token_calls()}),
    Check("q5.hidden.parse_each", "call_each",
          parse_each,
          {"calls": parse_calls()}),
    Check("q5.hidden.vocab_each", "call_each",
          each(ref_vocab, "location_vocabulary (several schemes)", explain_vocab,
               list_of(str, "location_vocabulary")),
          {"calls": vocab_calls()}),
]


# ---------------------------------------------------------------- generated inputs (the location-token strings)
# Drawn by Hypothesis in the grader (vlmkit.grading.checking.generated), simplest first; a failure quotes the
# smallest failing input. Generated text for parse_detections: labels with digits, underscores or
# spaces right before the tokens ("traffic_light2 <loc_1>…": the label is the run of letters and
# spaces that starts with a letter and ends at the tokens, so "dog2" has none), garbage and special
# tokens, incomplete groups, bins at and beyond the range's ends, every scheme. No newline or tab
# (the markdown allows only spaces between a label and its tokens) and no parentheses (the message
# quotes the input inside its "(on k of n …)" aside).

LABEL = strings(string.ascii_letters + string.digits + "_  ", 1, 14)
GARBAGE = st.one_of(st.sampled_from(["", "", "<s>", "</s>", " ; ", ", ", ". ", "<pad>", "detect ", "x2_", "7 "]),
                    strings(string.ascii_letters + string.digits + "_ ;,.", 1, 6))


@st.composite
def schemes(draw):
    """A scheme and an image size, as the call's last args and its kwargs (the defaults at times)."""
    scheme = draw(st.sampled_from(SCHEMES))
    num_bins, order, template = scheme
    kwargs = {} if scheme == SCHEMES[0] and draw(st.booleans()) else {
        "num_bins": num_bins, "order": order, "template": template}
    return [draw(st.integers(1, 3000)), draw(st.integers(1, 3000))], kwargs, scheme


@st.composite
def detection_texts(draw):
    (w, h), kwargs, (num_bins, _, template) = draw(schemes())
    bins = st.one_of(st.sampled_from([0, num_bins - 1, num_bins]), st.integers(0, num_bins + 5))
    parts = []
    for _ in range(draw(st.integers(0, 5))):
        count = draw(st.sampled_from([4, 4, 4, 1, 2, 3, 5]))
        tokens = "".join(template.format(q) for q in draw(st.lists(bins, min_size=count, max_size=count)))
        parts.append(draw(GARBAGE) + draw(LABEL) + " " * draw(st.integers(0, 2)) + tokens)
    return {"args": ["".join(parts) + draw(st.sampled_from(["", "</s>", "<pad>"])), w, h], "kwargs": kwargs}


@st.composite
def token_strings(draw):
    """Exactly 4 tokens of the call's template, bins anywhere in [0, num_bins - 1]."""
    (w, h), kwargs, (num_bins, _, template) = draw(schemes())
    bins = st.one_of(st.sampled_from([0, num_bins - 1]), st.integers(0, num_bins - 1))
    return {"args": ["".join(template.format(q) for q in draw(st.lists(bins, min_size=4, max_size=4))), w, h],
            "kwargs": kwargs}


@st.composite
def boxes(draw):
    """Pixel boxes in hundredths, sometimes out of the image, or on a bin's edge."""
    (w, h), kwargs, (num_bins, _, _) = draw(schemes())

    def coordinate(size):
        return st.one_of(st.integers(-size * 25, size * 125).map(lambda v: v / 100),
                         st.integers(0, num_bins).map(lambda q: q * size / num_bins))

    return {"args": [[draw(coordinate(w)), draw(coordinate(h)), draw(coordinate(w)), draw(coordinate(h))], w, h],
            "kwargs": kwargs}


CHECKS += [
    Check("q5.hidden.parse_generated", "call_each_caught",
          smallest_failing(lambda call, out: detections_match(call_reference(ref_parse, call), parse_scheme)(call, out),
                           "parse_detections"),
          {"calls": generated_calls("q5.parse_detections", detection_texts(), 60)}),
    Check("q5.hidden.tokens_decode_generated", "call_each_caught",
          smallest_failing(diagnosed(match_reference(ref_tokens_to_box, "tokens_to_box", exact=False, atol=1e-6),
                                     explain_decode), "tokens_to_box"),
          {"calls": generated_calls("q5.tokens_to_box", token_strings(), 30)}),
    Check("q5.hidden.tokens_encode_generated", "call_each_caught",
          smallest_failing(diagnosed(match_reference(ref_box_to_tokens, "box_to_tokens"), explain_encode),
                           "box_to_tokens"),
          {"calls": generated_calls("q5.box_to_tokens", boxes(), 30)}),
]
