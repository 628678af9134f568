"""Hidden checks for Q6 (instructor-only). References follow OpenVLA's ActionTokenizer.

Unseen inputs: values beyond the range, exact bin edges, a small vocabulary, 7-DoF batches,
streams with text/special tokens and an incomplete last step. The `*_each` checks run every
function on seeded inputs (call_each): several vocabularies and n_bins, shapes, action_dim, a
dimension with q01 == q99, ids below the action range and at or above vocab_size (padding), streams
with fewer than one step; return types (int/float numpy arrays, a list of ints) checked.

Generated inputs at the end: token streams and id arrays
drawn from the formats' grammars (Hypothesis, a fixed seed), the smallest failing one named.
"""

import numpy as np
from hypothesis import strategies as st

from vlmkit.checks.q6 import (
    FIXED_BINS,
    LAST_IDS,
    SCALE,
    TEXT_IDS,
    UNSCALE,
    decode_mistakes,
    normalize_where,
    random_actions,
    vocab_mistakes,
    within_half_bin,
)
from vlmkit.grading.checking import compare
from vlmkit.grading.checking.generated import generated_calls, smallest_failing
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


def _inverse_mistake(case, output):
    """Which of the two maps breaks unnormalize(normalize(x)) == x (the actions lie inside [q01, q99])."""
    x, q01, q99 = (np.asarray(case[k], dtype=float) for k in ("actions", "q01", "q99"))
    return diagnose(output, {
        SCALE: q01 + (x - q01 + q99 - q01) / 2,  # normalised to [0, 1], un-normalised from [−1, 1]
        UNSCALE: 2 * (x - q01) - (q99 - q01) + q01}, atol=1e-6) or (
        f"{HINT}normalize_actions and unnormalize_actions should undo each other inside [q01, q99]")


back_to_input = diagnosed(
    lambda case, output: compare.close(output, case["actions"], "unnormalize(normalize(x))", atol=1e-6),
    _inverse_mistake)


def ref_normalize(x, q01, q99):
    x, q01, q99 = (np.asarray(v, dtype=float) for v in (x, q01, q99))
    return np.clip(2 * (x - q01) / (q99 - q01 + 1e-8) - 1, -1, 1)


def ref_unnormalize(a, q01, q99):
    a, q01, q99 = (np.asarray(v, dtype=float) for v in (a, q01, q99))
    return 0.5 * (a + 1) * (q99 - q01) + q01


BINS = np.linspace(-1, 1, 256)


def _centers(n_bins):
    bins = np.linspace(-1, 1, n_bins)
    return (bins[:-1] + bins[1:]) / 2


def ref_encode(a, vocab_size, n_bins=256):
    return vocab_size - np.digitize(np.clip(np.asarray(a, dtype=float), -1, 1), np.linspace(-1, 1, n_bins))


def ref_decode(ids, vocab_size, n_bins=256):
    return _centers(n_bins)[np.clip(vocab_size - np.asarray(ids) - 1, 0, n_bins - 2)]


def _steps(ids, action_dim):
    """Whole steps of action_dim ids, an incomplete last one dropped."""
    steps = len(ids) // action_dim
    return ids[: steps * action_dim].reshape(steps, action_dim)


def _is_action(ids, vocab_size, n_bins):
    return (ids >= vocab_size - n_bins) & (ids < vocab_size)


def ref_stream(ids, vocab_size, q01, q99, action_dim=7, n_bins=256):
    ids = np.asarray(ids, dtype=np.int64)
    steps = _steps(ids[_is_action(ids, vocab_size, n_bins)], action_dim)
    return ref_unnormalize(ref_decode(steps, vocab_size, n_bins), q01, q99)


def ref_vocab(vocab_size, n_bins=256):
    return list(range(vocab_size - n_bins, vocab_size))


def ref_episode(steps, action_dim=7):
    return steps * action_dim


# ---------------------------------------------------------------- known mistakes (diagnoses)

def explain_normalize(call, output):
    right = call_reference(ref_normalize, call)
    return normalize_where(*reference_arguments(ref_normalize, call).values(), output, right)


