"""Hidden checks for Q6 (instructor-only). References follow OpenVLA's ActionTokenizer.

Unseen inputs: values beyond the range, exact bin edges, a small vocabulary, 7-DoF batches,
streams with text/special tokens and an incomplete last step.
"""

import numpy as np

from vlmkit.checks.q6 import back_to_input, random_actions, within_half_bin
from vlmkit.grading.judges import match_reference
from vlmkit.grading.registry import Check


def ref_normalize(x, q01, q99):
    x, q01, q99 = (np.asarray(v, dtype=float) for v in (x, q01, q99))
    return np.clip(2 * (x - q01) / (q99 - q01 + 1e-8) - 1, -1, 1)


def ref_unnormalize(a, q01, q99):
    a, q01, q99 = (np.asarray(v, dtype=float) for v in (a, q01, q99))
    return 0.5 * (a + 1) * (q99 - q01) + q01


BINS = np.linspace(-1, 1, 256)
CENTERS = (BINS[:-1] + BINS[1:]) / 2


def ref_encode(a, vocab_size, n_bins=256):
    return vocab_size - np.digitize(np.clip(np.asarray(a, dtype=float), -1, 1), BINS)


def ref_decode(ids, vocab_size, n_bins=256):
    return CENTERS[np.clip(vocab_size - np.asarray(ids) - 1, 0, 254)]


def ref_stream(ids, vocab_size, q01, q99, action_dim=7, n_bins=256):
    ids = np.asarray(ids)
    ids = ids[(ids >= vocab_size - 256) & (ids < vocab_size)]
    steps = len(ids) // action_dim
    return ref_unnormalize(ref_decode(ids[: steps * action_dim].reshape(steps, action_dim), vocab_size),
                           q01, q99)


Q01 = [-0.03, -0.05, -0.02, -0.1, -0.1, -0.2, 0.0]
Q99 = [0.04, 0.05, 0.03, 0.1, 0.12, 0.2, 1.0]
STREAM = [1, 529, *range(32000 - 256, 32000 - 249), 32000 - 100, *[31990] * 6, 31000, 2]

CHECKS = [
    Check("q6.hidden.normalize", "call",
          match_reference(ref_normalize, "normalize_actions (7-DoF, out of range)", exact=False, atol=1e-6),
          {"args": [[[0.05, -0.06, 0.0, 0.1, -0.5, 0.19, 0.4], [-0.03, 0.05, 0.03, 0.0, 0.0, 0.0, 1.0]], Q01, Q99]}),
    Check("q6.hidden.unnormalize_inverse", "inverse", back_to_input,
          {"actions": [[0.01, -0.02, 0.0, 0.05, 0.1, -0.15, 0.5]], "q01": Q01, "q99": Q99}),
    Check("q6.hidden.encode", "call", match_reference(ref_encode, "actions_to_token_ids (unseen values)"),
          {"args": [[-5.0, -1.0, float(BINS[1]), float(BINS[128]), 0.5, 0.99999, 2.0]],
           "kwargs": {"vocab_size": 32064}}),
    Check("q6.hidden.encode_small_vocab", "call",
          match_reference(ref_encode, "actions_to_token_ids (another vocabulary)"),
          {"args": [random_actions(11, (3, 7))], "kwargs": {"vocab_size": 1000}}),
    Check("q6.hidden.decode", "call",
          match_reference(ref_decode, "token_ids_to_actions", exact=False, atol=1e-6),
          {"args": [[[1000 - 1, 1000 - 128, 1000 - 255, 1000 - 256]]], "kwargs": {"vocab_size": 1000}}),
    Check("q6.hidden.roundtrip_7dof", "roundtrip", within_half_bin,
          {"actions": random_actions(12, (50, 7)), "vocab_size": 151936}),
    Check("q6.hidden.stream_noise", "call",
          match_reference(ref_stream, "decode_action_stream (text tokens mixed in)", exact=False, atol=1e-6),
          {"args": [STREAM, 32000, Q01, Q99]}),
    Check("q6.hidden.stream_partial", "call",
          match_reference(ref_stream, "decode_action_stream (incomplete last step)", exact=False, atol=1e-6),
          {"args": [STREAM[:-4], 32000, Q01[:3], Q99[:3]], "kwargs": {"action_dim": 3}}),
    Check("q6.hidden.vocab", "call",
          match_reference(lambda v, n_bins=256: list(range(v - n_bins, v)), "overwritten_token_ids"),
          {"args": [151936], "kwargs": {"n_bins": 256}}),
    Check("q6.hidden.episode", "call", match_reference(lambda s, action_dim=7: s * action_dim,
                                                       "tokens_per_episode"),
          {"args": [25], "kwargs": {"action_dim": 8}}),
]
