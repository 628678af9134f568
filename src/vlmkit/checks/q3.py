"""Q3 — bridges between a vision encoder and an LLM: probes and visible checks.

The probe builds the learner's module from a case (constructor arguments, seed), runs it on
inputs made from the seed and returns its parameter names, state_dict and outputs. The judge,
in the grader's process, builds the transformers reference from a tiny config, loads the
learner's weights (names mapped below) and compares outputs on the same inputs:
- MLPProjector            → LlavaMultiModalProjector
- QFormerBridge           → Blip2QFormerModel (cross-attention in every layer, no text branch)
                            + a linear projection (BLIP-2's language_projection)
- PerceiverResampler      → IdeficsPerceiverResampler (head_dim = dim / num_heads)
- GatedCrossAttentionBlock→ IdeficsGatedCrossAttentionLayer (scalar alphas)
See shared reference-conventions, Q3.
"""

import numpy as np
import torch

from vlmkit.grading import compare
from vlmkit.grading.registry import Check


def randn(seed, shape):
    """Inputs that the probe and the judge both rebuild from a seed."""
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def call_inputs(case, i):
    return [randn(case["seed"] * 100 + 10 * i + j, shape) for j, shape in enumerate(case["calls"][i])]


# ---------------------------------------------------------------- probes (learner's kernel)

def module(case, cls):
    """Build cls(*args, **kwargs) seeded, run it on each call's inputs; optionally set parameters
    (e.g. open the gates) and run again."""
    torch.manual_seed(case["seed"])
    m = cls(*case["args"], **case.get("kwargs", {})).eval()
    record = {"params": [name for name, _ in m.named_parameters()]}
    with torch.no_grad():
        record["init"] = [m(*call_inputs(case, i)) for i in range(len(case["calls"]))]
        for name, value in case.get("set", {}).items():
            m.get_parameter(name).fill_(value)
        if case.get("set"):
            record["out"] = [m(*call_inputs(case, i)) for i in range(len(case["calls"]))]
    record["state"] = {k: v.detach().clone() for k, v in m.state_dict().items()}
    return record


def report(case, bridge_report):
    return bridge_report(case["sizes"], case["patch_counts"])


PROBES = {"module": module, "report": report}


# ---------------------------------------------------------------- references (grader's process)

class _Weights:
    """The learner's state_dict as tensors; remembers which entries the name map used."""

    def __init__(self, state):
        self.state = {k: torch.as_tensor(np.asarray(v), dtype=torch.float32) for k, v in state.items()}
        self.used = set()

    def __call__(self, name):
        if name not in self.state:
            raise KeyError(name)
        self.used.add(name)
        return self.state[name]

    def mha(self, prefix, q, k, v, o, bias):
        """nn.MultiheadAttention (packed or separate q/k/v weights) → four Linear layers."""
        out = {}
        if prefix + "in_proj_weight" in self.state:
            out.update(zip((q + ".weight", k + ".weight", v + ".weight"),
                           self(prefix + "in_proj_weight").chunk(3)))
        else:
            for ref, mine in ((q, "q"), (k, "k"), (v, "v")):
                out[ref + ".weight"] = self(f"{prefix}{mine}_proj_weight")
        out[o + ".weight"] = self(prefix + "out_proj.weight")
        if bias:
            out.update(zip((q + ".bias", k + ".bias", v + ".bias"), self(prefix + "in_proj_bias").chunk(3)))
            out[o + ".bias"] = self(prefix + "out_proj.bias")
        return out

    def copy(self, pairs, suffixes=("weight", "bias")):
        return {f"{ref}.{s}": self(f"{mine}.{s}") for mine, ref in pairs for s in suffixes}


def _llava_config(vision_dim, text_dim):
    from transformers import CLIPVisionConfig, LlamaConfig, LlavaConfig

    return LlavaConfig(vision_config=CLIPVisionConfig(hidden_size=vision_dim, num_attention_heads=1),
                       text_config=LlamaConfig(hidden_size=text_dim, num_attention_heads=1,
                                               num_key_value_heads=1),
                       projector_hidden_act="gelu", multimodal_projector_bias=True)


def _qformer_config(vision_dim, dim, num_layers, num_heads):
    from transformers import Blip2QFormerConfig

    config = Blip2QFormerConfig(hidden_size=dim, num_hidden_layers=num_layers, num_attention_heads=num_heads,
                                intermediate_size=4 * dim, encoder_hidden_size=vision_dim, hidden_act="gelu",
                                cross_attention_frequency=1, use_qformer_text_input=False, layer_norm_eps=1e-5)
    config._attn_implementation = "eager"
    return config


