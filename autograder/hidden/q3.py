"""Hidden checks for Q3 (instructor-only: never shipped to learners, never imported in a kernel).

Unseen sizes, seeds and inputs for the same transformers oracles, several modules per check
(every parameter moved off its initial value before the comparison, see vlmkit.checks.q3):
vision width equal to the bridge width (packed attention weights) and different from it, fewer
patches than queries, one- and several-layer stacks, one head and several, batches of 1 to 4,
inputs, queries or latents scaled down to 1e-3 (a norm's eps matters there), negative gate
values; gradients with respect to every parameter and each input, with a gate closed (0) and
open; the prescribed initialisations (32 queries ~ normal(0, 0.02) by default, latents ~ standard
normal, alphas exactly 0) on fresh modules of other sizes, and their gradients (a closed gate's
alpha must still get one); count_parameters on modules with frozen parameters
and buffers; other "realistic" sizes for the report (LLaVA-1.5-13B / EVA-CLIP-g) and a tiny one.
"""

from vlmkit.checks.q3 import (
    alphas_start_at_zero,
    both,
    gate_is_shut,
    gradients_at_init,
    is_int,
    latents_init,
    matches_reference,
    queries_init,
    report_is_right,
)
from vlmkit.grading.checking.judges import each
from vlmkit.grading.checking.registry import Check


def counts_all_parameters(case, output):
    """count_parameters counts every parameter element, frozen ones included, and no buffers."""
    if not isinstance(output, list) or len(output) != len(case["modules"]):
        return "count_parameters: expected one count per module"
    for (a, b, c, _), got in zip(case["modules"], output):
        if not is_int(got):
            return "count_parameters should return a Python int"
        if got != a * b + b + 2 * b + b * c:
            return ("count_parameters: wrong count on a module with frozen parameters and buffers — count "
                    "every parameter element, trainable or not (buffers are not parameters)")
    return None


def each_build(judge):
    """For the `modules` probe: `judge` on every build (the first failure's message, with a count)."""
    return each(judge, key="builds", unit="unseen sizes")


OTHER_SIZES = {"vision_dim": 1408, "text_dim": 5120,
               "qformer": {"dim": 1024, "num_layers": 6, "num_heads": 16, "num_queries": 48},
               "perceiver": {"depth": 4, "num_heads": 8, "num_latents": 96},
               "gated": {"num_layers": 10, "num_heads": 40, "hidden_dim": 13824}}
TINY_SIZES = {"vision_dim": 48, "text_dim": 80,
              "qformer": {"dim": 32, "num_layers": 2, "num_heads": 4, "num_queries": 7},
              "perceiver": {"depth": 3, "num_heads": 4, "num_latents": 9},
              "gated": {"num_layers": 3, "num_heads": 5, "hidden_dim": 100}}

GATED_SIZES = [  # (args, seed, calls, scales)
    ([12, 12, 3, 20], 16, [[[3, 4, 12], [3, 7, 12]], [[1, 9, 12], [1, 2, 12]]], None),
    ([8, 6, 2, 16], 26, [[[2, 5, 8], [2, 3, 6]], [[2, 5, 8], [2, 3, 6]]], [[1e-3, 1.0], [1.0, 1.0]]),
    ([6, 10, 1, 12], 36, [[[1, 3, 6], [1, 4, 10]], [[4, 2, 6], [4, 5, 10]]], None),
    ([8, 6, 2, 16], 46, [[[2, 5, 8], [2, 3, 6]]], [[1e-3, 1.0]]),
]


def _gated(at_init, **extra):
    builds = []
    for args, seed, calls, scales in GATED_SIZES:
        build = {"args": args, "seed": seed + (0 if at_init else 1), "calls": calls, **extra}
        if scales:
            build["scales"] = scales
        builds.append(build)
    return {"builds": builds}


