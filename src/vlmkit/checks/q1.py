"""Q1 — CLIP contrastive loss: the toy paired data, probes and visible checks.

Conventions (open_clip `ClipLoss`): the learner's `clip_logits` L2-normalises both embeddings,
`logit_scale` is the exponentiated scale, logits_per_image = scale * img @ txt.T (rows are
images), labels arange(N), loss = (CE(rows) + CE(columns)) / 2. `LogitScale` learns
log(scale), initialised at log(1/0.07) and clamped at 100. See shared reference-conventions, Q1.

The toy world the training probe uses lives in toy_clip.py.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F

from vlmkit.checks.common import as_float
from vlmkit.checks.toy_clip import CLASSES, class_prompts, toy_test_set, train_toy_clip
from vlmkit.grading.checking import compare
from vlmkit.grading.checking.judges import diagnose
from vlmkit.grading.checking.registry import Check

# ---------------------------------------------------------------- probes (learner's kernel)

def as_tensor(value, dtype="float32"):
    return torch.tensor(value, dtype=getattr(torch, dtype))


def tensors(case, function):
    """Call the learner's function on the case's arrays, as torch tensors (0-d for numbers)."""
    return function(*[as_tensor(a, case.get("dtype", "float32")) for a in case["tensors"]])


def loss_and_grads(case, loss_fn):
    """The loss on the case's tensors and its gradient w.r.t. every input (None if cut off)."""
    inputs = [as_tensor(a, case.get("dtype", "float32")).requires_grad_() for a in case["tensors"]]
    loss = loss_fn(*inputs)
    if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
        raise TypeError("the loss must be a 0-dim torch tensor that backward() works on")
    loss.backward()
    return {"loss": loss, "grads": [x.grad for x in inputs]}


def seeded_weights(seed, shape):
    """The weights of the seeded scalar sum(output * weights) whose gradients a probe records (float32,
    as the judge redraws them)."""
    return torch.randn(tuple(shape), generator=torch.Generator().manual_seed(seed))


def value_and_grads(case, function):
    """The function's output on the case's tensors and the gradients of sum(output * seeded weights)
    with respect to each input (None where none reaches it)."""
    inputs = [as_tensor(a, case.get("dtype", "float32")).requires_grad_() for a in case["tensors"]]
    value = function(*inputs)
    if isinstance(value, torch.Tensor) and value.requires_grad:
        (value * seeded_weights(case["seed"], value.shape).to(value.dtype)).sum().backward()
    return {"value": value, "grads": [x.grad for x in inputs]}


def directions(case, directional_losses):
    image_to_text, text_to_image = directional_losses(as_tensor(case["logits"]))
    return {"image_to_text": image_to_text, "text_to_image": text_to_image}


def symmetric(case, clip_loss, clip_logits, directional_losses):
    image, text, scale = (as_tensor(a) for a in case["tensors"])
    image_to_text, text_to_image = directional_losses(clip_logits(image, text, scale))
    return {"loss": clip_loss(image, text, scale),
            "image_to_text": image_to_text, "text_to_image": text_to_image}


def scale_init(case, LogitScale):
    module = LogitScale()
    params = {name: p.detach().clone() for name, p in module.named_parameters()}
    value = module()
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"LogitScale() must return a 0-dim tensor, got {type(value).__name__}")
    if value.requires_grad:
        value.backward()
    return {"params": params, "value": value,
            "grads": {name: p.grad for name, p in module.named_parameters()}}


def scale_clamp(case, LogitScale):
    """LogitScale() and its gradient with respect to log_scale, with log_scale set to each of
    case["log_values"] (None where no gradient reaches it)."""
    module, values, grads = LogitScale(), [], []
    for log_value in case["log_values"]:
        with torch.no_grad():
            module.log_scale.fill_(log_value)
        module.zero_grad(set_to_none=True)
        value = module()
        values.append(as_float(value))
        if isinstance(value, torch.Tensor) and value.requires_grad:
            value.sum().backward()
        grads.append(module.log_scale.grad)
    return {"values": values, "grads": grads}


def entropy_curve(case, softmax_entropy):
    similarities = as_tensor(case["similarities"])
    return [as_float(softmax_entropy(s * similarities).mean()) for s in case["scales"]]


