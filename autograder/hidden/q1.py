"""Hidden checks for Q1 (instructor-only). The loss is compared with open_clip's ClipLoss,
computed here in the grader's process, gradients included.

Unseen inputs: other batch sizes and widths, float64, a single pair (loss 0), a large scale,
rectangular logits (and their gradients), non-square-symmetric logits, other clamp values (and
the scale's gradient below the cap), extreme and batched entropies (and a single row, whose
entropy is 0-dim), another zero-shot problem and another training seed.
"""

import math

import torch.nn.functional as F

from vlmkit.checks.q1 import (
                              as_double,
                              clip_loss_matches,
                              directions_match,
                              entropy_match,
                              grads_match,
                              logits_match,
                              mean_of_directions,
                              randn,
                              scale_clamped,
                              scale_rises,
                              seeded_weights,
                              zero_shot_match,
)
from vlmkit.grading.checking.registry import Check


def logits_and_grads_match(case, output):
    """clip_logits' values, then the gradients of a seeded weighted sum of them with respect to the
    image embeddings, the text embeddings and logit_scale (float64 reference)."""
    message = logits_match(case, output["value"])
    if message:
        return message
    image, text, scale = (as_double(a).requires_grad_() for a in case["tensors"])
    logits = scale * F.normalize(image, dim=-1) @ F.normalize(text, dim=-1).T
    (logits * seeded_weights(case["seed"], logits.shape).double()).sum().backward()
    return grads_match(output, [x.grad.numpy() for x in (image, text, scale)],
                       ("the image embeddings", "the text embeddings", "logit_scale"), "a weighted sum of clip_logits")


CHECKS = [
    Check("q1.hidden.loss_grads", "loss_and_grads", clip_loss_matches(with_grads=True),
          {"tensors": [randn(11, 7, 5, scale=3.0), randn(12, 7, 5, scale=0.5), 33.3]}),
    Check("q1.hidden.loss_float64", "loss_and_grads", clip_loss_matches(with_grads=True),
          {"tensors": [randn(13, 24, 12), randn(14, 24, 12), 100.0], "dtype": "float64"}),
    Check("q1.hidden.loss_single_pair", "loss_and_grads", clip_loss_matches(with_grads=True),
          {"tensors": [randn(15, 1, 6), randn(16, 1, 6), 1 / 0.07]}),
    Check("q1.hidden.logits_rectangular", "value_and_grads", logits_and_grads_match,
          {"tensors": [randn(17, 3, 4, scale=2.0), randn(18, 5, 4), 7.5], "seed": 26}),
    Check("q1.hidden.directions_random", "directions", directions_match,
          {"logits": randn(19, 6, 6, scale=4.0)}),
    Check("q1.hidden.directions_mean_other", "symmetric", mean_of_directions,
          {"tensors": [randn(20, 9, 3), randn(21, 9, 3), 50.0]}),
    Check("q1.hidden.scale_clamp", "scale_clamp", scale_clamped,
          {"log_values": [math.log(99.0), math.log(101.0), 20.0, math.log(1 / 0.07), -1.0]}),
    Check("q1.hidden.entropy_extreme", "tensors", entropy_match,
          {"tensors": [[[1000.0, 0.0, -1000.0], [300.0, 300.0, -50.0], [0.0, 1e-3, 0.0]]]}),
    Check("q1.hidden.entropy_batched", "tensors", entropy_match,
          {"tensors": [randn(22, 2, 3, 7, scale=5.0)]}),
    Check("q1.hidden.entropy_one_row", "tensors", entropy_match,
          {"tensors": [randn(25, 9, scale=3.0)], "dtype": "float64"}),
    Check("q1.hidden.zeroshot_other", "tensors", zero_shot_match,
          {"tensors": [randn(23, 6, 5), randn(24, 5, 5, scale=[[3.0], [0.1], [1.0], [10.0], [0.5]]),
                       60.0], "dtype": "float64"}),
    Check("q1.hidden.train_other_seed", "training", scale_rises,
          {"seed": 7, "steps": 250, "test_size": 160}),
]
