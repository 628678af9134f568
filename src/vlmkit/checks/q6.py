"""Q6 — VLA action tokens: probes and visible checks.

Conventions (OpenVLA ActionTokenizer): q01/q99 normalisation to [-1, 1], 256 edges from
np.linspace(-1, 1, 256), token = vocab_size - digitize(a), decode to bin centres with
index clip(vocab_size - id - 1, 0, 254). See shared reference-conventions, Q6.
"""

import numpy as np

from vlmkit.checks.common import call, call_each
from vlmkit.grading import compare
from vlmkit.grading.judges import expect_close, expect_equal
from vlmkit.grading.registry import Check


def roundtrip(case, encode, decode):
    ids = encode(case["actions"], case["vocab_size"])
    return {"ids": ids, "decoded": decode(ids, case["vocab_size"])}


def inverse(case, normalize, unnormalize):
    return unnormalize(normalize(case["actions"], case["q01"], case["q99"]), case["q01"], case["q99"])


PROBES = {"call": call, "call_each": call_each, "roundtrip": roundtrip, "inverse": inverse}


def int_array(what, judge):
    """Judge that the output is an integer numpy array first (a message naming it), then `judge`."""
    def typed(case, output):
        if not isinstance(output, np.ndarray) or output.dtype.kind not in "iu":
            return f"{what} should return an integer numpy array (check the return type)"
        return judge(case, output)
    return typed


def within_half_bin(case, output):
    """Decoded actions within half a bin (1/255) of the clipped input; ids in the last 256."""
    if not isinstance(output, dict):
        return "the probe expected token ids and decoded actions"
    ids, vocab = np.asarray(output.get("ids")), case["vocab_size"]
    if ids.shape != np.shape(case["actions"]) or not np.all((ids >= vocab - 256) & (ids < vocab)):
        return "token ids must have the actions' shape and lie in the last 256 ids of the vocabulary"
    target = np.clip(np.asarray(case["actions"], dtype=float), -1, 1)
    message = compare.close(output.get("decoded"), target, "decoded actions", atol=1 / 255 + 1e-9, rtol=0)
    return message and message + " — more than half a bin (1/255)"


def back_to_input(case, output):
    return compare.close(output, case["actions"], "unnormalize(normalize(x))", atol=1e-6)


def random_actions(seed, shape, low=-1.2, high=1.2):
    return np.random.default_rng(seed).uniform(low, high, shape).round(6).tolist()


STATS = {"q01": [-0.1, -0.2, 0.0], "q99": [0.1, 0.2, 1.0]}

CHECKS = [
    Check("q6.normalize.example", "call",
          expect_close([[-1.0, 0.0, 0.5], [1.0, -1.0, 1.0]], "normalize_actions", atol=1e-6),
          {"args": [[[-0.1, 0.0, 0.75], [0.3, -0.5, 1.0]], STATS["q01"], STATS["q99"]]}),
    Check("q6.unnormalize.example", "call",
          expect_close([[-0.1, 0.0, 0.75]], "unnormalize_actions", atol=1e-6),
          {"args": [[[-1.0, 0.0, 0.5]], STATS["q01"], STATS["q99"]]}),
    Check("q6.encode.example", "call",
          int_array("actions_to_token_ids",
                    expect_equal([31999, 31872, 31745, 31744, 31744], "actions_to_token_ids",
                                 hint="vocab_size - np.digitize(a, bins)")),
          {"args": [[-1.0, 0.0, 1.0 - 1e-9, 1.0, 1.0]], "kwargs": {"vocab_size": 32000}}),
    Check("q6.decode.example", "call",
          expect_close([-1 + 1 / 255, 1 - 1 / 255, 1 - 1 / 255], "token_ids_to_actions", atol=1e-6),
          {"args": [[31999, 31745, 31744]], "kwargs": {"vocab_size": 32000}}),
    Check("q6.roundtrip.bound", "roundtrip", within_half_bin,
          {"actions": random_actions(6, (20, 7)), "vocab_size": 32000}),
    Check("q6.stream.example", "call",
          expect_close([[-1 + 1 / 255] * 3, [1 - 1 / 255] * 3], "decode_action_stream", atol=1e-6),
          {"args": [[1, 31999, 31999, 31999, 31745, 31745, 31745, 2], 32000, [-1] * 3, [1] * 3],
           "kwargs": {"action_dim": 3}}),
    Check("q6.vocab.example", "call",
          lambda case, out: compare.first(
              compare.equal(len(out) if isinstance(out, list) else None, 256, "number of ids"),
              compare.equal(out[:1] + out[-1:], [31744, 31999], "first and last id")),
          {"args": [32000]}),
    Check("q6.episode.example", "call", expect_equal(70, "tokens_per_episode"), {"args": [10]}),
]
