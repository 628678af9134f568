"""Q6 — VLA action tokens: probes and visible checks.

Conventions (OpenVLA ActionTokenizer): q01/q99 normalisation to [-1, 1], 256 edges from
np.linspace(-1, 1, 256), token = vocab_size - digitize(a), decode to bin centres with
index clip(vocab_size - id - 1, 0, 254). See shared reference-conventions, Q6.
"""

import numpy as np

from vlmkit.checks.common import call, call_each, each_caught
from vlmkit.grading.checking import compare
from vlmkit.grading.checking.judges import HINT, diagnose, diagnosed, expect_close, expect_equal
from vlmkit.grading.checking.registry import Check

# ---------------------------------------------------------------- probes (learner's kernel)

def roundtrip(case, encode, decode):
    ids = encode(case["actions"], case["vocab_size"])
    return {"ids": ids, "decoded": decode(ids, case["vocab_size"])}


def inverse(case, normalize, unnormalize):
    return unnormalize(normalize(case["actions"], case["q01"], case["q99"]), case["q01"], case["q99"])


PROBES = {"call": call, "call_each": call_each, "roundtrip": roundtrip, "inverse": inverse,
          "call_each_caught": each_caught(call)}

# Functions that work row by row (grading/checking/contracts.py replays one call on a batch of one):
# name -> positions of the batched arguments in the spec's signature.
BATCHWISE = {"normalize_actions": (0,), "unnormalize_actions": (0,), "actions_to_token_ids": (0,),
             "token_ids_to_actions": (0,)}


# ---------------------------------------------------------------- judges and references (grader's process)

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


# Known mistakes (diagnoses). Hints say what to do, in the same words wherever one mistake shows
# (the class report groups by them).

SCALE = "scale to [−1, 1], not [0, 1]: 2·(x − q01)/(q99 − q01 + 1e-8) − 1"
LAST_IDS = "the action tokens are the last n_bins ids of the vocabulary"
FIXED_BINS = "use n_bins, not a fixed 256"
TEXT_IDS = "keep only the action ids: text and special ids are not actions"
UNSCALE = "unnormalize from [−1, 1]: ½(a + 1)(q99 − q01) + q01"


def normalize_where(x, q01, q99, output, expected):
    """HINT and where normalised values are wrong, in the inputs' terms: inside [q01, q99] (the
    scaling; [0, 1] named if it is), only where the right value is clipped (the clip), only where
    q01 == q99 and the value is not clipped (the 1e-8)."""
    x, q01, q99 = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, q01, q99)))
    out, want = np.asarray(output, dtype=float), np.asarray(expected, dtype=float)
    wrong = ~np.isclose(out, want, atol=1e-6, rtol=1e-4)
    constant = q01 == q99
    inside = (x >= q01) & (x <= q99) & ~constant
    clipped = ((x < q01) | (x > q99)) & np.isclose(np.abs(want), 1)
    if inside.any() and np.allclose(out[inside], (want[inside] + 1) / 2, atol=1e-6):
        return f"{HINT}{SCALE}"
    if wrong[inside].any():
        return f"{HINT}wrong where the input lies inside [q01, q99]: 2·(x − q01)/(q99 − q01 + 1e-8) − 1"
    if not wrong[~clipped].any():
        return f"{HINT}wrong only where the input lies beyond [q01, q99]: clip to [−1, 1]"
    if not wrong[~constant].any():
        return f"{HINT}wrong only where q01 == q99: keep the 1e-8 in the denominator"
    return f"{HINT}wrong beyond [q01, q99] (clip to [−1, 1]) and where q01 == q99 (keep the 1e-8)"


def _bin_index(ids, vocab_size, n_bins):
    return np.clip(vocab_size - np.asarray(ids) - 1, 0, n_bins - 2)


def decode_centres(ids, vocab_size, n_bins):
    """The notebook's decoding: index = clip(vocab_size − id − 1, 0, n_bins − 2) → bin_centers[index]."""
    edges = np.linspace(-1, 1, n_bins)
    return ((edges[:-1] + edges[1:]) / 2)[_bin_index(ids, vocab_size, n_bins)]