def training(case, clip_loss, LogitScale, zero_shot_probs):
    """Train the toy CLIP with the learner's loss and scale; the history, and zero_shot_probs on the
    trained model's embeddings of toy test images and of the class prompts."""
    model, history = train_toy_clip(clip_loss, LogitScale(), case["steps"], seed=case["seed"])
    images, _ = toy_test_set(case["test_size"], case["seed"] + 1)
    with torch.no_grad():
        image_emb, prompt_emb = model.encode_image(images), model.encode_text(class_prompts())
        probs = zero_shot_probs(image_emb, prompt_emb, torch.tensor(history["scale"][-1]))
    return {**history, "image_emb": image_emb, "prompt_emb": prompt_emb, "probs": probs}


PROBES = {"tensors": tensors, "loss_and_grads": loss_and_grads, "value_and_grads": value_and_grads,
          "directions": directions,
          "symmetric": symmetric, "scale_init": scale_init, "scale_clamp": scale_clamp,
          "entropy_curve": entropy_curve, "training": training}

# Functions that work row by row (grading/checking/contracts.py replays one call on a batch of one):
# name -> positions of the batched arguments in the spec's signature.
BATCHWISE = {"clip_logits": (0,), "softmax_entropy": (0,), "zero_shot_probs": (0,)}


# ---------------------------------------------------------------- judges and references (grader's process)

def as_double(value):
    return torch.as_tensor(value, dtype=torch.float64)


def open_clip_loss(kind, tensors, normalise=False):
    """open_clip's ClipLoss ("clip") or SigLipLoss ("siglip") on the case's tensors, in float64,
    features L2-normalised first if asked: (loss, [gradient w.r.t. each input]).

    open_clip is imported here, on first use, because this module is also imported inside every
    q1/q2 kernel, which never needs it (3 s of CPU per notebook). Judges run one at a time in a
    process (engine.grade.JUDGING), so two first imports cannot race.
    """
    from open_clip.loss import ClipLoss, SigLipLoss

    inputs = [as_double(v).requires_grad_() for v in tensors]
    features = [F.normalize(x, dim=-1) if normalise else x for x in inputs[:2]]
    loss = {"clip": ClipLoss, "siglip": SigLipLoss}[kind]()(*features, *inputs[2:])
    loss.backward()
    return loss.item(), [x.grad.numpy() for x in inputs]


def grads_match(output, grads, names, what):
    for name, got, want in zip(names, output["grads"], grads):
        if got is None:
            return (f"no gradient reached {name}: keep everything in the autograd graph "
                    "(no .item(), .detach(), float() or numpy)")
        message = compare.close(got, want, f"gradient of {what} w.r.t. {name}")
        if message:
            return message + diagnose(got, {
                f"it is the right gradient negated: does {name} enter with the right sign?": -np.asarray(want),
                f"it is zero: {name} does not reach the loss": np.zeros_like(want)})
    return None


def ref_directions(logits):
    logits = as_double(logits)
    labels = torch.arange(len(logits))
    return (F.cross_entropy(logits, labels, reduction="none").numpy(),
            F.cross_entropy(logits.T, labels, reduction="none").numpy())


def ref_entropy(logits):
    logp = F.log_softmax(as_double(logits), dim=-1)
    return -(logp.exp() * logp).sum(-1).numpy()


def ref_zero_shot(image, classes, scale):
    image, classes = (F.normalize(as_double(x), dim=-1) for x in (image, classes))
    return (scale * image @ classes.T).softmax(-1).numpy()


def _logits_mistakes(image, text, scale):
    """hint → the logits a common mistake in clip_logits gives (float64): shared by every check
    that runs through clip_logits, so each names the mistake whatever it is checking."""
    image, text = as_double(image), as_double(text)
    cosines = F.normalize(image, dim=-1) @ F.normalize(text, dim=-1).T
    return {
        "it matches embeddings that were not L2-normalised": scale * image @ text.T,
        "rows must be images and columns texts": scale * cosines.T,
        "it matches cosines divided by logit_scale: the scale multiplies them (an inverse temperature)":
            cosines / scale,
        "it matches log(logit_scale) as the scale: logit_scale is already exponentiated":
            math.log(scale) * cosines,
    }


