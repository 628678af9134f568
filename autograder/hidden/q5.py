"""Hidden checks for Q5 (instructor-only: never shipped to learners, never imported in a kernel).

References are written from the Florence-2 / PaliGemma conventions in the shared notes; the
inputs are ones the learner has not seen: range ends, out-of-range values, degenerate boxes,
another resolution, the PaliGemma scheme (1024 bins, y-first, `<loc0000>`), garbage in text.
"""

import math
import re

from vlmkit.checks.q5 import detections_match, uniform, within_half_bin
from vlmkit.grading.judges import match_reference
from vlmkit.grading.registry import Check

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


def ref_tokens_to_box(tokens, w, h, num_bins=1000, order="xyxy", template="<loc_{}>"):
    prefix, rest = template.split("{", 1)
    pattern = re.escape(prefix) + r"(\d+)" + re.escape(rest.split("}", 1)[1])
    bins = _reorder([int(q) for q in re.findall(pattern, tokens)], order)
    x1, y1, x2, y2 = ref_dequantize(bins, num_bins)
    return [x1 * w, y1 * h, x2 * w, y2 * h]


def ref_vocab(num_bins=1000, template="<loc_{}>"):
    return [template.format(q) for q in range(num_bins)]


PARSE_TEXT = ("<s>a red car <loc_100><loc_200><loc_300><loc_400> junk <loc_1><loc_2> "
              "dog<loc_1><loc_2><loc_3><loc_1200>traffic light<loc_0><loc_0><loc_999><loc_999></s>")
PALI_TEXT = "detect cat ; dog\ncat <loc0512><loc0256><loc1023><loc0768> ; dog<loc0000><loc0010><loc0020>"

CHECKS = [
    Check("q5.hidden.normalize", "call", match_reference(ref_normalize, "normalize_box", exact=False),
          {"args": [[0, 0, 1920, 1080], 1920, 1080]}),
    Check("q5.hidden.quantize", "call", match_reference(ref_quantize, "quantize (unseen values)"),
          {"args": [[0.0, 0.0004, 0.001, 0.4567, 0.99999, 1.0, 1.5, -3.0]], "kwargs": {"num_bins": 1000}}),
    Check("q5.hidden.quantize_1024", "call", match_reference(ref_quantize, "quantize with 1024 bins"),
          {"args": [[0.0, 0.5, 0.7501, 1.0, 0.00097]], "kwargs": {"num_bins": 1024}}),
    Check("q5.hidden.dequantize", "call",
          match_reference(ref_dequantize, "dequantize (other bins)", exact=False),
          {"args": [[0, 511, 1023]], "kwargs": {"num_bins": 1024}}),
    Check("q5.hidden.roundtrip_1024", "roundtrip", within_half_bin,
          {"values": uniform(17, 300), "num_bins": 1024}),
    Check("q5.hidden.tokens_encode", "call", match_reference(ref_box_to_tokens, "box_to_tokens"),
          {"args": [[0, 0, 1000, 333], 1000, 333]}),
    Check("q5.hidden.tokens_paligemma", "call",
          match_reference(ref_box_to_tokens, "box_to_tokens (PaliGemma scheme)"),
          {"args": [[100, 20, 300, 220], 400, 300], "kwargs": PALI}),
    Check("q5.hidden.tokens_decode", "call",
          match_reference(ref_tokens_to_box, "tokens_to_box (PaliGemma scheme)", exact=False, atol=1e-6),
          {"args": ["<loc0100><loc0900><loc0200><loc1023>", 800, 600], "kwargs": PALI}),
    Check("q5.hidden.tokens_decode_bad", "raises",
          lambda case, out: None if out == "ValueError" else
          f"tokens_to_box on a string with 3 tokens should raise ValueError, raised {out}",
          {"args": ["<loc_1><loc_2><loc_3>", 100, 100]}),
    Check("q5.hidden.parse_garbage", "call",
          detections_match([{"label": "a red car", "box": [100.5, 200.5, 300.5, 400.5]},
                            {"label": "traffic light", "box": [0.5, 0.5, 999.5, 999.5]}]),
          {"args": [PARSE_TEXT, 1000, 1000]}),
    Check("q5.hidden.parse_paligemma", "call",
          detections_match([{"label": "cat", "box": [ref_tokens_to_box(
              "<loc0512><loc0256><loc1023><loc0768>", 512, 512, **PALI)][0]}]),
          {"args": [PALI_TEXT, 512, 512], "kwargs": PALI}),
    Check("q5.hidden.vocab_paligemma", "call", match_reference(ref_vocab, "location_vocabulary"),
          {"args": [1024, "<loc{:04d}>"]}),
]
