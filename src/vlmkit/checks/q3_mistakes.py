"""Q3's known mistakes, for the judges' failure messages (grader side only, like q3_references).

A bridge's output is compared with a transformers reference holding the learner's weights; when
they differ, each patch in MISTAKES turns a fresh reference into the same bridge with one common
mistake (another activation, a gate without tanh, pre-norm layers, residuals forgotten, …) and
the message names the one whose output the learner's matches. The report's counts are explained
from the bridges' parts: a count that lacks exactly one part, or that counts tensors, not
elements; a token count that does (or does not) follow the number of patches.

Every patch changes one instance (its activations or its modules' `forward`), so that
torch.func.functional_call still swaps the learner's weights into every submodule it uses.
"""

import torch.nn.functional as F
from torch import nn


def _set(name, make):
    """Patch: replace the reference's parameter-free submodule `name` by make() (an activation)."""
    return lambda ref: setattr(ref, name, make())


def _skip(name):
    """Patch: the reference's submodule `name` (its parameters kept, for loading) passes its input through."""
    def patch(ref):
        getattr(ref, name).forward = lambda x: x

    return patch


def _gates(make):
    def patch(ref):
        ref.act_cross_attn, ref.act_dense = make(), make()

    return patch


def _pre_norm_qformer(ref):
    """Each Q-Former sub-layer as x + f(LayerNorm(x)) (pre-norm) instead of LayerNorm(x + f(x))."""
    def attention(block):
        def forward(hidden_states, attention_mask=None, encoder_hidden_states=None,
                    encoder_attention_mask=None, **kwargs):
            out, _ = block.attention(block.output.LayerNorm(hidden_states), attention_mask=attention_mask,
                                     encoder_hidden_states=encoder_hidden_states,
                                     encoder_attention_mask=encoder_attention_mask, **kwargs)
            return hidden_states + block.output.dense(out)

        return forward

    for layer in ref.encoder.layer:
        layer.attention.forward = attention(layer.attention)
        layer.crossattention.forward = attention(layer.crossattention)
        layer.feed_forward_chunk_query = (lambda lay: lambda x: x + lay.output_query.dense(
            lay.intermediate_query(lay.output_query.LayerNorm(x))))(layer)


def _latents_not_in_keys(ref):
    """The Perceiver's latents attend to the context alone (IDEFICS: keys and values are the
    context and the latents together)."""
    def attention(attn):
        def forward(context, latents):
            context, latents = attn.context_layer_norm(context), attn.latents_layer_norm(latents)
            heads = lambda x: x.unflatten(-1, (attn.n_heads, attn.head_dim)).transpose(1, 2)  # noqa: E731
            out = F.scaled_dot_product_attention(heads(attn.q_proj(latents)), heads(attn.k_proj(context)),
                                                 heads(attn.v_proj(context)))
            return attn.output_proj(out.transpose(1, 2).flatten(-2))

        return forward

    for attn, _ in ref.blocks:
        attn.forward = attention(attn)


def _perceiver_residuals(keep_attn, keep_ff):
    """The Perceiver with the residual around attention and/or around the MLP left out."""
    def patch(ref):
        def forward(context):
            latents = ref.latents.repeat(context.shape[0], 1, 1)
            for attn, ff in ref.blocks:
                latents = attn(context, latents) + (latents if keep_attn else 0)
                latents = ff(latents) + (latents if keep_ff else 0)
            return ref.layer_norm(latents)

        ref.forward = forward

    return patch


# kind → {the mistake, as the message names it: patch that gives a fresh reference that mistake}
MISTAKES = {
    "mlp": {"it matches ReLU where LLaVA's projector uses GELU": _set("act", nn.ReLU),
            "it matches the tanh approximation of GELU: LLaVA uses the exact (erf) GELU":
                _set("act", lambda: nn.GELU(approximate="tanh")),
            "it matches SiLU where LLaVA's projector uses GELU": _set("act", nn.SiLU),
            "it matches no activation between the two linear layers (GELU)": _set("act", nn.Identity)},
    "qformer": {"it matches pre-norm layers: BLIP-2's Q-Former is post-norm, LayerNorm(x + sublayer(x))":
                    _pre_norm_qformer,
                "it matches queries that skip the input LayerNorm (in_norm) before the first layer":
                    _skip("layernorm")},
    "perceiver": {"it matches latents attending to the context alone: keys and values are the context "
                  "and the latents together": _latents_not_in_keys,
                  "it matches the Perceiver without its residual connections (latents + attn(…), "
                  "latents + ff(…))": _perceiver_residuals(False, False),
                  "it matches the Perceiver without the residual around attention":
                      _perceiver_residuals(False, True),
                  "it matches the Perceiver without the residual around the MLP": _perceiver_residuals(True, False),
                  "it matches the Perceiver without its final LayerNorm": _skip("layer_norm")},
    "gated": {"it matches sigmoid gates: the gates are tanh(alpha)": _gates(nn.Sigmoid),
              "it matches alpha used as the gate itself: the gates are tanh(alpha)": _gates(nn.Identity)},
}


def count_hint(got, parts, tensors):
    """What explains a wrong parameter count `got` of a bridge made of `parts` ({part: count}) and
    `tensors` parameter tensors: one part left out, tensors counted, or only the direction."""
    total = sum(parts.values())
    if 0 < got <= 3 * tensors:  # packed or separate attention weights change the tensor count a little
        return "it looks like the number of parameter tensors: count their elements (p.numel())"
    missing = [part for part, n in parts.items() if got == total - n]
    if missing:
        return f"it lacks exactly {missing[0]}"
    extra = [part for part, n in parts.items() if got == total + n]
    if extra:
        return f"it counts {extra[0]} twice"
    return (f"{'more' if got > total else 'fewer'} parameters than the bridge the docstring describes: "
            "compare your module's parts with it")


def tokens_hint(got, expected, patch_counts):
    """What explains wrong visual-token counts: following the number of patches or not."""
    fixed = len(set(expected)) == 1
    if fixed and len(set(got)) > 1:
        return "it changes with the number of patches: this bridge always outputs the same number of tokens"
    if not fixed and got != list(patch_counts):
        return "it should be one token per patch"
    return "the number of tokens is the bridge's number of queries or latents (see the report's sizes)"