def _clip_mistakes(image, text, scale):
    image, text = as_double(image), as_double(text)
    i2t, t2i = (d.mean() for d in ref_directions(scale * F.normalize(image, dim=-1) @ F.normalize(text, dim=-1).T))
    return {
        "it equals the image→text cross-entropy alone: CLIP averages both directions": i2t,
        "it equals the text→image cross-entropy alone: CLIP averages both directions": t2i,
        **{hint: np.mean([d.mean() for d in ref_directions(logits)])
           for hint, logits in _logits_mistakes(image, text, scale).items()},
        "it matches the two directions summed: average them": i2t + t2i,
        "it matches a sum over the batch: cross-entropy is averaged over the N pairs":
            (i2t + t2i) / 2 * len(image),
    }


def clip_loss_matches(with_grads):
    def judge(case, output):
        expected, grads = open_clip_loss("clip", case["tensors"], normalise=True)
        message = compare.close(output["loss"], expected, "clip_loss")
        if message:
            return message + diagnose(output["loss"], _clip_mistakes(*case["tensors"]))
        names = ("the image embeddings", "the text embeddings", "logit_scale")
        return grads_match(output, grads, names, "clip_loss") if with_grads else None

    return judge


def logits_match(case, output):
    image, text, scale = case["tensors"]
    unit = [F.normalize(as_double(x), dim=-1) for x in (image, text)]
    message = compare.close(output, (scale * unit[0] @ unit[1].T).numpy(), "clip_logits")
    return message and message + diagnose(output, _logits_mistakes(image, text, scale))


def _direction_hints(i2t, t2i):
    return {"the two directions are swapped: image_to_text[i] is row i's cross-entropy": [t2i, i2t],
            "text_to_image is the same as image_to_text: it must use the columns (logits.T)": [i2t, i2t],
            "return one loss per example, not the mean (reduction='none')": [i2t.mean(), t2i.mean()]}


def directions_match(case, output):
    i2t, t2i = ref_directions(case["logits"])
    got = [output["image_to_text"], output["text_to_image"]]
    message = compare.close(got, [i2t, t2i], "directional_losses (image_to_text, text_to_image)")
    return message and message + diagnose(got, _direction_hints(i2t, t2i))


def mean_of_directions(case, output):
    image, text, scale = case["tensors"]
    unit = [F.normalize(as_double(x), dim=-1) for x in (image, text)]
    i2t, t2i = ref_directions(scale * unit[0] @ unit[1].T)
    got = [output["image_to_text"], output["text_to_image"]]
    message = compare.close(got, [i2t, t2i], "directional_losses(clip_logits(...))")
    if message:
        return message + diagnose(got, {**_direction_hints(i2t, t2i), **{
            hint: list(ref_directions(logits)) for hint, logits in _logits_mistakes(image, text, scale).items()}})
    if compare.close(output["loss"], (i2t.mean() + t2i.mean()) / 2, "") is None:
        return None
    one_way = diagnose(output["loss"], {"it uses the image→text direction only": i2t.mean(),
                                        "it uses the text→image direction only": t2i.mean()})
    return "clip_loss is not the mean of the two directions' mean losses" + one_way


ONE_NUMBER = ((), (1,))  # a single number: 0-dim as in open_clip, or shape (1,); both allowed


def one_number(value, what, role):
    """None if `value` is a single number (0-dim or shape (1,)), else a message naming the shape."""
    shape = np.shape(value)
    if shape in ONE_NUMBER:
        return None
    return f"{what} has the wrong shape: {role} is a single number, a 0-dim tensor (shape (1,) also accepted)"


def scalar(value):
    return np.reshape(np.asarray(value, dtype=float), ())


def scale_at_init(case, output):
    params = output["params"]
    if list(params) != ["log_scale"]:
        return (f"LogitScale should hold exactly one parameter, log_scale (the log of the scale); "
                f"it holds {sorted(params)}")
    shape_message = compare.first(
        one_number(params["log_scale"], "log_scale", "the log of the scale"),
        one_number(output["value"], "LogitScale()", "the scale"))
    if shape_message:
        return shape_message
    init = math.log(1 / 0.07)
    grad = output["grads"]["log_scale"]
    return compare.first(
        compare.close(scalar(params["log_scale"]), init, "log_scale at initialisation",
                      atol=1e-6) and "log_scale should start at log(1/0.07), CLIP's initial temperature 0.07",
        compare.close(scalar(output["value"]), 1 / 0.07, "LogitScale() at initialisation", atol=1e-4)
        and "LogitScale() should return the scale itself, exp(log_scale), not its log",
        grad is None and "no gradient reaches log_scale: return a tensor computed from it (no .item())",
        grad is not None and compare.close(scalar(grad), 1 / 0.07, "d LogitScale() / d log_scale", atol=1e-4)
        and "d scale / d log_scale should equal the scale (d eˣ/dx = eˣ)")