def explain_encode(call, output):
    a, vocab_size, n_bins = reference_arguments(ref_encode, call).values()
    right = ref_encode(a, vocab_size, n_bins)
    found = diagnose(output, {LAST_IDS: vocab_size - right, FIXED_BINS: ref_encode(a, vocab_size, 256),
                              "token id = vocab_size − digitize(a) (one id below)": right - 1,
                              "token id = vocab_size − digitize(a) (one id above)": right + 1})
    if found:
        return found
    a = np.asarray(a, dtype=float)
    wrong = np.asarray(output) != right
    if not wrong[np.abs(a) <= 1].any():
        return f"{HINT}wrong only for actions beyond [−1, 1]: clip before np.digitize"
    if not wrong[~np.isin(a, np.linspace(-1, 1, n_bins))].any():
        return f"{HINT}wrong only for actions on a bin edge: np.digitize(a, bins) puts an edge in the bin above it"
    return ""


def explain_decode(call, output):
    ids, vocab_size, n_bins = reference_arguments(ref_decode, call).values()
    found = diagnose(output, decode_mistakes(ids, vocab_size, n_bins), atol=1e-6)
    ids = np.asarray(ids)
    wrong = ~np.isclose(np.asarray(output, dtype=float), ref_decode(ids, vocab_size, n_bins), atol=1e-9)
    if found or wrong[_is_action(ids, vocab_size, n_bins)].any():
        return found
    return f"{HINT}wrong only for ids outside the action range: clip the index to [0, n_bins − 2]"


def explain_stream(call, output):
    ids, vocab_size, q01, q99, action_dim, n_bins = reference_arguments(ref_stream, call).values()
    ids = np.asarray(ids, dtype=np.int64)

    def decoded(keep):  # the stream decoded right from the ids that `keep` selects
        return ref_unnormalize(ref_decode(_steps(ids[keep], action_dim), vocab_size, n_bins), q01, q99)

    steps = _steps(ids[_is_action(ids, vocab_size, n_bins)], action_dim)
    candidates = {f"{hint} (in token_ids_to_actions)": ref_unnormalize(value, q01, q99)
                  for hint, value in decode_mistakes(steps, vocab_size, n_bins).items()}
    # The narrower mistake first: with n_bins < 256 a fixed 256 keeps some text ids, and on a stream
    # whose text ids all lie within the last 256 it looks like keeping every text id.
    return diagnose(output, {**candidates,
                             f"{FIXED_BINS} (in picking the action ids)": decoded(_is_action(ids, vocab_size, 256)),
                             TEXT_IDS: decoded(ids < vocab_size),
                             "drop the padding ids at or above vocab_size": decoded(ids >= vocab_size - n_bins),
                             f"{TEXT_IDS} (nor padding)": decoded(np.ones(len(ids), dtype=bool))},
                    atol=1e-6)


def explain_unnormalize(call, output):
    a, q01, q99 = (np.asarray(v, dtype=float) for v in reference_arguments(ref_unnormalize, call).values())
    return diagnose(output, {UNSCALE: a * (q99 - q01) + q01}, atol=1e-9)


def explain_episode(call, output):
    steps, action_dim = reference_arguments(ref_episode, call).values()
    return diagnose(output, {"use action_dim, not a fixed 7": steps * 7})


def explain_vocab(call, output):
    return diagnose(output, vocab_mistakes(*reference_arguments(ref_vocab, call).values()))


# Seeded calls for every parameter: several vocabularies (Llama 2, its 32064-row padding, Qwen2,
# small ones), several n_bins, shapes, action_dim; values beyond the range ends and at bin edges.
SHAPES = [(14,), (2, 7), (7, 2), (1, 2, 7)]
VOCABS = [(32000, 256), (32064, 256), (151936, 256), (1000, 64), (300, 16), (50000, 512), (4096, 128)]


def _shape(rng, last=None):
    dims = [int(d) for d in rng.integers(1, 5, rng.integers(0, 3))]
    return (*dims, last or int(rng.integers(1, 9)))


def _n_bins_kwargs(rng, n_bins):
    return {} if n_bins == 256 and rng.random() < 0.5 else {"n_bins": n_bins}


def normalize_calls(seed=60, n=10):
    rng = np.random.default_rng(seed)
    calls = []
    for i in range(n):
        shape = _shape(rng)
        dim = shape[-1]
        q01 = rng.uniform(-1, 0.5, dim)
        q99 = q01 + rng.uniform(0.01, 1.5, dim)
        constant = int(rng.integers(dim))
        q99[constant] = q01[constant]
        x = q01 + rng.uniform(-0.4, 1.4, shape) * (q99 - q01)
        # the constant dimension: exactly q01, or a hair (a few 1e-9) above or below it, or far off
        hair = rng.choice([0.0, 0.0, 2e-9, -3e-9, 4e-9, 0.3, -0.3], shape[:-1])
        x[..., constant] = q01[constant] + hair
        calls.append({"args": [x.tolist(), q01.tolist(), q99.tolist()]})
    return calls


