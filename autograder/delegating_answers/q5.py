"""Q5 answers that delegate to the kit's check helpers (shipped with vlmkit.checks):
(name, answer cell, source, lost cells)."""

from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import mistake, solution_answers

SOLUTION = solution_answers(paths.SOLUTIONS / "checkpoint" / "q5_coordinate_tokens.ipynb")

DELEGATING = [
    ("dequantize checked through the kit's judge module", "q5_dequantize",
     mistake(SOLUTION["q5_dequantize"], ("    return [(q + 0.5) / num_bins for q in bins]",
                                         "    kit = __import__('vlmkit.checks.q5')\n"
                                         "    return [(q + 0.5) / num_bins for q in bins]")),
     {"q5_test_dequantize", "q5_test_tokens", "q5_test_parse_vocab"}),
]