def _idefics_config(vision_dim, text_dim=8, num_heads=1, hidden_dim=8):
    from transformers import IdeficsConfig

    config = IdeficsConfig(hidden_size=text_dim, num_attention_heads=num_heads, intermediate_size=hidden_dim,
                           hidden_act="silu", vision_config={"embed_dim": vision_dim}, alpha_type="float",
                           alpha_initializer="zeros", qk_layer_norms=False, dropout=0.0, rms_norm_eps=1e-6,
                           perceiver_config={"qk_layer_norms_perceiver": False})
    config._attn_implementation = "eager"
    return config


def mlp_reference(vision_dim, text_dim):
    from transformers.models.llava.modeling_llava import LlavaMultiModalProjector

    return LlavaMultiModalProjector(_llava_config(vision_dim, text_dim))


def qformer_reference(vision_dim, dim, num_layers, num_heads):
    from transformers import Blip2QFormerModel

    return Blip2QFormerModel(_qformer_config(vision_dim, dim, num_layers, num_heads))


def perceiver_reference(dim, depth, num_heads, num_latents):
    from transformers.models.idefics.perceiver import IdeficsPerceiverResampler

    return IdeficsPerceiverResampler(_idefics_config(dim), dim, depth, num_heads, dim // num_heads, num_latents)


def gated_reference(dim, vision_dim, num_heads, hidden_dim):
    from transformers.models.idefics.modeling_idefics import IdeficsGatedCrossAttentionLayer

    return IdeficsGatedCrossAttentionLayer(_idefics_config(vision_dim, dim, num_heads, hidden_dim), layer_idx=0)


NAMES = {"mlp": ("vision_dim", "text_dim"),
         "qformer": ("vision_dim", "text_dim", "dim", "num_layers", "num_heads", "num_queries"),
         "perceiver": ("dim", "depth", "num_heads", "num_latents"),
         "gated": ("dim", "vision_dim", "num_heads", "hidden_dim")}
DEFAULTS = {"num_queries": 32, "num_latents": 64}


def _sizes(case, kind):
    """The constructor arguments of a case, by name, with the classes' defaults."""
    values = {**DEFAULTS, **dict(zip(NAMES[kind], case["args"])), **case.get("kwargs", {})}
    return {n: values[n] for n in NAMES[kind]}


def _run_mlp(case, w):
    s = _sizes(case, "mlp")
    ref = mlp_reference(s["vision_dim"], s["text_dim"])
    state = w.copy([("linear_1", "linear_1"), ("linear_2", "linear_2")])
    return ref, state, lambda x: ref(x)


def _run_qformer(case, w):
    s = _sizes(case, "qformer")
    ref = qformer_reference(s["vision_dim"], s["dim"], s["num_layers"], s["num_heads"])
    state = w.copy([("in_norm", "layernorm")])
    for i in range(s["num_layers"]):
        mine, r = f"layers.{i}.", f"encoder.layer.{i}."
        for attn, ref_attn in (("self_attn", "attention"), ("cross_attn", "crossattention")):
            state.update(w.mha(mine + attn + ".", *(f"{r}{ref_attn}.attention.{n}" for n in ("query", "key", "value")),
                               f"{r}{ref_attn}.output.dense", bias=True))
        state.update(w.copy([(mine + "norm1", r + "attention.output.LayerNorm"),
                             (mine + "norm2", r + "crossattention.output.LayerNorm"),
                             (mine + "norm3", r + "output_query.LayerNorm"),
                             (mine + "mlp.0", r + "intermediate_query.dense"),
                             (mine + "mlp.2", r + "output_query.dense")]))
    queries, proj_w, proj_b = w("query_tokens").reshape(1, s["num_queries"], -1), w("proj.weight"), w("proj.bias")

    def forward(image):
        hidden = ref(query_embeds=queries.expand(image.shape[0], -1, -1), encoder_hidden_states=image)
        return torch.nn.functional.linear(hidden.last_hidden_state, proj_w, proj_b)

    return ref, state, forward


def _run_perceiver(case, w):
    s = _sizes(case, "perceiver")
    ref = perceiver_reference(s["dim"], s["depth"], s["num_heads"], s["num_latents"])
    state = {"latents": w("latents").reshape(s["num_latents"], s["dim"])}
    state.update(w.copy([("norm", "layer_norm")]))
    for i in range(s["depth"]):
        mine, r = f"layers.{i}.", f"blocks.{i}."
        state.update(w.mha(mine + "attn.", r + "0.q_proj", r + "0.k_proj", r + "0.v_proj", r + "0.output_proj",
                           bias=False))
        state.update(w.copy([(mine + "norm_context", r + "0.context_layer_norm"),
                             (mine + "norm_latents", r + "0.latents_layer_norm"), (mine + "ff.0", r + "1.ln")]))
        state.update(w.copy([(mine + "ff.1", r + "1.fc"), (mine + "ff.3", r + "1.c_proj")], ("weight",)))
    return ref, state, lambda context: ref(context)


def _run_gated(case, w):
    s = _sizes(case, "gated")
    ref = gated_reference(s["dim"], s["vision_dim"], s["num_heads"], s["hidden_dim"])
    state = {"alpha_cross_attn": w("alpha_xattn").reshape(1), "alpha_dense": w("alpha_dense").reshape(1)}
    state.update(w.mha("cross_attn.", *(f"cross_attn.{n}_proj" for n in "qkvo"), bias=False))
    state.update(w.copy([("norm_attn", "input_layernorm"), ("norm_ff", "post_attention_layernorm")], ("weight",)))
    state.update(w.copy([(f"ff.{n}", f"mlp.{n}") for n in ("gate_proj", "up_proj", "down_proj")], ("weight",)))

    def forward(x, visual):
        return ref(x, image_hidden_states=visual, cross_attention_gate=torch.ones(x.shape[:2]))

    return ref, state, forward


BRIDGES = {
    # kind: (how to build and load the reference, output shape for one call's inputs and what it means,
    #        parameters that must be learned)
    "mlp": (_run_mlp, lambda s, shapes: shapes[0][:-1] + [s["text_dim"]],
            "one output token per patch, of width text_dim", ()),
    "qformer": (_run_qformer, lambda s, shapes: [shapes[0][0], s["num_queries"], s["text_dim"]],
                "(batch, num_queries, text_dim) whatever the number of patches", ("query_tokens",)),
    "perceiver": (_run_perceiver, lambda s, shapes: [shapes[0][0], s["num_latents"], s["dim"]],
                  "(batch, num_latents, dim) whatever the input length", ("latents",)),
    "gated": (_run_gated, lambda s, shapes: shapes[0], "the shape of x", ("alpha_xattn", "alpha_dense")),
}


def matches_reference(kind, what):
    """Judge: right output shapes, learned parameters registered as parameters, and the same
    outputs as the transformers reference holding the learner's weights."""
    run, out_shape, shape_rule, learned = BRIDGES[kind]

    def judge(case, output):
        sizes = _sizes(case, kind)
        outputs = output["out"] if case.get("set") else output["init"]
        for i, shapes in enumerate(case["calls"]):
            if list(np.shape(outputs[i])) != out_shape(sizes, shapes):
                return f"{what}: an output has the wrong shape — it should be {shape_rule}"
        missing = [n for n in learned if n not in output["params"]]
        if missing:
            return f"{what}: {', '.join(missing)} must be learned (an nn.Parameter), not a constant or a buffer"
        weights = _Weights(output["state"])
        try:
            ref, state, forward = run(case, weights)
        except KeyError as err:
            return (f"{what}: your module has no parameter {err} — name the parts as the docstring says "
                    "(the test copies your weights into the reference by these names)")
        if set(weights.state) - weights.used:
            return (f"{what}: your module has parameters that the reference does not have "
                    "(compare your attributes, and where the docstring says bias=False, with the docstring)")
        wrong = [k for k, v in ref.state_dict().items() if k in state and tuple(state[k].shape) != tuple(v.shape)]
        if wrong:
            return f"{what}: a parameter has the wrong shape (the one copied into the reference's {wrong[0]})"
        ref.load_state_dict(state, strict=True)
        ref.eval()
        with torch.no_grad():
            for i in range(len(case["calls"])):
                message = compare.close(outputs[i], forward(*call_inputs(case, i)).numpy(),
                                        f"{what}, output with your weights vs the reference's", atol=2e-5)
                if message:
                    return message
        return None

    return judge


def gate_is_shut(case, output):
    """At init a gated block returns its input exactly: tanh(0) = 0 shuts both branches."""
    for i in range(len(case["calls"])):
        x = call_inputs(case, i)[0].numpy()
        message = compare.close(output["init"][i], x, "a fresh block's output vs its input x", atol=1e-6, rtol=0)
        if message:
            return message + " — at init the block must be exactly the identity (gates shut)"
    return None


def both(*judges):
    """A judge that passes when all of `judges` pass (the first failure's message otherwise)."""
    return lambda case, output: next(filter(None, (j(case, output) for j in judges)), None)


# ---------------------------------------------------------------- advantages in numbers

def reference_counts(sizes):
    """Parameter counts of each bridge at `sizes`, from the transformers references (meta device)."""
    v, t, q, p, g = (sizes[k] for k in ("vision_dim", "text_dim", "qformer", "perceiver", "gated"))
    with torch.device("meta"):
        mlp = mlp_reference(v, t)
        qformer = qformer_reference(v, q["dim"], q["num_layers"], q["num_heads"])
        perceiver = perceiver_reference(v, p["depth"], p["num_heads"], p["num_latents"])
        gated = gated_reference(t, v, g["num_heads"], g["hidden_dim"])
    n = lambda m: sum(x.numel() for x in m.parameters())  # noqa: E731
    return {"mlp": n(mlp),
            "qformer": n(qformer) + q["num_queries"] * q["dim"] + q["dim"] * t + t,
            "perceiver": n(perceiver) + g["num_layers"] * n(gated)}


LABELS = {"mlp": "MLP projector", "qformer": "Q-Former bridge", "perceiver": "Perceiver resampler + gated blocks"}


def report_is_right(case, output):
    if not isinstance(output, dict) or not {"params", "tokens", "gate_change_at_init"} <= set(output):
        return "bridge_report should return a dict with 'params', 'tokens' and 'gate_change_at_init'"
    counts, sizes = reference_counts(case["sizes"]), case["sizes"]
    patches = case["patch_counts"]
    tokens = {"mlp": list(patches), "qformer": [sizes["qformer"]["num_queries"]] * len(patches),
              "perceiver": [sizes["perceiver"]["num_latents"]] * len(patches)}
    for name, label in LABELS.items():
        message = compare.first(
            compare.equal(output["params"].get(name), counts[name], f"parameter count of the {label}"),
            compare.equal(list(output["tokens"].get(name, [])), tokens[name],
                          f"visual tokens out of the {label} (one count per entry of patch_counts)"))
        if message:
            return message
    message = compare.close(output["gate_change_at_init"], 0.0, "gate_change_at_init", atol=1e-6, rtol=0)
    return message and message + " — a fresh gated block should not change its input at all"


REALISTIC = {"vision_dim": 1024, "text_dim": 4096,
             "qformer": {"dim": 768, "num_layers": 12, "num_heads": 12, "num_queries": 32},
             "perceiver": {"depth": 6, "num_heads": 16, "num_latents": 64},
             "gated": {"num_layers": 8, "num_heads": 32, "hidden_dim": 11008}}

CHECKS = [
    Check("q3.mlp.llava", "module", matches_reference("mlp", "MLPProjector"),
          {"args": [12, 20], "seed": 1, "calls": [[[2, 7, 12]]]}),
    Check("q3.qformer.blip2", "module", matches_reference("qformer", "QFormerBridge"),
          {"args": [12, 20], "kwargs": {"dim": 16, "num_layers": 2, "num_heads": 2}, "seed": 2,
           "calls": [[[1, 576, 12]], [[2, 9, 12]]]}),
    Check("q3.perceiver.idefics", "module", matches_reference("perceiver", "PerceiverResampler"),
          {"args": [16], "kwargs": {"depth": 2, "num_heads": 2, "num_latents": 8}, "seed": 3,
           "calls": [[[2, 5, 16]], [[1, 50, 16]]]}),
    Check("q3.gated.identity_at_init", "module", gate_is_shut,
          {"args": [16, 12, 2, 24], "seed": 4, "calls": [[[2, 6, 16], [2, 8, 12]]]}),
    Check("q3.gated.idefics", "module", both(gate_is_shut, matches_reference("gated", "GatedCrossAttentionBlock")),
          {"args": [16, 12, 2, 24], "seed": 5, "calls": [[[2, 6, 16], [2, 8, 12]]],
           "set": {"alpha_xattn": 0.7, "alpha_dense": -0.4}}),
    Check("q3.report.realistic", "report", report_is_right, {"sizes": REALISTIC, "patch_counts": [576, 100]}),
]
