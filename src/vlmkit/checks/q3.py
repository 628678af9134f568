"""Q3 — bridges between a vision encoder and an LLM: probes and visible checks.

The probe builds the learner's module from a case (constructor arguments, seed), records the
fresh module (its output, the initial values of the parameters the docstring prescribes, its
gradients), then moves EVERY parameter (norm weights and biases, gates and queries included) by
seeded noise, so that each one matters, runs it again and takes the gradients of a seeded scalar
of the output with respect to every parameter and each input. The judge, in the grader's
process, builds the transformers reference from a tiny config, loads the learner's weights
(fresh or moved; names mapped below) and compares outputs and gradients on the same inputs:
- MLPProjector            → LlavaMultiModalProjector
- QFormerBridge           → Blip2QFormerModel (cross-attention in every layer, no text branch)
                            + a linear projection (BLIP-2's language_projection)
- PerceiverResampler      → IdeficsPerceiverResampler (head_dim = dim / num_heads)
- GatedCrossAttentionBlock→ IdeficsGatedCrossAttentionLayer (scalar alphas)
Initialisations the docstrings prescribe (queries normal(0, 0.02), latents standard normal,
alphas 0) are judged on the fresh module, and so are its gradients: a gated block that skips a
branch while its gate is closed returns the right values, but its alpha gets no gradient and the
gate can never open. A failing output or count names the known mistake that explains it where
one does (q3_mistakes). See shared reference-conventions, Q3.
"""

import math

import numpy as np
import torch

from vlmkit.checks.q3_mistakes import MISTAKES, count_hint, tokens_hint
from vlmkit.grading.checking import compare
from vlmkit.grading.checking.judges import HINT, bare_message, diagnose
from vlmkit.grading.checking.registry import Check

NOISE = 0.3  # std of the seeded noise added to every parameter before the comparison
ATOL = 2e-5  # a bridge's output vs the reference's (float32 through a few layers)
MOVED = "with every parameter moved off its initial value"
AT_INIT = "at initialisation"
INPUTS = {"mlp": ("image_features",), "qformer": ("image_features",), "perceiver": ("context",),
          "gated": ("x", "visual")}  # each forward's inputs, as the docstrings name them


def references():
    """The transformers references (q3_references), imported on the judge's first use so that
    learner kernels, which import this module for its probes, never load transformers (seconds of
    CPU per notebook). The grader loads and judges one notebook at a time (engine.grade.JUDGING), so two
    threads never race on this first import."""
    from vlmkit.checks import q3_references

    return q3_references


def randn(seed, shape):
    """Inputs that the probe and the judge both rebuild from a seed."""
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def call_inputs(case, i):
    """The inputs of call i; case["scales"][i] (optional) multiplies each input, e.g. by 1e-3 so
    that a norm's eps matters."""
    scales = case.get("scales", [None] * len(case["calls"]))[i] or [1.0] * len(case["calls"][i])
    return [randn(case["seed"] * 100 + 10 * i + j, shape) * scale
            for j, (shape, scale) in enumerate(zip(case["calls"][i], scales))]


# ---------------------------------------------------------------- probes (learner's kernel)

def _perturb(m, seed):
    """Move every parameter by seeded noise (in registration order)."""
    g = torch.Generator().manual_seed(seed)
    for p in m.parameters():
        p.add_(torch.randn(p.shape, generator=g) * NOISE)


def _gradients(m, case):
    """Gradients of sum(output * seeded weights) on call 0 with respect to every parameter and each
    input (None where no gradient reaches one). The inputs enter as copies of leaves, as an
    encoder's activations would."""
    leaves = [x.requires_grad_() for x in call_inputs(case, 0)]
    m.zero_grad(set_to_none=True)
    try:
        with torch.enable_grad():
            out = m(*[x.clone() for x in leaves])
            (out * randn(case["seed"] * 100 + 99, out.shape)).sum().backward()
    except RuntimeError:  # nothing in the output requires grad
        pass
    grad = lambda t: None if t.grad is None else t.grad.detach().clone()  # noqa: E731
    return {"params": {n: grad(p) for n, p in m.named_parameters()}, "inputs": [grad(x) for x in leaves]}


def _state(m):
    return {k: v.detach().clone() for k, v in m.state_dict().items()}


