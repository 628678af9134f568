"""Correct answers to Q5 written differently from the solution; each must keep full marks.

Each entry: (name, answer cell grade_id, the cell's full source).
"""

CORRECT = [
    ("numpy quantize, int() truncation (same after the clamp)", "q5_normalize_quantize", '''
import numpy as np


def normalize_box(box, width, height):
    scale = [width, height, width, height]
    return [float(v) / s for v, s in zip(box, scale)]


def quantize(values, num_bins=1000):
    scaled = (np.asarray(values, dtype=float) * num_bins).astype(np.int64)
    return np.clip(scaled, 0, num_bins - 1).tolist()
'''),
    ("dequantize returns a float numpy array (the docstring says floats, not a list)", "q5_dequantize", '''
import numpy as np


def dequantize(bins, num_bins=1000):
    return (np.asarray(bins) + 0.5) / num_bins
'''),
    ("template split with a regex, order as an index table", "q5_tokens", '''
ORDERS = {"xyxy": (0, 1, 2, 3), "yxyx": (1, 0, 3, 2)}


def box_to_tokens(box, width, height, num_bins=1000, order="xyxy", template="<loc_{}>"):
    bins = quantize(normalize_box(box, width, height), num_bins)
    return "".join(template.format(bins[i]) for i in ORDERS[order])


def token_pattern(template):
    before, after = re.split(r"\\{[^{}]*\\}", template)
    return re.escape(before) + r"(\\d+)" + re.escape(after)


def tokens_to_box(tokens, width, height, num_bins=1000, order="xyxy", template="<loc_{}>"):
    found = re.findall(token_pattern(template), tokens)
    if len(found) != 4:
        raise ValueError("tokens_to_box needs exactly 4 location tokens")
    bins = [int(found[i]) for i in ORDERS[order]]  # the swap is its own inverse
    x1, y1, x2, y2 = dequantize(bins, num_bins)
    return [x1 * width, y1 * height, x2 * width, y2 * height]
'''),
    ("greedy label then strip, range test on every bin", "q5_parse_vocab", '''
def parse_detections(text, width, height, num_bins=1000, order="xyxy", template="<loc_{}>"):
    token = token_pattern(template)
    detections = []
    for match in re.finditer(r"([A-Za-z][A-Za-z ]*)((?:" + token.replace("(", "(?:", 1) + "){4})", text):
        bins = [int(q) for q in re.findall(token, match.group(2))]
        if all(0 <= q < num_bins for q in bins):
            box = tokens_to_box(match.group(2), width, height, num_bins, order, template)
            detections.append({"label": match.group(1).strip(), "box": box})
    return detections


def location_vocabulary(num_bins=1000, template="<loc_{}>"):
    return list(map(template.format, range(num_bins)))
'''),
]
