"""Q4 answers that delegate to the kit's check helpers (shipped with vlmkit.checks):
(name, answer cell, source, lost cells)."""

from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import mistake, solution_answers

SOLUTION = solution_answers(paths.SOLUTIONS / "checkpoint" / "q4_llava.ipynb")

DELEGATING = [
    ("parameter counts from vlmkit.checks.q4", "q4_stages",
     "from vlmkit.checks.q4 import counts\n\n" + mistake(SOLUTION["q4_stages"], (
         '''    return {name: sum(p.numel() for module in modules for p in module.parameters())
            for name, modules in module_groups(model).items()}''',
         '''    found = counts(model, trainable_only=False)
    return {group: found[group] for group in ("vision", "projector", "llm")}''')),
     {"q4_test_stages"}),
]