def module(case, cls):
    """Build cls(*args, **kwargs) seeded; record the named parameters, the fresh values of those in
    case["inspect"], the fresh outputs when case["fresh"], the fresh state and its gradients when
    case["grads_at_init"]; then (unless case["perturb"] is False) move every parameter by seeded
    noise, set those in case["set"], scale those in case["scale"], run each call again and take
    the gradients."""
    torch.manual_seed(case["seed"])
    m = cls(*case["args"], **case.get("kwargs", {})).eval()
    named = dict(m.named_parameters())
    record = {"params": list(named), "trainable": [n for n, p in named.items() if p.requires_grad],
              "fresh": {n: named[n].detach().clone() for n in case.get("inspect", ()) if n in named}}
    calls = range(len(case["calls"]))
    if case.get("fresh"):
        with torch.no_grad():
            record["init"] = [m(*call_inputs(case, i)) for i in calls]
    if case.get("grads_at_init"):  # a closed gate must still pass a gradient to alpha
        record["at_init"] = {"state": _state(m), "grads": _gradients(m, case)}
    if case.get("perturb", True):
        with torch.no_grad():
            _perturb(m, case["seed"] + 7)
            for name, value in case.get("set", {}).items():
                m.get_parameter(name).fill_(value)
            for name, factor in case.get("scale", {}).items():  # e.g. small queries: a norm's eps matters
                m.get_parameter(name).mul_(factor)
            record["out"] = [m(*call_inputs(case, i)) for i in calls]
        record["grads"] = _gradients(m, case)
    record["state"] = _state(m)
    return record


def modules(case, cls):
    """The `module` probe once per entry of case["builds"] (several sizes in one check)."""
    return [module(build, cls) for build in case["builds"]]


def report(case, bridge_report):
    return bridge_report(case["sizes"], case["patch_counts"])


def count(case, count_parameters):
    """count_parameters on small modules with a frozen part and buffers (BatchNorm's running
    statistics), one of them on the meta device."""
    out = []
    for a, b, c, meta in case["modules"]:
        with torch.device("meta" if meta else "cpu"):
            m = torch.nn.Sequential(torch.nn.Linear(a, b), torch.nn.BatchNorm1d(b), torch.nn.Linear(b, c, bias=False))
        m[0].requires_grad_(False)
        out.append(count_parameters(m))
    return out


PROBES = {"module": module, "modules": modules, "report": report, "count": count}

# Modules whose forward works item by item along the batch (grading/checking/contracts.py replays one call
# on a batch of one): name -> positions of the batched arguments in the spec's forward.
BATCHWISE = {"MLPProjector.forward": (0,), "QFormerBridge.forward": (0,), "PerceiverResampler.forward": (0,),
             "GatedCrossAttentionBlock.forward": (0, 1)}

# Functions replayed for state once in the notebook, not in every later check (grading/checking/contracts.py):
# name -> why. Measured on the solution: every call costs the same, whatever the sizes.
REPLAYED_ONCE = {"bridge_report": "builds and runs the three bridges on the meta device: 0.1-0.25 s a call"}


# ---------------------------------------------------------------- judges and references (grader's process)

def _learned(kind, what, case, output):
    """The parameters the docstring names: registered, trainable, of the documented shape."""
    for name, (shape, shape_text) in references().learned_parameters(case, kind).items():
        if name not in output["params"]:
            return f"{what}: {name} must be learned (an nn.Parameter), not a constant or a buffer"
        if name not in output["trainable"]:
            return f"{what}: {name} must be learned (requires_grad=True)"
        if tuple(np.shape(output["state"][name])) != shape:
            return f"{what}: {name} has the wrong shape — the docstring gives {shape_text}"
    return None


class WrongWeights(Exception):
    """The learner's state_dict does not fit the reference; the message says what to change."""


def _loaded(kind, what, case, state):
    """(the learner's weights, the reference holding them as a function of its inputs, how to call
    it) for the learner's `state`; WrongWeights when a name or shape does not fit."""
    refs = references()
    weights = refs.Weights(state)
    try:
        ref, ref_state, forward = refs.BRIDGES[kind][0](case, weights)
    except KeyError as err:
        raise WrongWeights(f"{what}: your module has no parameter {err} — name the parts as the docstring says "
                           "(the test copies your weights into the reference by these names)") from None
    if set(weights.state) - weights.used:
        raise WrongWeights(f"{what}: your module has parameters that the reference does not have "
                           "(compare your attributes, and where the docstring says bias=False, with the docstring)")
    wrong = [k for k, v in ref.state_dict().items() if k in ref_state and tuple(ref_state[k].shape) != tuple(v.shape)]
    if wrong:
        raise WrongWeights(f"{what}: a parameter has the wrong shape (the one copied into the reference's {wrong[0]})")
    return weights, _caller(ref, ref_state), forward


