"""Hidden checks for Q3 (instructor-only: never shipped to learners, never imported in a kernel).

Unseen sizes, seeds and inputs for the same transformers oracles: vision width equal to the
bridge width (packed attention weights), fewer patches than queries, one-layer stacks, batch 3,
negative gate values, and other "realistic" sizes for the report (LLaVA-1.5-13B / EVA-CLIP-g).
"""

from vlmkit.checks.q3 import both, gate_is_shut, matches_reference, report_is_right
from vlmkit.grading.registry import Check

OTHER_SIZES = {"vision_dim": 1408, "text_dim": 5120,
               "qformer": {"dim": 768, "num_layers": 12, "num_heads": 12, "num_queries": 32},
               "perceiver": {"depth": 6, "num_heads": 16, "num_latents": 64},
               "gated": {"num_layers": 10, "num_heads": 40, "hidden_dim": 13824}}

CHECKS = [
    Check("q3.hidden.mlp_llava", "module", matches_reference("mlp", "MLPProjector"),
          {"args": [10, 14], "seed": 11, "calls": [[[3, 17, 10]], [[1, 1, 10]]]}),
    Check("q3.hidden.qformer_blip2", "module", matches_reference("qformer", "QFormerBridge"),
          {"args": [16, 12], "kwargs": {"dim": 16, "num_layers": 1, "num_heads": 4, "num_queries": 6},
           "seed": 12, "calls": [[[3, 40, 16]], [[1, 3, 16]]]}),
    Check("q3.hidden.qformer_queries", "module", matches_reference("qformer", "QFormerBridge (default queries)"),
          {"args": [8, 12], "kwargs": {"dim": 8, "num_layers": 1, "num_heads": 2}, "seed": 13,
           "calls": [[[2, 5, 8]], [[1, 100, 8]]]}),
    Check("q3.hidden.perceiver_idefics", "module", matches_reference("perceiver", "PerceiverResampler"),
          {"args": [12], "kwargs": {"depth": 3, "num_heads": 3, "num_latents": 5}, "seed": 14,
           "calls": [[[3, 2, 12]], [[1, 33, 12]]]}),
    Check("q3.hidden.perceiver_one_layer", "module",
          matches_reference("perceiver", "PerceiverResampler (one layer)"),
          {"args": [8], "kwargs": {"depth": 1, "num_heads": 1, "num_latents": 4}, "seed": 15,
           "calls": [[[2, 9, 8]]]}),
    Check("q3.hidden.gated_identity", "module", gate_is_shut,
          {"args": [12, 12, 3, 20], "seed": 16, "calls": [[[3, 4, 12], [3, 7, 12]], [[1, 9, 12], [1, 2, 12]]]}),
    Check("q3.hidden.gated_idefics", "module",
          both(gate_is_shut, matches_reference("gated", "GatedCrossAttentionBlock")),
          {"args": [12, 12, 3, 20], "seed": 17, "calls": [[[3, 4, 12], [3, 7, 12]]],
           "set": {"alpha_xattn": -1.3, "alpha_dense": 2.1}}),
    Check("q3.hidden.report_other_sizes", "report", report_is_right,
          {"sizes": OTHER_SIZES, "patch_counts": [256, 17, 1]}),
]
