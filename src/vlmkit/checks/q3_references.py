"""Q3's trusted references: the transformers modules each learner bridge is compared with.

Grader side only (the judges in q3.py import this module on first use): learner kernels import
q3.py for its probes and never load transformers. Each `_run_<kind>` builds the reference from a
tiny config, maps the learner's state_dict names onto it (`Weights`) and says how to call it.
"""

import numpy as np
import torch
from transformers import (
    Blip2QFormerConfig,
    Blip2QFormerModel,
    CLIPVisionConfig,
    IdeficsConfig,
    LlamaConfig,
    LlavaConfig,
)
from transformers.models.idefics.modeling_idefics import IdeficsGatedCrossAttentionLayer
from transformers.models.idefics.perceiver import IdeficsPerceiverResampler
from transformers.models.llava.modeling_llava import LlavaMultiModalProjector


class Weights:
    """The learner's state_dict as tensors; remembers which entries the name map used."""

    def __init__(self, state):
        self.state = {k: torch.as_tensor(np.asarray(v), dtype=torch.float32).requires_grad_()
                      for k, v in state.items()}
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
    return LlavaConfig(vision_config=CLIPVisionConfig(hidden_size=vision_dim, num_attention_heads=1),
                       text_config=LlamaConfig(hidden_size=text_dim, num_attention_heads=1,
                                               num_key_value_heads=1, head_dim=2),  # any width, even odd
                       projector_hidden_act="gelu", multimodal_projector_bias=True)


def _qformer_config(vision_dim, dim, num_layers, num_heads):
    config = Blip2QFormerConfig(hidden_size=dim, num_hidden_layers=num_layers, num_attention_heads=num_heads,
                                intermediate_size=4 * dim, encoder_hidden_size=vision_dim, hidden_act="gelu",
                                cross_attention_frequency=1, use_qformer_text_input=False, layer_norm_eps=1e-5)
    config._attn_implementation = "eager"
    return config


def _idefics_config(vision_dim, text_dim=8, num_heads=1, hidden_dim=8):
    config = IdeficsConfig(hidden_size=text_dim, num_attention_heads=num_heads, intermediate_size=hidden_dim,
                           hidden_act="silu", vision_config={"embed_dim": vision_dim}, alpha_type="float",
                           alpha_initializer="zeros", qk_layer_norms=False, dropout=0.0, rms_norm_eps=1e-6,
                           perceiver_config={"qk_layer_norms_perceiver": False})
    config._attn_implementation = "eager"
    return config


def mlp_reference(vision_dim, text_dim):
    return LlavaMultiModalProjector(_llava_config(vision_dim, text_dim))


def qformer_reference(vision_dim, dim, num_layers, num_heads):
    return Blip2QFormerModel(_qformer_config(vision_dim, dim, num_layers, num_heads))


