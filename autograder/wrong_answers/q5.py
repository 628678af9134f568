"""Realistic wrong answers to Q5, and the test cells each one must lose.

Each entry: (name, answer cell grade_id, the wrong cell's source, test cells that lose points).
Used by tests/grading/authoring/test_wrong_answers.py and by the `mistakes` example submission (first entry).
"""

from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import mistake as _mistake
from vlmkit.grading.authoring.answer_banks import solution_answers as _solution_answers

_SOLVED = _solution_answers(paths.SOLUTIONS / "checkpoint" / "q5_coordinate_tokens.ipynb")

NORMALIZE_QUANTIZE = '''
def normalize_box(box, width, height):
    x1, y1, x2, y2 = box
    return [x1 / width, y1 / height, x2 / width, y2 / height]


def quantize(values, num_bins=1000):
    return [min(max({rounding}, 0), num_bins - 1) for v in values]
'''

WRONG = [
    ("round instead of floor", "q5_normalize_quantize",
     NORMALIZE_QUANTIZE.format(rounding="round(v * num_bins)"),
     {"q5_test_normalize_quantize", "q5_test_dequantize", "q5_test_tokens"}),
    ("no clamping", "q5_normalize_quantize", '''
def normalize_box(box, width, height):
    x1, y1, x2, y2 = box
    return [x1 / width, y1 / height, x2 / width, y2 / height]


def quantize(values, num_bins=1000):
    return [math.floor(v * num_bins) for v in values]
''', {"q5_test_normalize_quantize", "q5_test_tokens"}),
    ("x divided by height", "q5_normalize_quantize", '''
def normalize_box(box, width, height):
    x1, y1, x2, y2 = box
    return [x1 / height, y1 / width, x2 / height, y2 / width]


def quantize(values, num_bins=1000):
    return [min(max(math.floor(v * num_bins), 0), num_bins - 1) for v in values]
''', {"q5_test_normalize_quantize", "q5_test_tokens"}),
    ("decode to bin edge, not centre", "q5_dequantize", '''
def dequantize(bins, num_bins=1000):
    return [q / num_bins for q in bins]
''', {"q5_test_dequantize", "q5_test_tokens", "q5_test_parse_vocab"}),
    ("scheme order ignored", "q5_tokens", '''
def box_to_tokens(box, width, height, num_bins=1000, order="xyxy", template="<loc_{}>"):
    bins = quantize(normalize_box(box, width, height), num_bins)
    return "".join(template.format(q) for q in bins)


def token_pattern(template):
    prefix, rest = template.split("{", 1)
    suffix = rest.split("}", 1)[1]
    return re.escape(prefix) + r"(\\d+)" + re.escape(suffix)


def tokens_to_box(tokens, width, height, num_bins=1000, order="xyxy", template="<loc_{}>"):
    bins = [int(q) for q in re.findall(token_pattern(template), tokens)]
    if len(bins) != 4:
        raise ValueError(f"expected 4 location tokens, found {len(bins)}")
    x1, y1, x2, y2 = dequantize(bins, num_bins)
    return [x1 * width, y1 * height, x2 * width, y2 * height]
''', {"q5_test_tokens", "q5_test_parse_vocab"}),
    ("vocabulary off by one", "q5_parse_vocab", '''
def parse_detections(text, width, height, num_bins=1000, order="xyxy", template="<loc_{}>"):
    pattern = r"([A-Za-z][A-Za-z ]*?)\\s*" + token_pattern(template) * 4
    detections = []
    for match in re.finditer(pattern, text):
        bins = [int(q) for q in match.groups()[1:]]
        if max(bins) >= num_bins:
            continue
        tokens = "".join(template.format(q) for q in bins)
        box = tokens_to_box(tokens, width, height, num_bins, order, template)
        detections.append({"label": match.group(1).strip(), "box": box})
    return detections


def location_vocabulary(num_bins=1000, template="<loc_{}>"):
    return [template.format(q) for q in range(1, num_bins + 1)]
''', {"q5_test_parse_vocab"}),
    ("out-of-range tokens kept", "q5_parse_vocab", '''
def parse_detections(text, width, height, num_bins=1000, order="xyxy", template="<loc_{}>"):
    pattern = r"([A-Za-z][A-Za-z ]*?)\\s*" + token_pattern(template) * 4
    detections = []
    for match in re.finditer(pattern, text):
        tokens = "".join(template.format(int(q)) for q in match.groups()[1:])
        box = tokens_to_box(tokens, width, height, num_bins, order, template)
        detections.append({"label": match.group(1).strip(), "box": box})
    return detections


def location_vocabulary(num_bins=1000, template="<loc_{}>"):
    return [template.format(q) for q in range(num_bins)]
''', {"q5_test_parse_vocab"}),
]

