"""Q1 answers that delegate to the reference they are graded against (open_clip's ClipLoss, the
kit's check helpers), each with the test cells it must lose: (name, answer cell, source, lost cells).
Every route a learner could take to the reference is here: import, alias, importlib, __import__ +
getattr, an alias bound in another cell of their own."""

from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import mistake, solution_answers

SOLUTION = solution_answers(paths.SOLUTIONS / "checkpoint" / "q1_clip_loss.ipynb")
BODY = '''    image_to_text, text_to_image = directional_losses(clip_logits(image_emb, text_emb, logit_scale))
    return (image_to_text.mean() + text_to_image.mean()) / 2'''
NORMALISED = "F.normalize(image_emb, dim=-1), F.normalize(text_emb, dim=-1), logit_scale"
LOSS_CELLS = {"q1_test_loss", "q1_test_symmetry", "q1_test_training"}


def _loss(body, header=""):
    return header + mistake(SOLUTION["q1_loss"], (BODY, body))


DELEGATING = [
    ("ClipLoss imported in the function", "q1_loss",
     _loss(f"    from open_clip.loss import ClipLoss\n    return ClipLoss()({NORMALISED})"), LOSS_CELLS),
    ("open_clip.ClipLoss through an alias", "q1_loss",
     _loss(f"    return oc.ClipLoss()({NORMALISED})", "import open_clip as oc\n\n"), LOSS_CELLS),
    ("importlib with a constant name", "q1_loss",
     _loss(f"    return importlib.import_module('open_clip.loss').ClipLoss()({NORMALISED})",
           "import importlib\n\n"), LOSS_CELLS),
    ("__import__ and getattr", "q1_loss",
     _loss(f"    return getattr(__import__('open_clip'), 'ClipLoss')()({NORMALISED})"), LOSS_CELLS),
    ("entropy from the kit's check helpers", "q1_temperature",
     mistake(SOLUTION["q1_temperature"], ('''    log_p = F.log_softmax(logits, dim=-1)
    return -(log_p.exp() * log_p).sum(dim=-1)''', '''    from vlmkit.checks import q1 as kit
    return torch.as_tensor(kit.ref_entropy(logits))''')), {"q1_test_temperature"}),
]
