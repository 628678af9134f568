"""A toy paired image-text world and a tiny dual encoder, for CLIP training demos and checks.

The "images" are 32 numbers (a colour pattern plus a shape pattern plus noise), the captions
templated text over 16 classes, two of which never appear in training (zero-shot must compose).
Used by the Q1 notebook's demo run and by its training probe inside the learner's kernel:

    model, history = train_toy_clip(clip_loss, LogitScale())   # history["scale"] rises
"""


import numpy as np
import torch
from torch import nn

from vlmkit.checks.common import as_float

COLOURS = ("red", "green", "blue", "yellow")
SHAPES = ("circle", "square", "triangle", "star")
CLASSES = tuple(f"{c} {s}" for c in COLOURS for s in SHAPES)
HELD_OUT = ("blue star", "yellow circle")  # never captioned in training: zero-shot must compose
CAPTIONS = ("a photo of a {}", "a {}", "a small {}", "one {} on the table", "the {}")
PROMPT = "a photo of a {}"
WORDS = ("<pad>", "a", "photo", "of", "small", "one", "on", "the", "table") + COLOURS + SHAPES
FEATURES = 32  # a toy "image": a colour pattern plus a shape pattern plus noise, 32 numbers


def tokenize(texts):
    ids = [[WORDS.index(w) for w in text.split()] for text in texts]
    width = max(map(len, ids))
    return torch.tensor([row + [0] * (width - len(row)) for row in ids])


def toy_images(class_ids, rng, noise=0.5):
    patterns = np.random.default_rng(1234).normal(size=(len(COLOURS) + len(SHAPES), FEATURES))
    colour, shape = np.divmod(np.asarray(class_ids), len(SHAPES))
    x = patterns[colour] + patterns[len(COLOURS) + shape]
    return torch.tensor(x + noise * rng.normal(size=x.shape), dtype=torch.float32)


def toy_batch(rng):
    """One (image, caption) pair per training class, shuffled. No class twice in a batch: a
    second caption of the same class would be a false negative for the softmax."""
    ids = rng.permutation([k for k, name in enumerate(CLASSES) if name not in HELD_OUT])
    captions = [CAPTIONS[rng.integers(len(CAPTIONS))].format(CLASSES[k]) for k in ids]
    return toy_images(ids, rng), tokenize(captions)


def toy_test_set(n, seed):
    """(images, class ids) over all classes, held-out combinations included."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(len(CLASSES), size=n)
    return toy_images(labels, rng), torch.tensor(labels)


def class_prompts():
    return tokenize([PROMPT.format(name) for name in CLASSES])


class ToyDualEncoder(nn.Module):
    """An MLP image tower and a bag-of-words text tower into one 16-d space (not normalised)."""

    def __init__(self, dim=16):
        super().__init__()
        self.image = nn.Sequential(nn.Linear(FEATURES, 64), nn.ReLU(), nn.Linear(64, dim))
        self.words = nn.EmbeddingBag(len(WORDS), 32, mode="mean", padding_idx=0)
        self.text = nn.Linear(32, dim)

    def encode_image(self, images):
        return self.image(images)

    def encode_text(self, tokens):
        return self.text(self.words(tokens))


def train_toy_clip(loss_fn, scale_module, steps=300, lr=0.02, seed=0):
    """Train a ToyDualEncoder and `scale_module` with `loss_fn(img, txt, scale)`; deterministic.

    Returns (model, {"scale": value before each step and after the last, "loss": per step}).
    Adam with a short second-moment memory (beta2 = 0.9) so that, in a run this short, the
    log-scale keeps moving after the large gradients of the first steps have passed.
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = ToyDualEncoder()
    optimizer = torch.optim.Adam([*model.parameters(), *scale_module.parameters()], lr=lr,
                                 betas=(0.9, 0.9))
    history = {"scale": [], "loss": []}
    threads = torch.get_num_threads()
    # Tensors this small gain nothing from a second thread, and on a busy machine the threads'
    # synchronisation makes each step ten times slower.
    torch.set_num_threads(1)
    try:
        for _ in range(steps):
            images, tokens = toy_batch(rng)
            scale = scale_module()
            loss = loss_fn(model.encode_image(images), model.encode_text(tokens), scale)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            history["scale"].append(as_float(scale))
            history["loss"].append(as_float(loss))
    finally:
        torch.set_num_threads(threads)
    history["scale"].append(as_float(scale_module()))
    return model, history