def unnormalize_calls(seed=61, n=8):
    rng = np.random.default_rng(seed)
    calls = []
    for _ in range(n):
        shape = _shape(rng)
        q01 = rng.uniform(-1, 0.5, shape[-1])
        q99 = q01 + rng.uniform(0.0, 1.5, shape[-1])
        a = rng.uniform(-1, 1, shape)
        a[..., 0] = rng.choice([-1.0, 1.0])
        calls.append({"args": [a.tolist(), q01.tolist(), q99.tolist()]})
    return calls


def encode_calls(seed=62):
    rng = np.random.default_rng(seed)
    calls = []
    for vocab_size, n_bins in VOCABS * 2:
        edges = np.linspace(-1, 1, n_bins)
        values = np.concatenate([rng.uniform(-1.6, 1.6, 6), rng.choice(edges, 4), [-1.0, 1.0, -1.0001, 1.0001]])
        rng.shuffle(values)
        shape = SHAPES[int(rng.integers(len(SHAPES)))]
        calls.append({"args": [values.reshape(shape).tolist(), vocab_size], "kwargs": _n_bins_kwargs(rng, n_bins)})
    return calls


def decode_calls(seed=63):
    """Ids across the action range, just below it (text ids) and at or above vocab_size: the clip
    of the formula maps them to the end bins."""
    rng = np.random.default_rng(seed)
    calls = []
    for vocab_size, n_bins in VOCABS * 2:
        ids = np.concatenate([rng.integers(vocab_size - n_bins, vocab_size, 8),
                              [vocab_size - n_bins, vocab_size - 1, vocab_size - n_bins - 1,
                               vocab_size - n_bins - 7, vocab_size, vocab_size + 3]])
        rng.shuffle(ids)
        shape = SHAPES[int(rng.integers(len(SHAPES)))]
        calls.append({"args": [ids.reshape(shape).tolist(), vocab_size], "kwargs": _n_bins_kwargs(rng, n_bins)})
    return calls


def stream_calls(seed=64):
    """Streams of whole steps and a partial last one, with text/special ids below the action range
    and padding ids at or above vocab_size mixed in; action_dim 7 (default), 1, 3, 8."""
    rng = np.random.default_rng(seed)
    calls = []
    for i, (vocab_size, n_bins) in enumerate(VOCABS * 2):
        action_dim = [7, 1, 3, 8, 7, 2][i % 6]
        steps, extra = int(rng.integers(0, 4)), int(rng.integers(0, action_dim))
        if i == 0:
            steps, extra = 0, 3  # not one whole step
        actions = rng.integers(vocab_size - n_bins, vocab_size, steps * action_dim + extra)
        noise = np.concatenate([rng.integers(0, vocab_size - n_bins, 4),
                                rng.integers(vocab_size, vocab_size + 64, 2), [vocab_size]])
        stream = np.concatenate([actions, noise])
        order = np.argsort(np.concatenate([np.arange(len(actions)), rng.uniform(-1, len(actions), len(noise))]),
                           kind="stable")
        q01 = rng.uniform(-1, 0.5, action_dim)
        q99 = q01 + rng.uniform(0.01, 1.5, action_dim)
        kwargs = _n_bins_kwargs(rng, n_bins)
        if action_dim != 7 or rng.random() < 0.5:
            kwargs["action_dim"] = action_dim
        calls.append({"args": [stream[order].tolist(), vocab_size, q01.tolist(), q99.tolist()], "kwargs": kwargs})
    return calls


def vocab_calls():
    return [{"args": [v], "kwargs": {"n_bins": n} if n != 256 else {}} for v, n in VOCABS]


def episode_calls():
    return [{"args": [s]} for s in (0, 1, 13)] + [{"args": [s], "kwargs": {"action_dim": d}}
                                                 for s, d in ((4, 1), (25, 8), (100, 3))]


def array_of(kind, what, same_shape=False):
    """A message if `output` is not a numpy array of that kind ("i" int, "f" float)."""
    names = {"i": "an integer numpy array", "f": "a float numpy array"}

    def message(output, call):
        if not isinstance(output, np.ndarray) or output.dtype.kind != kind:
            return f"{what} should return {names[kind]} (check the return type)"
        if same_shape and output.shape != np.shape(call["args"][0]):
            return f"{what}: wrong shape, expected the input's shape"
        return None

    return message


def list_of_ints(what):
    def message(output, call):
        if not isinstance(output, list) or not all(type(x) is int for x in output):
            return f"{what} should return a list of ints (check the return type)"
        return None
    return message


