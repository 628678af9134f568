"""Q3 answers that wrap transformers' reference modules instead of writing the bridge:
(name, answer cell, source, lost cells). Each builds the reference inside the learner's class;
the report counts the parameters of those classes, so its cell is lost too."""

from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import mistake, solution_answers

SOLUTION = solution_answers(paths.SOLUTIONS / "checkpoint" / "q3_bridges.ipynb")


def _uses(cell, anchor, line, header):
    """The solution's cell, with `line` added after `anchor` and `header` above it."""
    return header + mistake(SOLUTION[cell], (anchor, anchor + "\n" + line))


def _init(signature):
    return f"    def __init__(self, {signature}):\n        super().__init__()"


QFORMER = "vision_dim, text_dim, dim=768, num_layers=12, num_heads=12, num_queries=32"
REPORT = "q3_test_report"
DELEGATING = [
    ("LlavaMultiModalProjector inside the MLP", "q3_mlp",
     _uses("q3_mlp", _init("vision_dim, text_dim"), "        self.reference = LlavaMultiModalProjector",
           "from transformers.models.llava.modeling_llava import LlavaMultiModalProjector\n\n"),
     {"q3_test_mlp", REPORT}),
    ("Blip2QFormerModel through transformers", "q3_qformer",
     _uses("q3_qformer", _init(QFORMER), "        self.reference = transformers.Blip2QFormerModel",
           "import transformers\n\n"), {"q3_test_qformer", REPORT}),
    ("IdeficsPerceiverResampler", "q3_perceiver",
     _uses("q3_perceiver", _init("dim, depth=6, num_heads=16, num_latents=64"),
           "        self.reference = IdeficsPerceiverResampler",
           "from transformers.models.idefics.perceiver import IdeficsPerceiverResampler\n\n"),
     {"q3_test_perceiver", REPORT}),
    ("IdeficsGatedCrossAttentionLayer", "q3_gated",
     _uses("q3_gated", _init("dim, vision_dim, num_heads, hidden_dim"),
           "        self.reference = idefics.IdeficsGatedCrossAttentionLayer",
           "from transformers.models.idefics import modeling_idefics as idefics\n\n"), {"q3_test_gated", REPORT}),
    ("the MLP built next to the kit's check module", "q3_mlp",
     _uses("q3_mlp", _init("vision_dim, text_dim"), "        self.kit = checks_q3",
           "import vlmkit.checks.q3 as checks_q3\n\n"), {"q3_test_mlp", REPORT}),
]