CHECKS = [
    Check("q3.hidden.mlp_llava", "modules", each_build(matches_reference("mlp", "MLPProjector")),
          {"builds": [{"args": [10, 14], "seed": 11, "calls": [[[3, 17, 10]], [[1, 1, 10]]]},
                      {"args": [7, 5], "seed": 21, "calls": [[[2, 3, 7]], [[4, 2, 7]]]},
                      {"args": [16, 16], "seed": 31, "calls": [[[1, 4, 16]]]}]}),
    Check("q3.hidden.qformer_blip2", "modules", each_build(matches_reference("qformer", "QFormerBridge")),
          {"builds": [{"args": [16, 12], "kwargs": {"dim": 16, "num_layers": 1, "num_heads": 4, "num_queries": 6},
                       "seed": 12, "calls": [[[3, 40, 16]], [[1, 3, 16]]]},
                      {"args": [10, 6], "kwargs": {"dim": 12, "num_layers": 2, "num_heads": 3, "num_queries": 5},
                       "seed": 22, "calls": [[[2, 7, 10]], [[3, 1, 10]]], "scale": {"query_tokens": 1e-3}},
                      {"args": [8, 12], "kwargs": {"dim": 8, "num_layers": 1, "num_heads": 1, "num_queries": 3},
                       "seed": 32, "calls": [[[1, 2, 8]], [[4, 11, 8]]]}]}),
    Check("q3.hidden.qformer_queries", "modules",
          each_build(both(queries_init, matches_reference("qformer", "QFormerBridge (default queries)"))),
          {"builds": [{"args": [8, 12], "kwargs": {"dim": 32, "num_layers": 1, "num_heads": 2}, "seed": 13,
                       "calls": [[[2, 5, 8]], [[1, 100, 8]]], "inspect": ["query_tokens"]},
                      {"args": [6, 4], "kwargs": {"dim": 24, "num_layers": 1, "num_heads": 4, "num_queries": 50},
                       "seed": 23, "calls": [[[2, 3, 6]]], "inspect": ["query_tokens"]}]}),
    Check("q3.hidden.perceiver_idefics", "modules", each_build(matches_reference("perceiver", "PerceiverResampler")),
          {"builds": [{"args": [12], "kwargs": {"depth": 3, "num_heads": 3, "num_latents": 5}, "seed": 14,
                       "calls": [[[3, 2, 12]], [[1, 33, 12]]], "scale": {"latents": 1e-3}},
                      {"args": [6], "kwargs": {"depth": 2, "num_heads": 2, "num_latents": 3}, "seed": 24,
                       "calls": [[[2, 4, 6]], [[2, 1, 6]]], "scales": [[1e-3], [1.0]]},
                      {"args": [20], "kwargs": {"depth": 1, "num_heads": 4, "num_latents": 7}, "seed": 34,
                       "calls": [[[4, 9, 20]]]}]}),
    Check("q3.hidden.perceiver_one_layer", "modules",
          each_build(both(latents_init, matches_reference("perceiver", "PerceiverResampler (one layer)"))),
          {"builds": [{"args": [8], "kwargs": {"depth": 1, "num_heads": 1, "num_latents": 4}, "seed": 15,
                       "calls": [[[2, 9, 8]]]},
                      {"args": [32], "kwargs": {"depth": 1, "num_heads": 2}, "seed": 25,
                       "calls": [[[1, 3, 32]]], "inspect": ["latents"]},
                      {"args": [16], "kwargs": {"depth": 1, "num_heads": 1, "num_latents": 100}, "seed": 35,
                       "calls": [[[2, 6, 16]]], "inspect": ["latents"]}]}),
    Check("q3.hidden.gated_identity", "modules",
          each_build(both(alphas_start_at_zero, gate_is_shut, gradients_at_init("gated", "GatedCrossAttentionBlock"))),
          _gated(True, fresh=True, perturb=False, inspect=["alpha_xattn", "alpha_dense"], grads_at_init=True)),
    Check("q3.hidden.gated_idefics", "modules", each_build(matches_reference("gated", "GatedCrossAttentionBlock")),
          {"builds": [{**b, "set": s} for b, s in zip(_gated(False)["builds"],
                                                          [{"alpha_xattn": -1.3, "alpha_dense": 2.1}, {}, {},
                                                           {"alpha_xattn": 0.0}])]}),  # small x reaches norm_ff
    Check("q3.hidden.report_other_sizes", "report", report_is_right,
          {"sizes": OTHER_SIZES, "patch_counts": [256, 17, 1]}),
    Check("q3.hidden.report_tiny", "report", report_is_right, {"sizes": TINY_SIZES, "patch_counts": [5, 7, 12]}),
    Check("q3.hidden.count_frozen", "count", counts_all_parameters,
          {"modules": [[3, 4, 5, False], [7, 2, 9, False], [16, 8, 4, True]]}),
]