def each(reference, what, explain, type_message=None, **options):
    """match_reference_each, every output's return type checked first (the message names it)."""
    judge = match_reference_each(reference, what, explain, **options)

    def typed_each(case, output):
        if type_message and isinstance(output, list) and len(output) == len(case["calls"]):
            wrong = [m for m in map(type_message, output, case["calls"]) if m]
            if wrong:
                return f"{wrong[0]} (on {len(wrong)} of {len(case['calls'])} unseen inputs)"
        return judge(case, output)

    return typed_each


Q01 = [-0.03, -0.05, -0.02, -0.1, -0.1, -0.2, 0.0]
Q99 = [0.04, 0.05, 0.03, 0.1, 0.12, 0.2, 1.0]
STREAM = [1, 529, *range(32000 - 256, 32000 - 249), 32000 - 100, *[31990] * 6, 31000, 2]

CHECKS = [
    Check("q6.hidden.normalize", "call",
          diagnosed(match_reference(ref_normalize, "normalize_actions (7-DoF, out of range)", exact=False, atol=1e-6),
                    explain_normalize),
          {"args": [[[0.05, -0.06, 0.0, 0.1, -0.5, 0.19, 0.4], [-0.03, 0.05, 0.03, 0.0, 0.0, 0.0, 1.0]], Q01, Q99]}),
    Check("q6.hidden.unnormalize_inverse", "inverse", back_to_input,
          {"actions": [[0.01, -0.02, 0.0, 0.05, 0.1, -0.15, 0.5]], "q01": Q01, "q99": Q99}),
    Check("q6.hidden.encode", "call",
          diagnosed(match_reference(ref_encode, "actions_to_token_ids (unseen values)"), explain_encode),
          {"args": [[-5.0, -1.0, float(BINS[1]), float(BINS[128]), 0.5, 0.99999, 2.0]],
           "kwargs": {"vocab_size": 32064}}),
    Check("q6.hidden.encode_small_vocab", "call",
          diagnosed(match_reference(ref_encode, "actions_to_token_ids (another vocabulary)"), explain_encode),
          {"args": [random_actions(11, (3, 7))], "kwargs": {"vocab_size": 1000}}),
    Check("q6.hidden.decode", "call",
          diagnosed(match_reference(ref_decode, "token_ids_to_actions", exact=False, atol=1e-6), explain_decode),
          {"args": [[[1000 - 1, 1000 - 128, 1000 - 255, 1000 - 256]]], "kwargs": {"vocab_size": 1000}}),
    Check("q6.hidden.roundtrip_7dof", "roundtrip", within_half_bin,
          {"actions": random_actions(12, (50, 7)), "vocab_size": 151936}),
    Check("q6.hidden.stream_noise", "call",
          diagnosed(match_reference(ref_stream, "decode_action_stream (text tokens mixed in)", exact=False, atol=1e-6),
                    explain_stream),
          {"args": [STREAM, 32000, Q01, Q99]}),
    Check("q6.hidden.stream_partial", "call",
          diagnosed(match_reference(ref_stream, "decode_action_stream (incomplete last step)", exact=False,
                                    atol=1e-6), explain_stream),
          {"args": [STREAM[:-4], 32000, Q01[:3], Q99[:3]], "kwargs": {"action_dim": 3}}),
    Check("q6.hidden.vocab", "call",
          diagnosed(match_reference(ref_vocab, "overwritten_token_ids"), explain_vocab),
          {"args": [151936], "kwargs": {"n_bins": 256}}),
    Check("q6.hidden.episode", "call", diagnosed(match_reference(ref_episode, "tokens_per_episode"), explain_episode),
          {"args": [25], "kwargs": {"action_dim": 8}}),
    Check("q6.hidden.normalize_each", "call_each",
          each(ref_normalize, "normalize_actions (shapes, a dimension with q01 == q99, beyond q01/q99)",
               explain_normalize, array_of("f", "normalize_actions", same_shape=True), exact=False, atol=1e-6),
          {"calls": normalize_calls()}),
    Check("q6.hidden.unnormalize_each", "call_each",
          each(ref_unnormalize, "unnormalize_actions (shapes, other statistics)", explain_unnormalize, exact=False,
               atol=1e-9),
          {"calls": unnormalize_calls()}),
    Check("q6.hidden.encode_each", "call_each",
          each(ref_encode, "actions_to_token_ids (vocabularies, n_bins, range ends, bin edges)", explain_encode,
               array_of("i", "actions_to_token_ids", same_shape=True)),
          {"calls": encode_calls()}),
    Check("q6.hidden.decode_each", "call_each",
          each(ref_decode, "token_ids_to_actions (vocabularies, n_bins, ids outside the range)", explain_decode,
               array_of("f", "token_ids_to_actions", same_shape=True), exact=False, atol=1e-9),
          {"calls": decode_calls()}),
    Check("q6.hidden.stream_each", "call_each",
          each(ref_stream, "decode_action_stream (vocabularies, n_bins, action_dim, partial steps, ids "
                           "outside the action range)", explain_stream, array_of("f", "decode_action_stream"),
               exact=False, atol=1e-6),
          {"calls": stream_calls()}),
    Check("q6.hidden.vocab_each", "call_each",
          each(ref_vocab, "overwritten_token_ids (vocabularies, n_bins)", explain_vocab,
               list_of_ints("overwritten_token_ids")),
          {"calls": vocab_calls()}),
    Check("q6.hidden.episode_each", "call_each",
          each(ref_episode, "tokens_per_episode", explain_episode),
          {"calls": episode_calls()}),
]