def matches_reference(kind, what):
    """Judge: right output shapes, learned parameters registered as (trainable) parameters of the
    documented shapes, and the same outputs and gradients (every parameter, each input) as the
    transformers reference holding the learner's (moved) weights."""
    def judge(case, output):
        refs = references()
        _, out_shape, shape_rule, _ = refs.BRIDGES[kind]
        sizes = refs.sizes(case, kind)
        outputs = output["out"]
        for i, shapes in enumerate(case["calls"]):
            if list(np.shape(outputs[i])) != out_shape(sizes, shapes):
                return f"{what}: an output has the wrong shape — it should be {shape_rule}"
        message = _learned(kind, what, case, output)
        if message:
            return message
        try:
            weights, call, forward = _loaded(kind, what, case, output["state"])
        except WrongWeights as err:
            return str(err)
        with torch.no_grad():
            for i in range(len(case["calls"])):
                message = compare.close(outputs[i], forward(call, *call_inputs(case, i)).numpy(),
                                        f"{what}, output with your weights (every parameter moved off its "
                                        "initial value) vs the reference's", atol=ATOL)
                if message:
                    return message + _known_mistake(kind, case, weights, outputs[i], call_inputs(case, i))
        return _same_gradients(kind, what, case, output["grads"], (weights, call, forward), MOVED)

    return judge


def gradients_at_init(kind, what):
    """Judge: the fresh module's gradients (every parameter, each input; probe case with
    "grads_at_init") equal the reference's holding the same fresh weights."""
    def judge(case, output):
        try:
            reference = _loaded(kind, what, case, output["at_init"]["state"])
        except WrongWeights as err:
            return str(err)
        return _same_gradients(kind, what, case, output["at_init"]["grads"], reference, AT_INIT)

    return judge


def _caller(ref, state):
    """The reference holding `state` (the learner's weights), as a function of its inputs."""
    ref.load_state_dict(state, strict=True)
    ref.eval()
    return lambda *args, **kwargs: torch.func.functional_call(ref, state, args, kwargs)


def _known_mistake(kind, case, weights, output, inputs):
    """HINT and the first of MISTAKES[kind] whose reference, with the learner's weights, gives
    `output` on `inputs`; "" if none does (call under torch.no_grad)."""
    run = references().BRIDGES[kind][0]
    candidates = {}
    for hint, patch in MISTAKES[kind].items():
        ref, state, forward = run(case, weights)
        patch(ref)
        candidates[hint] = forward(_caller(ref, state), *inputs).numpy()
    return diagnose(output, candidates, atol=ATOL)


def _same_gradients(kind, what, case, grads, reference, when):
    """The learner's gradients (from the probe) with respect to every parameter and each input vs
    the reference's, both of sum(output * seeded weights) on call 0; `when` names the parameters'
    values ("at initialisation" or moved). A gradient that is missing or all zero where the
    reference's is not gets its own message: nothing before that point can learn."""
    weights, call, forward = reference
    names = sorted(weights.used)
    inputs = [x.requires_grad_() for x in call_inputs(case, 0)]
    out = forward(call, *inputs)
    loss = (out * randn(case["seed"] * 100 + 99, out.shape)).sum()
    wrt = [weights.state[n] for n in names] + inputs
    expected = torch.autograd.grad(loss, wrt, allow_unused=True)
    got = [grads["params"].get(n) for n in names] + grads["inputs"]
    labels = names + [f"the input {n}" for n in INPUTS[kind]]
    gates = references().learned_parameters(case, kind) if kind == "gated" else {}
    for label, tensor, exp, mine in zip(labels, wrt, expected, got):
        exp = torch.zeros_like(tensor) if exp is None else exp.detach()
        absent = mine is None or not np.any(mine)
        scale = max(1.0, float(exp.abs().max()))
        message = compare.close(np.zeros(tuple(exp.shape)) if mine is None else mine, exp.numpy(),
                                f"{what}: the gradient {when} with respect to {label}", atol=1e-4 * scale, rtol=1e-3)
        if not message:
            continue
        if absent and label in gates and not torch.any(tensor != 0):
            return (f"{what}: the gate {label} receives no gradient {when} (tanh(0) = 0 must still pass a "
                    "gradient to alpha): do not skip the branch when the gate is closed")
        if absent:
            return (f"{what}: no gradient reaches {label} {when} — is something detached, or computed under "
                    "torch.no_grad(), on the way to the output?")
        return message + " (the outputs match: is something detached on the way?)"
    return None


