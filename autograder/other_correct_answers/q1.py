"""Correct answers to Q1 (CLIP loss) written differently from the solution: each keeps full marks.

Each entry: (name, answer cell grade_id, the cell's full source).
"""

from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import mistake, solution_answers

SOLUTION = solution_answers(paths.SOLUTIONS / "checkpoint" / "q1_clip_loss.ipynb")

CORRECT = [
    ("manual normalisation, log_softmax diagonals, cross_entropy means", "q1_loss", '''
def clip_logits(image_emb, text_emb, logit_scale):
    image_emb = image_emb / image_emb.norm(dim=1, keepdim=True)
    text_emb = text_emb / text_emb.norm(dim=1, keepdim=True)
    return logit_scale * torch.matmul(image_emb, text_emb.t())


def directional_losses(logits_per_image):
    image_to_text = -torch.diagonal(torch.log_softmax(logits_per_image, dim=1))
    text_to_image = -torch.diagonal(torch.log_softmax(logits_per_image, dim=0))
    return image_to_text, text_to_image


def clip_loss(image_emb, text_emb, logit_scale):
    logits = clip_logits(image_emb, text_emb, logit_scale)
    labels = torch.arange(len(logits))
    return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels))
'''),
    ("open_clip's idiom: a 0-dim parameter from torch.ones([]), clamp after exp, Categorical entropy",
     "q1_temperature", '''
class LogitScale(nn.Module):
    def __init__(self):
        super().__init__()
        self.log_scale = nn.Parameter(torch.ones([]) * np.log(1 / 0.07))

    def forward(self):
        return torch.clamp(self.log_scale.exp(), max=MAX_SCALE)


def softmax_entropy(logits):
    return torch.distributions.Categorical(logits=logits).entropy()
'''),
    ("log_scale of shape (1,), torch.minimum cap, entropy from softmax times log_softmax", "q1_temperature", '''
class LogitScale(nn.Module):
    def __init__(self):
        super().__init__()
        self.log_scale = nn.Parameter(torch.tensor([math.log(1 / 0.07)]))

    def forward(self):
        return torch.minimum(torch.exp(self.log_scale), torch.tensor(MAX_SCALE))


def softmax_entropy(logits):
    return -(F.softmax(logits, dim=-1) * F.log_softmax(logits, dim=-1)).sum(-1)
'''),
    ("the parameter itself clamped in place (as open_clip's training loop does), then exp",
     "q1_temperature", mistake(SOLUTION["q1_temperature"], (
         "        return self.log_scale.clamp(max=math.log(MAX_SCALE)).exp()",
         "        with torch.no_grad():\n"
         "            self.log_scale.clamp_(max=math.log(MAX_SCALE))\n"
         "        return self.log_scale.exp()"))),
    ("zero-shot written out: normalise, scale, softmax over dim 1", "q1_zero_shot", '''
def zero_shot_probs(image_emb, class_text_emb, logit_scale):
    image = F.normalize(image_emb, p=2, dim=1)
    classes = F.normalize(class_text_emb, p=2, dim=1)
    return torch.softmax(logit_scale * image @ classes.T, dim=1)
'''),
]
