"""Correct answers to Q6 written differently from the solution; each must keep full marks.

Each entry: (name, answer cell grade_id, the cell's full source).
"""

CORRECT = [
    ("normalise with minimum/maximum, unnormalise from q01", "q6_normalize", '''
def normalize_actions(actions, q01, q99):
    x = np.array(actions, dtype=np.float64)
    low, high = np.array(q01, dtype=np.float64), np.array(q99, dtype=np.float64)
    scaled = (x - low) / (high - low + 1e-8) * 2 - 1
    return np.minimum(np.maximum(scaled, -1.0), 1.0)


def unnormalize_actions(normalized, q01, q99):
    low, high = np.array(q01, dtype=np.float64), np.array(q99, dtype=np.float64)
    return low + (np.asarray(normalized) + 1) / 2 * (high - low)
'''),
    ("searchsorted, lower clip only; centres by formula", "q6_tokens", '''
def actions_to_token_ids(normalized, vocab_size, n_bins=N_BINS):
    edges = np.linspace(-1, 1, n_bins)
    # digitize(a) == searchsorted(edges, a, side="right"); anything >= 1 lands past the last edge anyway
    index = np.searchsorted(edges, np.maximum(np.asarray(normalized, dtype=float), -1.0), side="right")
    return vocab_size - index


def token_ids_to_actions(token_ids, vocab_size, n_bins=N_BINS):
    index = np.clip(vocab_size - 1 - np.asarray(token_ids), 0, n_bins - 2)
    return -1.0 + (2 * index + 1) / (n_bins - 1)
'''),
    ("stream filtered in Python", "q6_stream", '''
def decode_action_stream(token_ids, vocab_size, q01, q99, action_dim=7, n_bins=N_BINS):
    first_action_id = vocab_size - n_bins
    action_ids = [int(t) for t in token_ids if first_action_id <= t < vocab_size]
    whole = len(action_ids) - len(action_ids) % action_dim
    steps = np.array(action_ids[:whole], dtype=np.int64).reshape(-1, action_dim)
    return unnormalize_actions(token_ids_to_actions(steps, vocab_size, n_bins), q01, q99)
'''),
    ("ids from the first action id", "q6_vocab", '''
def overwritten_token_ids(vocab_size, n_bins=N_BINS):
    first = vocab_size - n_bins
    return [first + i for i in range(n_bins)]


def tokens_per_episode(steps, action_dim=7):
    return int(steps) * int(action_dim)
'''),
]