def decode_mistakes(ids, vocab_size, n_bins):
    """{mistake: the actions it decodes ids to}: the notebook's decoding with one thing changed."""
    ids = np.asarray(ids)
    return {
        LAST_IDS: decode_centres(vocab_size - ids, vocab_size, n_bins),
        "index = vocab_size − id − 1 (one bin off)": decode_centres(ids - 1, vocab_size, n_bins),
        "decode to the bin centres, not the edges":
            np.linspace(-1, 1, n_bins)[_bin_index(ids, vocab_size, n_bins)],
        FIXED_BINS: decode_centres(ids, vocab_size, 256),
    }


def vocab_mistakes(vocab_size, n_bins):
    """{mistake: the ids it names} for overwritten_token_ids(vocab_size, n_bins)."""
    return {LAST_IDS: list(range(n_bins)),
            "the last id overwritten is vocab_size − 1 (one id off)": list(range(vocab_size - n_bins + 1,
                                                                                  vocab_size + 1))}


def stream_example_mistakes(case):
    """{mistake: its output} on the visible stream, whose statistics (q01 = −1, q99 = 1) make
    un-normalising change nothing: the output is the decoded steps themselves."""
    ids, vocab_size = np.asarray(case["args"][0]), case["args"][1]
    dim = case["kwargs"]["action_dim"]
    actions = ids[(ids >= vocab_size - 256) & (ids < vocab_size)]
    steps = actions[: len(actions) // dim * dim].reshape(-1, dim)
    every = ids[: len(ids) // dim * dim].reshape(-1, dim)
    return {**decode_mistakes(steps, vocab_size, 256),
            TEXT_IDS: decode_centres(every, vocab_size, 256)}


def vocab_ends(ends):
    """The first and last ids overwritten in a 32000-token vocabulary, a mistake named when it explains them."""
    message = compare.equal(ends, [31744, 31999], "first and last id")
    return message and message + diagnose(ends, {hint: ids[:1] + ids[-1:]
                                                 for hint, ids in vocab_mistakes(32000, 256).items()})


# ---------------------------------------------------------------- visible cases

def random_actions(seed, shape, low=-1.2, high=1.2):
    return np.random.default_rng(seed).uniform(low, high, shape).round(6).tolist()

STATS = {"q01": [-0.1, -0.2, 0.0], "q99": [0.1, 0.2, 1.0]}
NORMALIZED = [[-1.0, 0.0, 0.5], [1.0, -1.0, 1.0]]
DECODED = [-1 + 1 / 255, 1 - 1 / 255, 1 - 1 / 255]
STREAM = [[-1 + 1 / 255] * 3, [1 - 1 / 255] * 3]

CHECKS = [
    Check("q6.normalize.example", "call",
          diagnosed(expect_close(NORMALIZED, "normalize_actions", atol=1e-6),
                    lambda case, output: normalize_where(*case["args"], output, NORMALIZED)),
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
          diagnosed(expect_close(DECODED, "token_ids_to_actions", atol=1e-6),
                    lambda case, output: diagnose(output, decode_mistakes(case["args"][0], 32000, 256), atol=1e-6)),
          {"args": [[31999, 31745, 31744]], "kwargs": {"vocab_size": 32000}}),
    Check("q6.roundtrip.bound", "roundtrip", within_half_bin,
          {"actions": random_actions(6, (20, 7)), "vocab_size": 32000}),
    Check("q6.stream.example", "call",
          diagnosed(expect_close(STREAM, "decode_action_stream", atol=1e-6),
                    lambda case, output: diagnose(output, stream_example_mistakes(case), atol=1e-6)),
          {"args": [[1, 31999, 31999, 31999, 31745, 31745, 31745, 2], 32000, [-1] * 3, [1] * 3],
           "kwargs": {"action_dim": 3}}),
    Check("q6.vocab.example", "call",
          lambda case, out: compare.first(
              compare.equal(len(out) if isinstance(out, list) else None, 256, "number of ids"),
              vocab_ends(out[:1] + out[-1:])),
          {"args": [32000]}),
    Check("q6.episode.example", "call", expect_equal(70, "tokens_per_episode"), {"args": [10]}),
]
