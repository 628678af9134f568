"""Q6 answers that delegate to the kit's check helpers (shipped with vlmkit.checks):
(name, answer cell, source, lost cells)."""

from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import mistake, solution_answers

SOLUTION = solution_answers(paths.SOLUTIONS / "checkpoint" / "q6_vla_actions.ipynb")

DELEGATING = [
    ("random actions from the kit's check module", "q6_vocab",
     "from vlmkit.checks import q6 as kit\n\n" + mistake(SOLUTION["q6_vocab"], (
         "    return list(range(vocab_size - n_bins, vocab_size))",
         "    kit.random_actions(0, (1,))\n    return list(range(vocab_size - n_bins, vocab_size))")),
     {"q6_test_vocab"}),
]
