"""A word-level tokenizer over a closed vocabulary (the world's words are few and known).

Ids: 0 = <pad>, 1 = <cls>, 2 = <unk>, then the vocabulary. Unknown words map to <unk>, so any
question can be encoded; the model simply has not seen that word.
"""

import torch

from vlmkit.world.language import words

PAD, CLS, UNK = 0, 1, 2
SPECIALS = 3


class WordTokenizer:
    def __init__(self, vocab):
        self.index = {w: i + SPECIALS for i, w in enumerate(vocab)}
        self.size = len(vocab) + SPECIALS

    def encode(self, text: str) -> list:
        """<cls> followed by the ids of the text's words."""
        return [CLS] + [self.index.get(w, UNK) for w in words(text)]

    def batch(self, texts, max_len: int) -> torch.Tensor:
        """(B, L) long tensor padded with PAD: L is the longest text, truncated to max_len."""
        encoded = [self.encode(t)[:max_len] for t in texts]
        out = torch.full((len(texts), max(map(len, encoded), default=1)), PAD, dtype=torch.long)
        for i, ids in enumerate(encoded):
            out[i, : len(ids)] = torch.tensor(ids)
        return out