def scale_clamped(case, output):
    """The scale is exp(log_scale) capped at 100, and below the cap its gradient with respect to
    log_scale is the scale itself. At and above the cap either gradient is right: 0 (a clamp in
    forward) or the scale (the parameter clamped in place, as open_clip's training loop does)."""
    expected = [min(math.exp(v), 100.0) for v in case["log_values"]]
    message = compare.close(output["values"], expected, f"LogitScale() with log_scale set to {case['log_values']}")
    if message:
        return message + " — the scale is exp(log_scale), capped at 100"
    for log_value, grad in zip(case["log_values"], output["grads"]):
        if log_value >= math.log(100.0) - 1e-3:
            continue
        if grad is None:
            return (f"no gradient reaches log_scale when it is set to {log_value:g}: return a tensor computed "
                    "from it (no .item(), no in-place copy of its value)")
        message = compare.close(scalar(grad), math.exp(log_value), f"d LogitScale() / d log_scale at log_scale = "
                                f"{log_value:g}", atol=1e-4)
        if message:
            return message + " — below the cap, d scale / d log_scale equals the scale (d eˣ/dx = eˣ)"
    return None


def _entropy_mistakes(logits):
    """hint → what a common mistake in softmax_entropy gives on `logits` (one value per row)."""
    columns = F.log_softmax(as_double(logits), dim=0)
    return {"it is in bits: use the natural log (nats)": ref_entropy(logits) / math.log(2),
            "softmax over each row (the last dimension), not over the columns":
                -(columns.exp() * columns).sum(-1).numpy(),
            "entropy is −Σ p log p (mind the sign)": -ref_entropy(logits)}


def entropy_match(case, output):
    logits = np.asarray(case["tensors"][0], dtype=float)
    message = compare.close(output, ref_entropy(logits), "softmax_entropy (one value per row)")
    return message and message + diagnose(output, _entropy_mistakes(logits))


def entropy_falls(case, output):
    sims = np.asarray(case["similarities"])
    expected = [ref_entropy(s * sims).mean() for s in case["scales"]]
    message = compare.close(output, expected, f"mean entropy of softmax(scale × similarities) "
                                              f"for scales {case['scales']}")
    if not message:
        return None
    mistakes = [_entropy_mistakes(s * sims) for s in case["scales"]]
    return message + diagnose(output, {hint: [m[hint].mean() for m in mistakes] for hint in mistakes[0]})


def _zero_shot_mistakes(image, classes, scale):
    """hint → the probabilities a common mistake in zero_shot_probs gives."""
    unit = [F.normalize(as_double(x), dim=-1) for x in (image, classes)]
    return {
        **{hint: torch.softmax(logits, -1).numpy()
           for hint, logits in _logits_mistakes(image, classes, scale).items()},
        "softmax over the classes of each image (the last dimension), not over the images":
            torch.softmax(scale * unit[0] @ unit[1].T, 0).numpy()}


def zero_shot_match(case, output):
    image, classes, scale = case["tensors"]
    expected = ref_zero_shot(image, classes, scale)
    message = compare.close(output, expected, "zero_shot_probs")
    return message and message + diagnose(output, _zero_shot_mistakes(image, classes, scale))


RISE = 1.8  # the toy scale's peak over its start: 2.48 to 5.82 in correct runs, 1.32 at most for a scale
# learned directly instead of its log (tests/checks/test_q1_training.py)
LOSS_DROP = 0.1  # the last 20 steps' loss over the first step's: correct runs end at 0.01 and below