# ---------------------------------------------------------------- generated inputs (the token streams' grammar)
# Drawn by Hypothesis in the grader (vlmkit.grading.checking.generated), simplest first; a failure quotes the
# smallest failing input. A stream is runs of action ids (the range's two ends included), text or
# special ids just below the range and padding ids at or above vocab_size, in any order: empty,
# text between the ids of one step, an incomplete last step, no whole step at all (then the
# notebook says: an array of shape (0, action_dim)). Statistics in hundredths, q01 < q99.

def _hundredths(low, high):
    return st.integers(low, high).map(lambda v: v / 100)


@st.composite
def streams(draw):
    vocab_size, n_bins = draw(st.sampled_from(VOCABS))
    action_dim = draw(st.integers(1, 8))
    first = vocab_size - n_bins
    pieces = {"action": st.one_of(st.sampled_from([first, vocab_size - 1]), st.integers(first, vocab_size - 1)),
              "text": st.one_of(st.sampled_from([0, 1, 2, first - 1]), st.integers(0, first - 1)),
              "padding": st.one_of(st.just(vocab_size), st.integers(vocab_size, vocab_size + 63))}
    kinds = draw(st.lists(st.sampled_from(["action", "action", "action", "text", "padding"]), max_size=24))
    q01 = draw(st.lists(_hundredths(-100, 50), min_size=action_dim, max_size=action_dim))
    q99 = [low + draw(_hundredths(1, 150)) for low in q01]
    kwargs = {"action_dim": action_dim} if action_dim != 7 or draw(st.booleans()) else {}
    if n_bins != 256 or draw(st.booleans()):
        kwargs["n_bins"] = n_bins
    return {"args": [[draw(pieces[kind]) for kind in kinds], vocab_size, q01, q99], "kwargs": kwargs}


@st.composite
def id_arrays(draw):
    """Ids of any shape (not empty): the action range, its ends, and ids outside it on both sides."""
    vocab_size, n_bins = draw(st.sampled_from(VOCABS))
    shape = draw(st.sampled_from(SHAPES + [(1,), (1, 1), (3, 1, 2)]))
    ids = st.one_of(st.integers(vocab_size - n_bins, vocab_size - 1),
                    st.sampled_from([vocab_size - n_bins, vocab_size - 1, vocab_size - n_bins - 1, vocab_size]))
    flat = draw(st.lists(ids, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    kwargs = {"n_bins": n_bins} if n_bins != 256 or draw(st.booleans()) else {}
    return {"args": [np.reshape(flat, shape).tolist(), vocab_size], "kwargs": kwargs}


def _typed(type_message, judge):
    return lambda call, output: type_message(output, call) or judge(call, output)


CHECKS += [
    Check("q6.hidden.stream_generated", "call_each_caught",
          smallest_failing(_typed(array_of("f", "decode_action_stream"), diagnosed(
              match_reference(ref_stream, "decode_action_stream", exact=False, atol=1e-6), explain_stream)),
              "decode_action_stream"),
          {"calls": generated_calls("q6.decode_action_stream", streams(), 60)}),
    Check("q6.hidden.decode_generated", "call_each_caught",
          smallest_failing(_typed(array_of("f", "token_ids_to_actions", same_shape=True), diagnosed(
              match_reference(ref_decode, "token_ids_to_actions", exact=False, atol=1e-9), explain_decode)),
              "token_ids_to_actions"),
          {"calls": generated_calls("q6.token_ids_to_actions", id_arrays(), 30)}),
]
