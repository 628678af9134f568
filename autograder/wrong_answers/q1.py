"""Realistic wrong answers to Q1 (CLIP loss), and the test cells each one must lose.

Each entry: (name, answer cell grade_id, the wrong cell's source, test cells that lose points).
The first entry is the one put in the `mistakes` example submission.
"""

LOSS = '''
def clip_logits(image_emb, text_emb, logit_scale):
{logits}


def directional_losses(logits_per_image):
{directions}


def clip_loss(image_emb, text_emb, logit_scale):
{loss}
'''
LOGITS = '''    image_emb = F.normalize(image_emb, dim=-1)
    text_emb = F.normalize(text_emb, dim=-1)
    return logit_scale * image_emb @ text_emb.T'''
DIRECTIONS = '''    labels = torch.arange(logits_per_image.shape[0])
    image_to_text = F.cross_entropy(logits_per_image, labels, reduction="none")
    text_to_image = F.cross_entropy(logits_per_image.T, labels, reduction="none")
    return image_to_text, text_to_image'''
MEAN = '''    image_to_text, text_to_image = directional_losses(clip_logits(image_emb, text_emb, logit_scale))
    return (image_to_text.mean() + text_to_image.mean()) / 2'''


def loss_cell(logits=LOGITS, directions=DIRECTIONS, loss=MEAN):
    return LOSS.format(logits=logits, directions=directions, loss=loss)


TEMPERATURE = '''
class LogitScale(nn.Module):
    def __init__(self):
        super().__init__()
        self.log_scale = nn.Parameter(torch.tensor({init}))

    def forward(self):
        return {forward}


def softmax_entropy(logits):
{entropy}
'''
ENTROPY = '''    log_p = F.log_softmax(logits, dim=-1)
    return -(log_p.exp() * log_p).sum(dim=-1)'''


def temperature_cell(init="math.log(1 / 0.07)",
                     forward="self.log_scale.clamp(max=math.log(MAX_SCALE)).exp()", entropy=ENTROPY):
    return TEMPERATURE.format(init=init, forward=forward, entropy=entropy)


def zero_shot_cell(body):
    return f'''
def zero_shot_probs(image_emb, class_text_emb, logit_scale):
    return {body}
'''


ALL_BUT_TEMPERATURE = {"q1_test_loss", "q1_test_symmetry", "q1_test_training"}

WRONG = [
    ("one-directional loss (image to text only)", "q1_loss", loss_cell(loss='''
    image_to_text, text_to_image = directional_losses(clip_logits(image_emb, text_emb, logit_scale))
    return image_to_text.mean()'''), {"q1_test_loss", "q1_test_symmetry"}),
    ("no L2 normalisation", "q1_loss", loss_cell(logits='''
    return logit_scale * image_emb @ text_emb.T'''), ALL_BUT_TEMPERATURE),
    ("cosines divided by the scale (scale taken for a temperature)", "q1_loss", loss_cell(logits='''
    image_emb = F.normalize(image_emb, dim=-1)
    text_emb = F.normalize(text_emb, dim=-1)
    return image_emb @ text_emb.T / logit_scale'''), ALL_BUT_TEMPERATURE),
    ("directions swapped", "q1_loss", loss_cell(directions='''
    labels = torch.arange(logits_per_image.shape[0])
    image_to_text = F.cross_entropy(logits_per_image.T, labels, reduction="none")
    text_to_image = F.cross_entropy(logits_per_image, labels, reduction="none")
    return image_to_text, text_to_image'''), {"q1_test_symmetry"}),
    ("text to image without the transpose", "q1_loss", loss_cell(directions='''
    labels = torch.arange(logits_per_image.shape[0])
    image_to_text = F.cross_entropy(logits_per_image, labels, reduction="none")
    text_to_image = F.cross_entropy(logits_per_image, labels, reduction="none")
    return image_to_text, text_to_image'''), {"q1_test_loss", "q1_test_symmetry"}),
    ("summed over the batch instead of averaged", "q1_loss", loss_cell(loss='''
    image_to_text, text_to_image = directional_losses(clip_logits(image_emb, text_emb, logit_scale))
    return (image_to_text.sum() + text_to_image.sum()) / 2'''), {"q1_test_loss", "q1_test_symmetry"}),
    ("logit scale taken out of the graph with .item() (it never learns)", "q1_loss", loss_cell(logits='''
    image_emb = F.normalize(image_emb, dim=-1)
    text_emb = F.normalize(text_emb, dim=-1)
    return logit_scale.item() * image_emb @ text_emb.T'''), {"q1_test_loss", "q1_test_training"}),
    ("log-scale used as the scale (no exp)", "q1_temperature",
     temperature_cell(forward="self.log_scale.clamp(max=math.log(MAX_SCALE))"),
     {"q1_test_temperature", "q1_test_training"}),
    ("scale learned directly instead of its log", "q1_temperature",
     temperature_cell(init="1 / 0.07", forward="self.log_scale.clamp(max=MAX_SCALE)"),
     {"q1_test_temperature", "q1_test_training"}),
    ("no clamp at 100", "q1_temperature", temperature_cell(forward="self.log_scale.exp()"),
     {"q1_test_temperature"}),
    ("log-scale clamped at 100 instead of the scale", "q1_temperature",
     temperature_cell(forward="self.log_scale.clamp(max=MAX_SCALE).exp()"), {"q1_test_temperature"}),
    ("entropy from probabilities (NaN on sharp rows)", "q1_temperature", temperature_cell(entropy='''
    p = logits.softmax(dim=-1)
    return -(p * p.log()).sum(dim=-1)'''), {"q1_test_temperature"}),
    ("entropy with the softmax over the wrong dimension", "q1_temperature", temperature_cell(entropy='''
    log_p = F.log_softmax(logits, dim=0)
    return -(log_p.exp() * log_p).sum(dim=-1)'''), {"q1_test_temperature"}),
    ("zero-shot without normalisation", "q1_zero_shot",
     zero_shot_cell("(logit_scale * image_emb @ class_text_emb.T).softmax(dim=-1)"), {"q1_test_training"}),
    ("zero-shot softmax over the images", "q1_zero_shot",
     zero_shot_cell("clip_logits(image_emb, class_text_emb, logit_scale).softmax(dim=0)"),
     {"q1_test_training"}),
]