def gate_is_shut(case, output):
    """At init a gated block returns its input exactly: tanh(0) = 0 shuts both branches."""
    for i in range(len(case["calls"])):
        x = call_inputs(case, i)[0].numpy()
        message = compare.close(output["init"][i], x, "a fresh block's output vs its input x", atol=1e-6, rtol=0)
        if message:
            return message + " — at init the block must be exactly the identity (gates shut)"
    return None


def alphas_start_at_zero(case, output):
    """Both alphas of a fresh block are exactly 0, of shape (1,)."""
    for name in ("alpha_xattn", "alpha_dense"):
        if name not in output["fresh"]:
            return f"GatedCrossAttentionBlock: {name} must be an nn.Parameter"
        value = np.asarray(output["fresh"][name])
        if value.shape != (1,):
            return f"GatedCrossAttentionBlock: {name} has the wrong shape — the docstring gives (1,)"
        if np.any(value != 0):
            return f"GatedCrossAttentionBlock: {name} of a fresh block should be initialised to exactly 0"
    return None


def _normal_init(kind, what, name, mean, std, shape_text):
    """Judge: the fresh parameter `name` looks drawn from normal(mean, std) (mean, spread, tails)."""

    def judge(case, output):
        if name not in case.get("inspect", ()):
            return None
        if name not in output["fresh"]:
            return f"{what}: {name} must be an nn.Parameter"
        value = np.asarray(output["fresh"][name], dtype=float).ravel()
        expected_shape = references().learned_parameters(case, kind)[name][0]
        if tuple(np.shape(output["fresh"][name])) != expected_shape:
            return f"{what}: {name} has the wrong shape — the docstring gives {shape_text}"
        n = value.size
        m, s = value.mean(), value.std()
        wrong = (abs(m - mean) > 5 * std / math.sqrt(n) or abs(s / std - 1) > 5 / math.sqrt(2 * n) + 0.02)
        kurtosis = ((value - m) ** 4).mean() / max(s ** 4, 1e-30)
        if wrong or abs(kurtosis - 3) > 5 * math.sqrt(24 / n) + 0.1:
            return (f"{what}: the initial values of {name} do not look drawn from the distribution the "
                    "docstring gives (mean, standard deviation or shape of the distribution)")
        return None

    return judge


queries_init = _normal_init("qformer", "QFormerBridge", "query_tokens", 0.0, 0.02, "(1, num_queries, dim)")
latents_init = _normal_init("perceiver", "PerceiverResampler", "latents", 0.0, 1.0, "(num_latents, dim)")


def both(*judges):
    """A judge that passes when all of `judges` pass (the first failure's message otherwise)."""
    return lambda case, output: next(filter(None, (j(case, output) for j in judges)), None)


# Advantages in numbers: what bridge_report measures, from the references.

def reference_parts(sizes):
    """Each bridge at `sizes`, from the transformers references (meta device): its parts' parameter
    counts ({part: count}, summing to the bridge's count) and its number of parameter tensors."""
    v, t, q, p, g = (sizes[k] for k in ("vision_dim", "text_dim", "qformer", "perceiver", "gated"))
    refs = references()
    with torch.device("meta"):
        mlp = refs.mlp_reference(v, t)
        qformer = refs.qformer_reference(v, q["dim"], q["num_layers"], q["num_heads"])
        perceiver = refs.perceiver_reference(v, p["depth"], p["num_heads"], p["num_latents"])
        gated = refs.gated_reference(t, v, g["num_heads"], g["hidden_dim"])
    n = lambda m: sum(x.numel() for x in m.parameters())  # noqa: E731
    tensors = lambda m: len(list(m.parameters()))  # noqa: E731
    biases = sum(x.numel() for name, x in mlp.named_parameters() if name.endswith("bias"))
    final_norm = n(perceiver.layer_norm)
    parts = {"mlp": {"the weights": n(mlp) - biases, "the projector's biases": biases},
             "qformer": {"the Q-Former layers": n(qformer), "the learned queries": q["num_queries"] * q["dim"],
                         "the projection to text_dim": q["dim"] * t + t},
             "perceiver": {"the resampler before its final LayerNorm": n(perceiver) - final_norm,
                           "the final LayerNorm": final_norm,
                           "the gated cross-attention blocks": g["num_layers"] * n(gated)}}
    return {"mlp": (parts["mlp"], tensors(mlp)),
            "qformer": (parts["qformer"], tensors(qformer) + 3),  # + queries, projection weight and bias
            "perceiver": (parts["perceiver"], tensors(perceiver) + g["num_layers"] * tensors(gated))}