def perceiver_reference(dim, depth, num_heads, num_latents):
    return IdeficsPerceiverResampler(_idefics_config(dim), dim, depth, num_heads, dim // num_heads, num_latents)


def gated_reference(dim, vision_dim, num_heads, hidden_dim):
    return IdeficsGatedCrossAttentionLayer(_idefics_config(vision_dim, dim, num_heads, hidden_dim), layer_idx=0)


NAMES = {"mlp": ("vision_dim", "text_dim"),
         "qformer": ("vision_dim", "text_dim", "dim", "num_layers", "num_heads", "num_queries"),
         "perceiver": ("dim", "depth", "num_heads", "num_latents"),
         "gated": ("dim", "vision_dim", "num_heads", "hidden_dim")}
DEFAULTS = {"dim": 768, "num_layers": 12, "num_heads": 12, "num_queries": 32, "depth": 6, "num_latents": 64}


def sizes(case, kind):
    """The constructor arguments of a case, by name, with the classes' defaults."""
    values = {**DEFAULTS, **dict(zip(NAMES[kind], case["args"])), **case.get("kwargs", {})}
    if kind == "perceiver":
        values.setdefault("num_heads", 16)
    return {n: values[n] for n in NAMES[kind]}


def _run_mlp(case, w):
    s = sizes(case, "mlp")
    ref = mlp_reference(s["vision_dim"], s["text_dim"])
    state = w.copy([("linear_1", "linear_1"), ("linear_2", "linear_2")])
    return ref, state, lambda call, x: call(x)


def _run_qformer(case, w):
    s = sizes(case, "qformer")
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
    queries, proj_w, proj_b = w("query_tokens"), w("proj.weight"), w("proj.bias")

    def forward(call, image):
        hidden = call(query_embeds=queries.expand(image.shape[0], -1, -1), encoder_hidden_states=image)
        return torch.nn.functional.linear(hidden.last_hidden_state, proj_w, proj_b)

    return ref, state, forward


def _run_perceiver(case, w):
    s = sizes(case, "perceiver")
    ref = perceiver_reference(s["dim"], s["depth"], s["num_heads"], s["num_latents"])
    state = {"latents": w("latents")}
    state.update(w.copy([("norm", "layer_norm")]))
    for i in range(s["depth"]):
        mine, r = f"layers.{i}.", f"blocks.{i}."
        state.update(w.mha(mine + "attn.", r + "0.q_proj", r + "0.k_proj", r + "0.v_proj", r + "0.output_proj",
                           bias=False))
        state.update(w.copy([(mine + "norm_context", r + "0.context_layer_norm"),
                             (mine + "norm_latents", r + "0.latents_layer_norm"), (mine + "ff.0", r + "1.ln")]))
        state.update(w.copy([(mine + "ff.1", r + "1.fc"), (mine + "ff.3", r + "1.c_proj")], ("weight",)))
    return ref, state, lambda call, context: call(context)


def _run_gated(case, w):
    s = sizes(case, "gated")
    ref = gated_reference(s["dim"], s["vision_dim"], s["num_heads"], s["hidden_dim"])
    state = {"alpha_cross_attn": w("alpha_xattn"), "alpha_dense": w("alpha_dense")}
    state.update(w.mha("cross_attn.", *(f"cross_attn.{n}_proj" for n in "qkvo"), bias=False))
    state.update(w.copy([("norm_attn", "input_layernorm"), ("norm_ff", "post_attention_layernorm")], ("weight",)))
    state.update(w.copy([(f"ff.{n}", f"mlp.{n}") for n in ("gate_proj", "up_proj", "down_proj")], ("weight",)))

    def forward(call, x, visual):
        return call(x, image_hidden_states=visual, cross_attention_gate=torch.ones(x.shape[:2]))

    return ref, state, forward


BRIDGES = {
    # kind: (how to build and load the reference, output shape for one call's inputs and what it means,
    #        parameters that must be learned, with the shape the docstring gives them)
    "mlp": (_run_mlp, lambda s, shapes: shapes[0][:-1] + [s["text_dim"]],
            "one output token per patch, of width text_dim", lambda s: {}),
    "qformer": (_run_qformer, lambda s, shapes: [shapes[0][0], s["num_queries"], s["text_dim"]],
                "(batch, num_queries, text_dim) whatever the number of patches",
                lambda s: {"query_tokens": ((1, s["num_queries"], s["dim"]), "(1, num_queries, dim)")}),
    "perceiver": (_run_perceiver, lambda s, shapes: [shapes[0][0], s["num_latents"], s["dim"]],
                  "(batch, num_latents, dim) whatever the input length",
                  lambda s: {"latents": ((s["num_latents"], s["dim"]), "(num_latents, dim)")}),
    "gated": (_run_gated, lambda s, shapes: shapes[0], "the shape of x",
              lambda s: {"alpha_xattn": ((1,), "(1,)"), "alpha_dense": ((1,), "(1,)")}),
}


def learned_parameters(case, kind) -> dict:
    """name → (shape, shape as the docstring writes it) of each parameter the bridge must learn."""
    return BRIDGES[kind][3](sizes(case, kind))
