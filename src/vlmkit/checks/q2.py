"""Q2 — SigLIP pairwise sigmoid loss: probes and visible checks.

Conventions (open_clip `SigLipLoss`): features are already L2-normalised; logits =
t * img @ txt.T + b; labels +1 on the diagonal, -1 elsewhere; loss = -logsigmoid(labels *
logits).sum() / n. Init t = exp(log 10) = 10, b = -10. On D simulated devices each holds one
chunk of n = B/D pairs; its own block uses those labels, every text chunk received around the
ring adds a block with all labels -1; the batch loss is the mean of the devices' losses.
See shared reference-conventions, Q2.

The chunked probes hand the learner's function a `similarity` that records which chunks each
block of logits was built from and its shape: that is how a judge sees the ring and the peak
block size without trusting a number the learner reports.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F

from vlmkit.checks.common import as_float, call
from vlmkit.checks.q1 import (
    as_double,
    as_tensor,
    grads_match,
    loss_and_grads,
    one_number,
    open_clip_loss,
    ref_directions,
    scalar,
    unit_rows,
)
from vlmkit.grading.checking import compare
from vlmkit.grading.checking.judges import diagnose
from vlmkit.grading.checking.registry import Check

# ---------------------------------------------------------------- probes (learner's kernel)


def scale_init(case, SigLipScale):
    module = SigLipScale()
    params = {name: p.detach().clone() for name, p in module.named_parameters()}
    t, b = module()
    if t.requires_grad or b.requires_grad:
        (t + b).backward()
    return {"params": params, "t": t, "b": b,
            "grads": {name: p.grad for name, p in module.named_parameters()}}


def scale_values(case, SigLipScale):
    """(t, b) returned with log_scale and bias set to each of case["values"], and the gradients of
    t + b with respect to [log_scale, bias] (None where none reaches one)."""
    module, values, grads = SigLipScale(), [], []
    for log_scale, bias in case["values"]:
        with torch.no_grad():
            module.log_scale.fill_(log_scale)
            module.bias.fill_(bias)
        module.zero_grad(set_to_none=True)
        t, b = module()
        values.append([as_float(t), as_float(b)])
        if any(isinstance(x, torch.Tensor) and x.requires_grad for x in (t, b)):
            (t + b).sum().backward()
        grads.append([module.log_scale.grad, module.bias.grad])
    return {"values": values, "grads": grads}


def pairs(case, pair_loss, siglip_loss):
    image, text, t, b = (as_tensor(a, case.get("dtype", "float32")) for a in case["tensors"])
    matrix = [[pair_loss(image[i], text[j], t, b, i == j) for j in range(len(text))]
              for i in range(len(image))]
    return {"pairs": torch.stack([torch.stack(row) for row in matrix]),
            "loss": siglip_loss(image, text, t, b)}


def pair_grads(case, pair_loss):
    """Sum of pair_loss over case["pairs"] ([i, j]: image i with text j, a match iff i == j) and
    its gradient w.r.t. every input (None where no gradient reached it)."""
    image, text, t, b = (as_tensor(a, case.get("dtype", "float32")).requires_grad_() for a in case["tensors"])
    total = sum(pair_loss(image[i], text[j], t, b, i == j) for i, j in case["pairs"])
    if isinstance(total, torch.Tensor) and total.requires_grad:
        total.backward()
    return {"loss": total, "grads": [x.grad for x in (image, text, t, b)]}


def _recording_similarity(image_chunks, text_chunks):
    """A similarity(a, b) = a @ b.T that logs [tag of a, tag of b, rows, cols] for each call.
    Tags: I<i> / T<j> for a chunk, I* / T* for the whole batch, ? for anything else."""
    named = ([(f"I{i}", c) for i, c in enumerate(image_chunks)] +
             [(f"T{j}", c) for j, c in enumerate(text_chunks)] +
             [("I*", torch.cat(image_chunks)), ("T*", torch.cat(text_chunks))])
    blocks = []

    def tag(x):
        return next((name for name, c in named if x.shape == c.shape
                     and torch.allclose(x.detach(), c.detach(), rtol=0, atol=1e-6)), "?")

    def similarity(a, b):
        blocks.append([tag(a), tag(b), int(a.shape[0]), int(b.shape[0])])
        return a @ b.T

    return similarity, blocks


def chunked(case, loss_fn):
    """Split the batch into case["devices"] chunks, call loss_fn(image_chunks, text_chunks,
    *scalars, similarity=recorder), back-propagate; loss, blocks built and gradients."""
    dtype = case.get("dtype", "float32")
    image, text, *scalars = (as_tensor(a, dtype).requires_grad_() for a in case["tensors"])
    n = len(image) // case["devices"]
    similarity, blocks = _recording_similarity(list(image.split(n)), list(text.split(n)))
    loss = loss_fn(list(image.split(n)), list(text.split(n)), *scalars, similarity=similarity)
    if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
        raise TypeError("the loss must be a 0-dim torch tensor that backward() works on")
    loss.backward()
    return {"loss": loss, "blocks": blocks, "grads": [x.grad for x in (image, text, *scalars)]}


PROBES = {"call": call, "loss_and_grads": loss_and_grads, "scale_init": scale_init,
          "scale_values": scale_values, "pairs": pairs, "pair_grads": pair_grads, "chunked": chunked}


# ---------------------------------------------------------------- judges and references (grader's process)

def sigmoid_terms(image, text, t, b, labels=None):
    """−logsigmoid(labels * (t x·y + b)) for every pair, float64; labels default to 2I − 1."""
    logits = t * as_double(image) @ as_double(text).T + b
    labels = 2 * torch.eye(len(logits), dtype=torch.float64) - 1 if labels is None else labels
    return -F.logsigmoid(labels * logits).numpy()


def _siglip_mistakes(image, text, t, b):
    n = len(image)
    return {
        "it matches every label +1: only the diagonal pairs match, all others are negatives (−1)":
            sigmoid_terms(image, text, t, b, torch.ones(n, n, dtype=torch.float64)).sum() / n,
        "it matches negatives labelled 0: the labels are ±1 inside logsigmoid":
            sigmoid_terms(image, text, t, b, torch.eye(n, dtype=torch.float64)).sum() / n,
        "it matches the bias subtracted: logits are t·x·y + b": sigmoid_terms(image, text, t, -b).sum() / n,
        "it matches the mean over all n² pairs: divide the sum by n, the batch size":
            sigmoid_terms(image, text, t, b).mean(),
        "it matches the plain sum: divide by n, the batch size": sigmoid_terms(image, text, t, b).sum(),
        "it matches a softmax cross-entropy: SigLIP uses an independent sigmoid per pair":
            np.mean([d.mean() for d in ref_directions(t * as_double(image) @ as_double(text).T)]),
    }


SIGLIP_INPUTS = ("the image features", "the text features", "logit_scale", "logit_bias")


def siglip_loss_matches(with_grads):
    def judge(case, output):
        expected, grads = open_clip_loss("siglip", case["tensors"])
        message = compare.close(output["loss"], expected, "siglip_loss")
        if message:
            return message + diagnose(output["loss"], _siglip_mistakes(*case["tensors"]))
        return grads_match(output, grads, SIGLIP_INPUTS, "siglip_loss") if with_grads else None

    return judge


def labels_match(case, output):
    (n,) = case["args"]
    message = compare.close(output, 2 * np.eye(n) - 1, f"siglip_labels({n})")
    if message:
        return message + diagnose(output, {
            "negatives are labelled −1, not 0": np.eye(n), "only the diagonal pairs match": np.ones((n, n))})
    if not (isinstance(output, np.ndarray) and output.dtype.kind == "f"):
        return f"siglip_labels({n}) should return a float tensor (its values are right)"
    return None


def sigmoid_scale_at_init(case, output):
    params = output["params"]
    if sorted(params) != ["bias", "log_scale"]:
        return f"SigLipScale should hold two parameters, log_scale and bias; it holds {sorted(params)}"
    shape_message = compare.first(
        one_number(params["log_scale"], "log_scale", "the log of t"),
        one_number(params["bias"], "bias", "b"),
        one_number(output["t"], "t returned by SigLipScale()", "t"),
        one_number(output["b"], "b returned by SigLipScale()", "b"))
    if shape_message:
        return shape_message
    grads = output["grads"]
    return compare.first(
        compare.close(scalar(params["log_scale"]), math.log(10), "log_scale at init", atol=1e-6)
        and "log_scale should start at log 10 (t = 10)",
        compare.close(scalar(params["bias"]), -10.0, "bias at init", atol=1e-6) and "the bias should start at −10",
        compare.close([scalar(output["t"]), scalar(output["b"])], [10.0, -10.0], "SigLipScale() at init",
                      atol=1e-4) and "SigLipScale() should return (t, b) = (exp(log_scale), bias)",
        (grads["log_scale"] is None or grads["bias"] is None)
        and "no gradient reaches the parameters: return tensors computed from them",
        compare.close([scalar(grads["log_scale"]), scalar(grads["bias"])], [10.0, 1.0],
                      "d(t + b)/d(log_scale, bias)", atol=1e-4) and "t must be exp(log_scale) and b the bias itself")


def pair_mistakes(image, text, t, b):
    """hint → the (images × texts) matrix of per-pair terms a common mistake in pair_loss gives."""
    return {"it matches the sigmoid probability: the loss is −log σ(z · logit)":
                np.exp(-sigmoid_terms(image, text, t, b)),
            "it matches negatives labelled 0: z is ±1":
                sigmoid_terms(image, text, t, b, torch.eye(len(image), dtype=torch.float64)),
            "it matches the bias subtracted: the logit is t·x·y + b": sigmoid_terms(image, text, t, -b)}


def pairs_decompose(case, output):
    image, text, t, b = case["tensors"]
    expected = sigmoid_terms(image, text, t, b)
    n = len(expected)
    message = compare.close(output["pairs"], expected, "pair_loss over every (image i, text j)")
    if message:
        return message + diagnose(output["pairs"], pair_mistakes(image, text, t, b))
    message = compare.close(output["loss"], expected.sum() / n,
                            "siglip_loss compared with the sum of pair_loss over all pairs / n")
    return message and message + " — the loss should be exactly the sum of the per-pair terms, over n"


def _local_block_terms(case, labels_for):
    """Sum over devices i and chunks j of the sigmoid terms of block (i, j), labelled by labels_for."""
    image, text, t, b = (np.asarray(x, dtype=float) for x in case["tensors"])
    d = case["devices"]
    n = len(image) // d
    total = 0.0
    for i in range(d):
        for j in range(d):
            labels = labels_for(i, j, n)
            if labels is not None:
                total += sigmoid_terms(image[i * n:(i + 1) * n], text[j * n:(j + 1) * n], float(t),
                                       float(b), torch.as_tensor(labels, dtype=torch.float64)).sum()
    return total


def _ring_mistakes(case):
    d = case["devices"]
    n = len(case["tensors"][0]) // d
    own = 2 * np.eye(n) - 1
    per_device = _local_block_terms(case, lambda i, j, n: own if i == j else -np.ones((n, n))) / n
    return {
        "the own block's pairs are all labelled +1: only its diagonal pairs match (see siglip_labels)":
            _local_block_terms(case, lambda i, j, n: np.ones((n, n)) if i == j else -np.ones((n, n))) / n / d,
        "the own block's negatives are labelled 0: labels are ±1 (see siglip_labels)":
            _local_block_terms(case, lambda i, j, n: np.eye(n) if i == j else -np.ones((n, n))) / n / d,
        "the received blocks are labelled 0: every pair in them is a negative (−1)":
            _local_block_terms(case, lambda i, j, n: own if i == j else np.zeros((n, n))) / n / d,
        "it matches a ring without each device's own block (where the positives are)":
            _local_block_terms(case, lambda i, j, n: None if i == j else -np.ones((n, n))) / n / d,
        "received blocks were labelled like the own block: every pair in them is a negative (−1)":
            _local_block_terms(case, lambda i, j, n: own) / n / d,
        "it matches the devices' own blocks only: the other chunks' texts must come round the ring":
            _local_block_terms(case, lambda i, j, n: own if i == j else None) / n / d,
        "it matches the sum of the devices' losses: average them": per_device,
        "it matches dividing by the whole batch on each device: each device divides by its chunk "
        "size B/D, then the devices are averaged": per_device / d ** 2,
    }


def ring_matches(with_grads):
    def judge(case, output):
        expected, grads = open_clip_loss("siglip", case["tensors"])
        message = compare.close(output["loss"], expected, "ring_siglip_loss compared with the full-batch loss")
        if message:
            return message + diagnose(output["loss"], _ring_mistakes(case))
        return grads_match(output, grads, SIGLIP_INPUTS, "ring_siglip_loss") if with_grads else None

    return judge


def ring_blocks(case, output):
    """Every block is (image chunk i, text chunk j), (B/D)² at most; device i meets text chunks
    i, i∓1, i∓2, ... in that order (one neighbour exchange per step)."""
    d, blocks = case["devices"], output["blocks"]
    n = len(case["tensors"][0]) // d
    if not blocks:
        return "ring_siglip_loss never called `similarity`: build every block of logits with it"
    peak = max(rows * cols for _, _, rows, cols in blocks)
    if peak > n * n:
        return (f"the largest block of logits had {peak} entries; on a ring each device only ever "
                f"holds its own image chunk and one text chunk: (B/D)² = {n * n}")
    if any(not (a[0] == "I" and b[0] == "T" and a[1:].isdigit() and b[1:].isdigit()) for a, b, _, _ in blocks):
        return ("call similarity(image_chunk, text_chunk) with the chunks you were given "
                "(image chunk first, features unchanged)")
    met = {i: [int(b[1:]) for a, b, _, _ in blocks if a == f"I{i}"] for i in range(d)}
    if any(sorted(met[i]) != list(range(d)) for i in range(d)):
        return f"each device must meet every text chunk exactly once; device → chunks met: {met}"
    if any(all(met[i] == [(i + step * k) % d for k in range(d)] for i in range(d)) for step in (-1, 1)):
        return None
    return ("not a ring: device i starts with its own text chunk, then receives one chunk per step "
            f"from its neighbour (i−1, i−2, … mod D); device → chunks in order: {met}")


def local_clip_matches(case, output):
    image, text, scale = case["tensors"]
    d = case["devices"]
    n = len(image) // d
    chunks = [(image[i * n:(i + 1) * n], text[i * n:(i + 1) * n]) for i in range(d)]
    per_device = [open_clip_loss("clip", [img, txt, scale]) for img, txt in chunks]
    expected = np.mean([loss for loss, _ in per_device])
    message = compare.close(output["loss"], expected, "local_clip_loss")
    if message:
        return message + diagnose(output["loss"], {
            "it matches the full-batch CLIP loss: here each device must use its own chunk alone "
            "(that is the point: see how far it is from the full loss)": open_clip_loss("clip", case["tensors"])[0]})
    own = {frozenset((f"I{i}", f"T{i}")) for i in range(d)}
    if {frozenset(block[:2]) for block in output["blocks"]} != own:
        return ("local_clip_loss must build each device's block of logits with `similarity` (the argument "
                "it is given), from that device's own image and text chunks only")
    if not case.get("grads"):
        return None
    grads = [np.concatenate([g[k] for _, g in per_device]) / d for k in range(2)]
    grads.append(np.mean([g[2] for _, g in per_device]))
    return grads_match(output, grads, SIGLIP_INPUTS[:2] + ("logit_scale",), "local_clip_loss")


def _gathered_mistakes(case):
    image, text, scale = (as_double(x) for x in case["tensors"])
    d = case["devices"]
    n = len(image) // d
    logits, labels = scale * image @ text.T, torch.arange(n)
    no_offset = [(F.cross_entropy(logits[i * n:(i + 1) * n], labels) +
                  F.cross_entropy(logits.T[i * n:(i + 1) * n], labels)) / 2 for i in range(d)]
    return {"labels must point into the gathered batch: device i's pairs are columns i·n … i·n + n − 1":
            torch.stack(no_offset).mean().item(),
            "it matches image→text only: average both directions": F.cross_entropy(
                logits, torch.arange(len(image))).item()}


def gathered_matches(with_grads):
    def judge(case, output):
        d, blocks = case["devices"], output["blocks"]
        batch = len(case["tensors"][0])
        expected, grads = open_clip_loss("clip", case["tensors"])
        message = compare.close(output["loss"], expected, "gathered_clip_loss compared with the full CLIP loss")
        if message:
            return message + diagnose(output["loss"], _gathered_mistakes(case))
        if not blocks:
            return "gathered_clip_loss never called `similarity`: build every block of logits with it"
        peak = max(rows * cols for _, _, rows, cols in blocks)
        if peak > batch * batch // d:
            return (f"the largest block of logits had {peak} entries: each device needs only its own "
                    f"rows against the gathered batch, (B/D) × B = {batch * batch // d}")
        return grads_match(output, grads, SIGLIP_INPUTS[:2] + ("logit_scale",),
                            "gathered_clip_loss") if with_grads else None

    return judge


# ---------------------------------------------------------------- visible cases

def features(seed, b, width):
    """Two sets of unit rows whose pairs are related (text = image + noise), as lists."""
    image = unit_rows(seed, b, width)
    text = image + 0.8 * np.random.default_rng(seed + 1).normal(size=image.shape)
    return [image.tolist(), (text / np.linalg.norm(text, axis=1, keepdims=True)).round(6).tolist()]


CHECKS = [
    Check("q2.labels.example", "call", labels_match, {"args": [3]}),
    Check("q2.loss.oracle", "loss_and_grads", siglip_loss_matches(with_grads=False),
          {"tensors": [*features(1, 5, 8), 10.0, -10.0]}),
    Check("q2.scale.init", "scale_init", sigmoid_scale_at_init, {}),
    Check("q2.pairs.decompose", "pairs", pairs_decompose, {"tensors": [*features(2, 4, 6), 10.0, -10.0]}),
    Check("q2.ring.equals_full", "chunked", ring_matches(with_grads=False),
          {"tensors": [*features(3, 8, 6), 10.0, -10.0], "devices": 4}),
    Check("q2.ring.blocks", "chunked", ring_blocks,
          {"tensors": [*features(3, 8, 6), 10.0, -10.0], "devices": 4}),
    Check("q2.softmax.local", "chunked", local_clip_matches,
          {"tensors": [*features(4, 8, 6), 10.0], "devices": 4}),
    Check("q2.softmax.gathered", "chunked", gathered_matches(with_grads=False),
          {"tensors": [*features(4, 8, 6), 10.0], "devices": 4}),
]