LABELS = {"mlp": "MLP projector", "qformer": "Q-Former bridge", "perceiver": "Perceiver resampler + gated blocks"}


def is_int(x):
    return type(x) is int


def report_is_right(case, output):
    if not isinstance(output, dict) or not {"params", "tokens", "gate_change_at_init"} <= set(output):
        return "bridge_report should return a dict with 'params', 'tokens' and 'gate_change_at_init'"
    if not isinstance(output["params"], dict) or not isinstance(output["tokens"], dict):
        return "bridge_report: 'params' and 'tokens' should be dicts keyed by 'mlp', 'qformer', 'perceiver'"
    bridges, sizes = reference_parts(case["sizes"]), case["sizes"]
    patches = case["patch_counts"]
    tokens = {"mlp": list(patches), "qformer": [sizes["qformer"]["num_queries"]] * len(patches),
              "perceiver": [sizes["perceiver"]["num_latents"]] * len(patches)}
    for name, label in LABELS.items():
        count_, toks = output["params"].get(name), output["tokens"].get(name)
        if not is_int(count_):
            return f"parameter count of the {label}: should be a Python int"
        if not isinstance(toks, list) or not all(is_int(k) for k in toks):
            return f"visual tokens out of the {label}: should be a list of Python ints"
        parts, tensors = bridges[name]
        message = compare.equal(count_, sum(parts.values()), f"parameter count of the {label}")
        if message:
            return message + HINT + count_hint(count_, parts, tensors)
        message = compare.equal(toks, tokens[name],
                                f"visual tokens out of the {label} (one count per entry of patch_counts)")
        if message:
            return message + (HINT + tokens_hint(toks, tokens[name], patches) if bare_message(message) else "")
    if type(output["gate_change_at_init"]) is not float:
        return "gate_change_at_init: should be a Python float (e.g. from .item())"
    message = compare.close(output["gate_change_at_init"], 0.0, "gate_change_at_init", atol=1e-6, rtol=0)
    return message and message + " — a fresh gated block should not change its input at all"


# ---------------------------------------------------------------- visible cases

REALISTIC = {"vision_dim": 1024, "text_dim": 4096,
             "qformer": {"dim": 768, "num_layers": 12, "num_heads": 12, "num_queries": 32},
             "perceiver": {"depth": 6, "num_heads": 16, "num_latents": 64},
             "gated": {"num_layers": 8, "num_heads": 32, "hidden_dim": 11008}}

CHECKS = [
    Check("q3.mlp.llava", "module", both(matches_reference("mlp", "MLPProjector"),
                                         gradients_at_init("mlp", "MLPProjector")),
          {"args": [12, 20], "seed": 1, "calls": [[[2, 7, 12]]], "grads_at_init": True}),
    Check("q3.qformer.blip2", "module",
          both(queries_init, matches_reference("qformer", "QFormerBridge"),
               gradients_at_init("qformer", "QFormerBridge")),
          {"args": [12, 20], "kwargs": {"dim": 16, "num_layers": 2, "num_heads": 2}, "seed": 2,
           "calls": [[[1, 576, 12]], [[2, 9, 12]]], "inspect": ["query_tokens"], "grads_at_init": True}),
    Check("q3.perceiver.idefics", "module",
          both(latents_init, matches_reference("perceiver", "PerceiverResampler"),
               gradients_at_init("perceiver", "PerceiverResampler")),
          {"args": [16], "kwargs": {"depth": 2, "num_heads": 2, "num_latents": 8}, "seed": 3,
           "calls": [[[2, 5, 16]], [[1, 50, 16]]], "inspect": ["latents"], "grads_at_init": True}),
    Check("q3.gated.identity_at_init", "module",
          both(alphas_start_at_zero, gate_is_shut, gradients_at_init("gated", "GatedCrossAttentionBlock")),
          {"args": [16, 12, 2, 24], "seed": 4, "calls": [[[2, 6, 16], [2, 8, 12]]], "fresh": True,
           "perturb": False, "inspect": ["alpha_xattn", "alpha_dense"], "grads_at_init": True}),
    Check("q3.gated.idefics", "module", matches_reference("gated", "GatedCrossAttentionBlock"),
          {"args": [16, 12, 2, 24], "seed": 5, "calls": [[[2, 6, 16], [2, 8, 12]]],
           "set": {"alpha_xattn": 0.7, "alpha_dense": -0.4}}),
    Check("q3.report.realistic", "report", report_is_right, {"sizes": REALISTIC, "patch_counts": [576, 100]}),
]