def scale_rises(case, output):
    """The toy training does what the spec promises: the scale starts at 1/0.07, stays under the
    cap, rises (its peak at least RISE times its start, and it ends above its start) and the loss
    falls; zero_shot_probs on the trained embeddings matches the reference's. Nothing here depends
    on how well the toy model classifies: float rounding alone moves a correct run's held-out
    zero-shot accuracy between 0.67 and 0.98. The margins on both sides of RISE and LOSS_DROP,
    over seeds and rounding, are measured in tests/checks/test_q1_training.py."""
    scale, loss = np.asarray(output["scale"], float), np.asarray(output["loss"], float)
    if not (np.all(np.isfinite(scale)) and np.all(np.isfinite(loss))):
        return "training produced NaN or inf"
    if abs(scale[0] - 1 / 0.07) > 1e-3:
        return f"the scale should start at 1/0.07 ≈ 14.29, it started at {scale[0]:.4g}"
    if scale.max() > 100 + 1e-3:
        return f"the scale reached {scale.max():.4g}: it must be clamped at 100"
    if scale.max() < RISE * scale[0] or scale[-1] <= scale[0]:
        return (f"the learned scale went from {scale[0]:.3g} to {scale[-1]:.3g} (at most {scale.max():.3g}): with a "
                f"correct loss it rises as the embeddings align, to well over {RISE:g} times its start — does "
                "clip_loss multiply the cosines by logit_scale, and does LogitScale learn the scale's log?")
    if loss[-20:].mean() > LOSS_DROP * loss[0]:
        return f"the training loss fell only from {loss[0]:.3g} to {loss[-20:].mean():.3g}"
    probs = np.asarray(output["probs"], float)
    if probs.shape != (case["test_size"], len(CLASSES)):
        return f"zero_shot_probs returned shape {probs.shape}, expected (images, classes)"
    image, classes = output["image_emb"], output["prompt_emb"]
    message = compare.close(probs, ref_zero_shot(image, classes, scale[-1]),
                            "zero_shot_probs on the trained model's embeddings", atol=1e-4)
    return message and message + diagnose(probs, _zero_shot_mistakes(image, classes, scale[-1]), atol=1e-4)


# ---------------------------------------------------------------- visible cases

def randn(seed, *shape, scale=1.0):
    return (np.random.default_rng(seed).normal(size=shape) * scale).round(6).tolist()


def unit_rows(seed, n, d):
    x = np.random.default_rng(seed).normal(size=(n, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).round(6)


HUB = [[5.0, 0.0, 0.0],   # text 0 matches image 0 and image 1 equally well;
       [5.0, 10.0, 0.0],  # image 1 still prefers its own text 1
       [0.0, 0.0, 5.0]]

CHECKS = [
    Check("q1.logits.example", "tensors", logits_match,
          {"tensors": [[[3.0, 4.0], [0.0, 2.0]], [[1.0, 0.0], [3.0, 4.0]], 10.0]}),
    Check("q1.loss.oracle", "loss_and_grads", clip_loss_matches(with_grads=False),
          {"tensors": [randn(1, 4, 8), randn(2, 4, 8), 1 / 0.07]}),
    Check("q1.directions.hub", "directions", directions_match, {"logits": HUB}),
    Check("q1.directions.mean", "symmetric", mean_of_directions,
          {"tensors": [randn(3, 5, 6), randn(4, 5, 6), 20.0]}),
    Check("q1.scale.init", "scale_init", scale_at_init, {}),
    Check("q1.scale.clamp", "scale_clamp", scale_clamped,
          {"log_values": [math.log(50), math.log(100), 5.0, 0.0]}),
    Check("q1.entropy.example", "tensors", entropy_match,
          {"tensors": [[[0.0, 0.0, 0.0, 0.0], [8.0, 0.0, 0.0, 0.0], [1.0, 2.0, 3.0, 4.0]]]}),
    Check("q1.entropy.sharpens", "entropy_curve", entropy_falls,
          {"similarities": (unit_rows(5, 6, 4) @ unit_rows(6, 6, 4).T).round(6).tolist(),
           "scales": [1.0, 5.0, 1 / 0.07, 50.0, 100.0]}),
    Check("q1.zeroshot.example", "tensors", zero_shot_match,
          {"tensors": [randn(7, 4, 3), randn(8, 3, 3, scale=[[0.2], [1.0], [5.0]]), 10.0]}),
    Check("q1.train.scale_rises", "training", scale_rises, {"seed": 0, "steps": 300, "test_size": 200}),
]
