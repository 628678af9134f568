"""Hidden checks for Q2 (instructor-only). The losses are compared with open_clip's SigLipLoss
and ClipLoss, computed here in the grader's process, gradients included.

Unseen inputs: other batch sizes and widths, a positive bias and another scale (and the
gradients of SigLipScale there), a single pair,
float64, one device (the ring is the plain loss), one pair per device (1 × 1 blocks), more
devices, and the all-gathered CLIP loss with gradients.
"""

import math

import numpy as np
import torch.nn.functional as F

from vlmkit.checks.q1 import as_double, grads_match, scalar
from vlmkit.checks.q2 import (
    SIGLIP_INPUTS,
    features,
    gathered_matches,
    labels_match,
    local_clip_matches,
    pair_mistakes,
    pairs_decompose,
    ring_blocks,
    ring_matches,
    siglip_loss_matches,
)
from vlmkit.grading.checking import compare
from vlmkit.grading.checking.judges import diagnose
from vlmkit.grading.checking.registry import Check


def pair_grads_match(case, output):
    image, text, t, b = (as_double(a).requires_grad_() for a in case["tensors"])
    total = sum(-F.logsigmoid((1.0 if i == j else -1.0) * (t * image[i] @ text[j] + b)) for i, j in case["pairs"])
    total.backward()
    message = compare.close(output["loss"], total.item(), "the sum of pair_loss over some pairs")
    if message:
        rows, cols = np.transpose(case["pairs"])
        return message + diagnose(output["loss"], {hint: terms[rows, cols].sum() for hint, terms
                                                   in pair_mistakes(*case["tensors"]).items()})
    return grads_match(output, [x.grad.numpy() for x in (image, text, t, b)], SIGLIP_INPUTS, "pair_loss")


def scale_follows_parameters(case, output):
    """(t, b) = (exp(log_scale), bias) whatever values the parameters hold, and d(t + b) reaches
    both: exp(log_scale) for log_scale, 1 for the bias."""
    expected = [[math.exp(log_scale), bias] for log_scale, bias in case["values"]]
    message = compare.close(output["values"], expected, "SigLipScale() with log_scale and bias set to other values")
    if message:
        return message + " — it should return (exp(log_scale), bias) for whatever values they hold"
    for (log_scale, bias), grads in zip(case["values"], output["grads"]):
        where = f"with log_scale = {log_scale:g} and bias = {bias:g}"
        if any(g is None for g in grads):
            return f"no gradient reaches log_scale or bias {where}: return tensors computed from them (no .item())"
        message = compare.close([scalar(g) for g in grads], [math.exp(log_scale), 1.0],
                                f"d(t + b)/d(log_scale, bias) {where}", atol=1e-4)
        if message:
            return message + " — t must be exp(log_scale) and b the bias itself"
    return None


def ring_case(seed, batch, width, devices, t=10.0, b=-10.0, dtype="float32"):
    return {"tensors": [*features(seed, batch, width), t, b], "devices": devices, "dtype": dtype}


CHECKS = [
    Check("q2.hidden.labels_other", "call", labels_match, {"args": [5]}),
    Check("q2.hidden.labels_one", "call", labels_match, {"args": [1]}),
    Check("q2.hidden.loss_large_logits", "loss_and_grads", siglip_loss_matches(with_grads=True),
          {"tensors": [*features(24, 10, 4), 500.0, 0.0]}),
    Check("q2.hidden.scale_values", "scale_values", scale_follows_parameters,
          {"values": [[0.0, 3.0], [2.5, -0.5], [-1.0, 0.0], [4.0, -20.0]]}),
    Check("q2.hidden.loss_grads", "loss_and_grads", siglip_loss_matches(with_grads=True),
          {"tensors": [*features(11, 7, 5), 10.0, -10.0]}),
    Check("q2.hidden.loss_positive_bias", "loss_and_grads", siglip_loss_matches(with_grads=True),
          {"tensors": [*features(12, 9, 4), 3.7, 1.5], "dtype": "float64"}),
    Check("q2.hidden.loss_single_pair", "loss_and_grads", siglip_loss_matches(with_grads=True),
          {"tensors": [*features(13, 1, 6), 10.0, -10.0]}),
    Check("q2.hidden.pairs_other", "pairs", pairs_decompose, {"tensors": [*features(14, 6, 3), 4.0, 2.0]}),
    Check("q2.hidden.pairs_single", "pairs", pairs_decompose,
          {"tensors": [*features(15, 1, 5), 20.0, -5.0], "dtype": "float64"}),
    Check("q2.hidden.pairs_large_logits", "pairs", pairs_decompose,
          {"tensors": [*features(25, 6, 3), 500.0, -40.0]}),
    Check("q2.hidden.pairs_one_feature", "pairs", pairs_decompose,  # D = 1: nothing to squeeze away
          {"tensors": [*features(32, 3, 1), 5.0, -1.0]}),
    Check("q2.hidden.pairs_grads", "pair_grads", pair_grads_match,
          {"tensors": [*features(30, 4, 5), 12.0, -6.0],
           "pairs": [[0, 0], [0, 1], [1, 0], [2, 2], [2, 1], [1, 3], [3, 3], [3, 0]]}),
    Check("q2.hidden.ring_grads", "chunked", ring_matches(with_grads=True), ring_case(16, 12, 5, 3)),
    Check("q2.hidden.ring_one_device", "chunked", ring_matches(with_grads=True), ring_case(17, 6, 4, 1)),
    Check("q2.hidden.ring_singletons", "chunked", ring_matches(with_grads=True),
          ring_case(18, 5, 4, 5, t=6.0, b=1.0)),
    Check("q2.hidden.ring_blocks_other", "chunked", ring_blocks, ring_case(19, 12, 4, 6)),
    Check("q2.hidden.ring_float64", "chunked", ring_matches(with_grads=True),
          ring_case(20, 16, 8, 4, t=25.0, b=-3.0, dtype="float64")),
    Check("q2.hidden.ring_large_logits", "chunked", ring_matches(with_grads=True),
          ring_case(26, 8, 4, 2, t=500.0, b=0.0)),
    Check("q2.hidden.ring_blocks_two", "chunked", ring_blocks, ring_case(27, 6, 3, 2)),
    Check("q2.hidden.local_other", "chunked", local_clip_matches,
          {"tensors": [*features(21, 12, 5), 30.0], "devices": 3, "grads": True}),
    Check("q2.hidden.local_float64", "chunked", local_clip_matches,
          {"tensors": [*features(28, 10, 6), 7.0], "devices": 2, "dtype": "float64", "grads": True}),
    Check("q2.hidden.gathered_grads", "chunked", gathered_matches(with_grads=True),
          {"tensors": [*features(22, 12, 5), 30.0], "devices": 3}),
    Check("q2.hidden.gathered_blocks", "chunked", gathered_matches(with_grads=True),
          {"tensors": [*features(23, 10, 4), 1 / 0.07], "devices": 5, "dtype": "float64"}),
    Check("q2.hidden.gathered_one_device", "chunked", gathered_matches(with_grads=True),
          {"tensors": [*features(29, 6, 5), 50.0], "devices": 1}),
    # as many devices as the visible checks, other features: an answer kept from an earlier call
    # under a key that does not identify the input (the number of chunks) shows here
    Check("q2.hidden.local_same_devices", "chunked", local_clip_matches,
          {"tensors": [*features(30, 8, 6), 10.0], "devices": 4}),
    Check("q2.hidden.gathered_same_devices", "chunked", gathered_matches(with_grads=False),
          {"tensors": [*features(31, 8, 6), 10.0], "devices": 4}),
]