# Mistakes the seeded hidden checks (several schemes, boxes out of the image, labels with spaces
# around them, bins at num_bins) catch; each is the solution with one edit.


WRONG += [
    ("normalize_box clips to [0, 1]", "q5_normalize_quantize", _mistake(
        _SOLVED["q5_normalize_quantize"],
        ("return [x1 / width, y1 / height, x2 / width, y2 / height]",
         "return [min(max(v, 0.0), 1.0) for v in (x1 / width, y1 / height, x2 / width, y2 / height)]")),
     {"q5_test_normalize_quantize"}),
    ("quantize returns floats", "q5_normalize_quantize", _mistake(
        _SOLVED["q5_normalize_quantize"],
        ("return [min(max(math.floor(v * num_bins), 0), num_bins - 1) for v in values]",
         "return [float(min(max(math.floor(v * num_bins), 0), num_bins - 1)) for v in values]")),
     {"q5_test_normalize_quantize", "q5_test_tokens"}),
    ("quantize ignores num_bins", "q5_normalize_quantize", _mistake(
        _SOLVED["q5_normalize_quantize"],
        ("min(max(math.floor(v * num_bins), 0), num_bins - 1)", "min(max(math.floor(v * 1000), 0), 999)")),
     {"q5_test_normalize_quantize", "q5_test_dequantize", "q5_test_tokens"}),
    ("template not escaped in the regex", "q5_tokens", _mistake(
        _SOLVED["q5_tokens"],
        ('return re.escape(prefix) + r"(\\d+)" + re.escape(suffix)', 'return prefix + r"(\\d+)" + suffix')),
     {"q5_test_tokens", "q5_test_parse_vocab"}),
    ("more than 4 tokens accepted", "q5_tokens", _mistake(
        _SOLVED["q5_tokens"], ("if len(bins) != 4:", "if len(bins) < 4:"),
        ("x1, y1, x2, y2 = dequantize(bins, num_bins)", "x1, y1, x2, y2 = dequantize(bins[:4], num_bins)")),
     {"q5_test_tokens"}),
    ("labels not stripped", "q5_parse_vocab", _mistake(
        _SOLVED["q5_parse_vocab"],
        ('pattern = r"([A-Za-z][A-Za-z ]*?)\\s*" + token_pattern(template) * 4',
         'pattern = r"([A-Za-z][A-Za-z ]*)" + token_pattern(template) * 4'),
        ('"label": match.group(1).strip()', '"label": match.group(1)')),
     {"q5_test_parse_vocab"}),
    ("bin equal to num_bins kept", "q5_parse_vocab", _mistake(
        _SOLVED["q5_parse_vocab"], ("if max(bins) >= num_bins:", "if max(bins) > num_bins:")),
     {"q5_test_parse_vocab"}),
]

# Mistakes only the behavioural contracts (grading/checking/contracts.py) catch: the values are right.
WRONG += [
    ("normalize_box scales the caller's box in place", "q5_normalize_quantize", _mistake(
        _SOLVED["q5_normalize_quantize"],
        ("    x1, y1, x2, y2 = box\n    return [x1 / width, y1 / height, x2 / width, y2 / height]",
         "    for i, size in enumerate((width, height, width, height)):\n        box[i] = box[i] / size\n"
         "    return box")),
     {"q5_test_normalize_quantize", "q5_test_tokens"}),
]

# Caught only by the generated text (hidden/q5.py, "generated inputs"): digits and underscores next
# to a label ("traffic_light <loc_…>" is the label "light", "dog2<loc_…>" no detection).
WRONG += [
    ("label read as word characters, digits and underscores included", "q5_parse_vocab", _mistake(
        _SOLVED["q5_parse_vocab"],
        ('pattern = r"([A-Za-z][A-Za-z ]*?)\\s*"', 'pattern = r"([A-Za-z][\\w ]*?)\\s*"')),
     {"q5_test_parse_vocab"}),
]
