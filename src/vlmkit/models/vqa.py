"""A tiny VQA model: every question word looks at the image's objects through the detector.

    vqa = TinyVQA(VQAConfig(feature_dim=det.token_dim, global_dim=det.global_dim))
    tokens, glob = det.vqa_tokens(det(images))             # one token per candidate object
    logits = vqa(tokens, glob, vqa.tokenizer.batch(questions, cfg.max_len))   # over cfg.answers

Design. The image is a handful of object tokens (the detector's candidate peaks: "bottom-up"
region features, as in classic VQA) plus one global token for the scene. Each question word
cross-attends over them and gets back three things: the softmax-attended features ("what is
there"), a sigmoid-gated *sum* of features (softmax normalises counts away; a sum keeps them)
and the attention-weighted x, y ("where is it"). Self-attention between words follows. The
answer is read from the whole question at once: its max and mean over words, plus every
word slot projected small and laid side by side, so "is the car left of the tree?" can
compare the x of the word in slot 3 with that of slot 9 directly.

What did not work, on this budget (a few minutes of CPU):
- a pooled question embedding that modulates the image (FiLM): never counts or compares
  (feasibility study);
- attending over a 16×16 grid of cells instead of object tokens: learned, far too slowly;
- reading the answer from the <cls> token alone: after 200 steps "is there a car?" was still
  at chance, because <cls> must first learn which word to listen to; max/mean pooling over
  words solved existence, colour and counting in 300 steps, the word slots spatial in 600.

Several questions can share one image (grouped in order), which makes training cheap.
"""

import torch
import torch.nn.functional as F
from torch import nn

from vlmkit.models.config import VQAConfig
from vlmkit.models.tokenizer import PAD, WordTokenizer


class WordToImage(nn.Module):
    """Cross-attention from words to image tokens returning attended features, gated sums and xy."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.dh = heads, dim // heads
        self.norm = nn.LayerNorm(dim)
        self.q = nn.Linear(dim, dim)
        self.gate_bias = nn.Parameter(torch.full((heads, 1, 1), -4.0))  # gates start mostly closed
        self.out = nn.Linear(2 * dim + 2 * heads, dim)

    def forward(self, x, keys, values, coords):
        """x (Bi, T, d): the words of all questions about image i; keys, values (Bi, H, N, dh)."""
        B, T, _ = x.shape
        q = self.q(self.norm(x)).view(B, T, self.heads, self.dh).transpose(1, 2)  # B, H, T, dh
        scores = q @ keys.transpose(-1, -2) / self.dh**0.5  # B, H, T, N
        attn = scores.softmax(-1)
        gate = torch.sigmoid(scores + self.gate_bias)
        soft = (attn @ values).transpose(1, 2).reshape(B, T, -1)
        summed = (gate @ values).transpose(1, 2).reshape(B, T, -1) / 4.0  # up to 5 objects: keep it near unit scale
        xy = (attn @ coords).transpose(1, 2).reshape(B, T, -1)  # B, T, H*2
        return self.out(torch.cat([soft, summed, xy], -1))


class TinyVQA(nn.Module):
    def __init__(self, config: VQAConfig):
        super().__init__()
        self.config = config
        d, h = config.dim, config.heads
        self.tokenizer = WordTokenizer(config.vocab)
        self.embed = nn.Embedding(self.tokenizer.size, d)
        self.pos = nn.Parameter(torch.randn(config.max_len, d) * 0.02)
        # the features mix probabilities, log sizes and ReLU activations: normalise their scales
        self.token_norm = nn.BatchNorm1d(config.feature_dim)
        self.global_norm = nn.BatchNorm1d(config.global_dim)
        self.token_in = nn.Linear(config.feature_dim, d)
        self.global_in = nn.Sequential(nn.Linear(config.global_dim, d), nn.GELU(), nn.Linear(d, d))
        self.kv = nn.ModuleList(nn.Linear(d, 2 * d) for _ in range(config.layers))
        self.cross = nn.ModuleList(WordToImage(d, h) for _ in range(config.layers))
        self.blocks = nn.ModuleList(
            nn.TransformerEncoderLayer(d, h, 4 * d, dropout=0.0, batch_first=True, norm_first=True)
            for _ in range(config.layers)
        )
        self.norm = nn.LayerNorm(d)
        self.slot = nn.Linear(d, config.slot_dim)
        self.head = nn.Linear(3 * d + config.max_len * config.slot_dim, len(config.answers))

    def forward(self, tokens, glob, question_ids):
        """tokens (Bi, N, F) with (x, y) first, glob (Bi, G), question_ids (Bq, L) -> logits (Bq, n_answers).

        Bq is a multiple of Bi: questions come grouped by image, Bq // Bi per image, in order.
        """
        (Bi, N, F_), h = tokens.shape, self.config.heads
        tokens = tokens.float()
        feats = self.token_norm(tokens.reshape(-1, F_)).view(Bi, N, F_)
        img = torch.cat([self.token_in(feats), self.global_in(self.global_norm(glob.float()))[:, None]], 1)
        coords = torch.cat([tokens[..., :2], tokens.new_zeros(Bi, 1, 2)], 1)  # the global token sits at (0, 0)
        coords = coords[:, None].expand(Bi, h, N + 1, 2)
        pad = question_ids == PAD
        x = self.embed(question_ids) + self.pos[: question_ids.shape[1]]
        for kv, cross, block in zip(self.kv, self.cross, self.blocks, strict=True):
            k, v = kv(img).view(Bi, N + 1, 2, h, -1).permute(2, 0, 3, 1, 4)
            # the words of all questions about one image attend together: no per-question copy of k, v
            x = x + cross(x.reshape(Bi, -1, x.shape[-1]), k, v, coords).view_as(x)
            x = block(x, src_key_padding_mask=pad)
        x = self.norm(x)
        keep = (~pad).float()[..., None]
        slots = F.pad(self.slot(x) * keep, (0, 0, 0, self.config.max_len - x.shape[1])).flatten(1)
        pooled = [x[:, 0], x.masked_fill(pad[..., None], float("-inf")).amax(1), (x * keep).sum(1) / keep.sum(1)]
        return self.head(torch.cat([*pooled, slots], -1))

    @torch.no_grad()
    def answer(self, tokens, glob, questions) -> list:
        """One question per image."""
        ids = self.tokenizer.batch(questions, self.config.max_len).to(tokens.device)
        return [self.config.answers[i] for i in self(tokens, glob, ids).argmax(-1).tolist()]

    def loss(self, tokens, glob, question_ids, answers):
        return F.cross_entropy(self(tokens, glob, question_ids), answers)
