"""Q2 answers that delegate to open_clip's SigLipLoss: (name, answer cell, source, lost cells).
The pair decomposition is checked against `siglip_loss`, so its cell is lost too."""

from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import mistake, solution_answers

SOLUTION = solution_answers(paths.SOLUTIONS / "checkpoint" / "q2_siglip.ipynb")
BODY = '''    logits = logit_scale * image_features @ text_features.T + logit_bias
    labels = siglip_labels(len(image_features)).to(logits.dtype)
    return -F.logsigmoid(labels * logits).sum() / len(image_features)'''

DELEGATING = [
    ("SigLipLoss from open_clip.loss", "q2_sigmoid",
     "from open_clip.loss import SigLipLoss\n\n" + mistake(SOLUTION["q2_sigmoid"], (
         BODY, "    return SigLipLoss()(image_features, text_features, logit_scale, logit_bias)")),
     {"q2_test_sigmoid", "q2_test_pairs"}),
    ("labels next to the kit's check module", "q2_sigmoid",
     "import importlib\n\n" + mistake(SOLUTION["q2_sigmoid"], (
         "    return 2 * torch.eye(n) - 1",
         "    importlib.import_module('vlmkit.checks.q2')\n    return 2 * torch.eye(n) - 1")),
     {"q2_test_sigmoid", "q2_test_pairs", "q2_test_ring"}),
]
