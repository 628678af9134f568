"""Realistic wrong answers to Q6, and the test cells each one must lose.

Each entry: (name, answer cell grade_id, the wrong cell's source, test cells that lose points).
"""

from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import mistake as _mistake
from vlmkit.grading.authoring.answer_banks import solution_answers as _solution_answers

_SOLVED = _solution_answers(paths.SOLUTIONS / "checkpoint" / "q6_vla_actions.ipynb")

UNNORMALIZE = '''

def unnormalize_actions(normalized, q01, q99):
    normalized, q01, q99 = (np.asarray(v, dtype=float) for v in (normalized, q01, q99))
    return 0.5 * (normalized + 1) * (q99 - q01) + q01
'''

DECODE = '''

def token_ids_to_actions(token_ids, vocab_size, n_bins=N_BINS):
    bins = np.linspace(-1, 1, n_bins)
    centers = (bins[:-1] + bins[1:]) / 2
    index = np.clip(vocab_size - np.asarray(token_ids) - 1, 0, n_bins - 2)
    return centers[index]
'''

ENCODE = '''
def actions_to_token_ids(normalized, vocab_size, n_bins=N_BINS):
    bins = np.linspace(-1, 1, n_bins)
    clipped = np.clip(np.asarray(normalized, dtype=float), -1, 1)
    return (vocab_size - np.digitize(clipped, bins)).astype(np.int64)
'''

WRONG = [
    ("no clipping to [-1, 1]", "q6_normalize", '''
def normalize_actions(actions, q01, q99):
    actions, q01, q99 = (np.asarray(v, dtype=float) for v in (actions, q01, q99))
    return 2 * (actions - q01) / (q99 - q01 + 1e-8) - 1
''' + UNNORMALIZE, {"q6_test_normalize"}),
    ("scaled to [0, 1], not [-1, 1]", "q6_normalize", '''
def normalize_actions(actions, q01, q99):
    actions, q01, q99 = (np.asarray(v, dtype=float) for v in (actions, q01, q99))
    return np.clip((actions - q01) / (q99 - q01 + 1e-8), -1, 1)
''' + UNNORMALIZE, {"q6_test_normalize"}),
    ("first 256 ids instead of the last", "q6_tokens", '''
def actions_to_token_ids(normalized, vocab_size, n_bins=N_BINS):
    bins = np.linspace(-1, 1, n_bins)
    return np.digitize(np.clip(np.asarray(normalized, dtype=float), -1, 1), bins)


def token_ids_to_actions(token_ids, vocab_size, n_bins=N_BINS):
    bins = np.linspace(-1, 1, n_bins)
    centers = (bins[:-1] + bins[1:]) / 2
    return centers[np.clip(np.asarray(token_ids) - 1, 0, n_bins - 2)]
''', {"q6_test_tokens", "q6_test_stream"}),
    ("decode off by one bin", "q6_tokens", ENCODE + '''

def token_ids_to_actions(token_ids, vocab_size, n_bins=N_BINS):
    bins = np.linspace(-1, 1, n_bins)
    centers = (bins[:-1] + bins[1:]) / 2
    return centers[np.clip(vocab_size - np.asarray(token_ids), 0, n_bins - 2)]
''', {"q6_test_tokens", "q6_test_stream"}),
    ("decode to bin edges", "q6_tokens", ENCODE + '''

def token_ids_to_actions(token_ids, vocab_size, n_bins=N_BINS):
    bins = np.linspace(-1, 1, n_bins)
    return bins[np.clip(vocab_size - np.asarray(token_ids) - 1, 0, n_bins - 2)]
''', {"q6_test_tokens", "q6_test_stream"}),
    ("text tokens decoded as actions", "q6_stream", '''
def decode_action_stream(token_ids, vocab_size, q01, q99, action_dim=7, n_bins=N_BINS):
    ids = np.asarray(token_ids)
    steps = len(ids) // action_dim
    ids = ids[: steps * action_dim].reshape(steps, action_dim)
    return unnormalize_actions(token_ids_to_actions(ids, vocab_size, n_bins), q01, q99)
''', {"q6_test_stream"}),
    ("overwrites the first ids of the vocabulary", "q6_vocab", '''
def overwritten_token_ids(vocab_size, n_bins=N_BINS):
    return list(range(n_bins))


def tokens_per_episode(steps, action_dim=7):
    return steps * action_dim
''', {"q6_test_vocab"}),
]

# Mistakes the seeded hidden checks (a dimension with q01 == q99, several vocabularies and n_bins,
# padding ids at or above vocab_size) catch; each is the solution with one edit.


WRONG += [
    ("no 1e-8 in the denominator", "q6_normalize", _mistake(
        _SOLVED["q6_normalize"], ("/ (q99 - q01 + 1e-8)", "/ (q99 - q01)")),
     {"q6_test_normalize"}),
    ("token ids as floats", "q6_tokens", _mistake(
        _SOLVED["q6_tokens"], (".astype(np.int64)", ".astype(np.float64)")),
     {"q6_test_tokens"}),
    ("decode ignores n_bins", "q6_tokens", _mistake(
        _SOLVED["q6_tokens"], ("    bins = np.linspace(-1, 1, n_bins)\n    centers",
                               "    bins = np.linspace(-1, 1, 256)\n    centers"),
        ("0, n_bins - 2)", "0, 254)")),
     {"q6_test_tokens", "q6_test_stream"}),
    ("padding ids above the vocabulary kept", "q6_stream", _mistake(
        _SOLVED["q6_stream"], ("ids = ids[(ids >= vocab_size - n_bins) & (ids < vocab_size)]",
                               "ids = ids[ids >= vocab_size - n_bins]")),
     {"q6_test_stream"}),
    ("stream assumes 256 bins", "q6_stream", _mistake(
        _SOLVED["q6_stream"], ("(ids >= vocab_size - n_bins)", "(ids >= vocab_size - 256)")),
     {"q6_test_stream"}),
]

# Caught only by the generated streams (hidden/q6.py, "generated inputs"): an empty stream.
WRONG += [
    ("decode_action_stream reads an empty stream's ids as floats and fails", "q6_stream", _mistake(
        _SOLVED["q6_stream"], ("np.asarray(token_ids, dtype=np.int64)", "np.asarray(token_ids)")),
     {"q6_test_stream"}),
]
