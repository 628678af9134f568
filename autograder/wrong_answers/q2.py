"""Realistic wrong answers to Q2 (SigLIP), and the test cells each one must lose.

Each entry: (name, answer cell grade_id, the wrong cell's source, test cells that lose points).
The first entry is the one put in the `mistakes` example submission.
"""

SIGMOID = '''
def siglip_labels(n):
    return {labels}


def siglip_loss(image_features, text_features, logit_scale, logit_bias):
    logits = logit_scale * image_features @ text_features.T {bias_op} logit_bias
    labels = siglip_labels(len(image_features)).to(logits.dtype)
    return {reduce}


class SigLipScale(nn.Module):
    def __init__(self):
        super().__init__()
        self.log_scale = nn.Parameter(torch.tensor({log_init}))
        self.bias = nn.Parameter(torch.tensor({bias_init}))

    def forward(self):
        return {forward}, self.bias
'''


def sigmoid_cell(labels="2 * torch.eye(n) - 1", bias_op="+",
                 reduce="-F.logsigmoid(labels * logits).sum() / len(image_features)",
                 log_init="math.log(10.0)", bias_init="-10.0", forward="self.log_scale.exp()"):
    return SIGMOID.format(labels=labels, bias_op=bias_op, reduce=reduce, log_init=log_init,
                          bias_init=bias_init, forward=forward)


def pairs_cell(z, loss="-F.logsigmoid"):
    return f'''
def pair_loss(image_feature, text_feature, logit_scale, logit_bias, is_match):
    z = {z}
    return {loss}(z * (logit_scale * image_feature @ text_feature + logit_bias))
'''


RING = '''
def ring_siglip_loss(image_chunks, text_chunks, logit_scale, logit_bias, similarity=pairwise_similarity):
    devices, n = len(image_chunks), len(image_chunks[0])
    held = list(text_chunks)
    totals = [0.0] * devices
    for step in range(devices):
        for i in range(devices):
            logits = logit_scale * similarity(image_chunks[i], held[i]) + logit_bias
            labels = {labels}
            totals[i] = totals[i] - F.logsigmoid(labels.to(logits.dtype) * logits).sum()
        held = [held[(i - 1) % devices] for i in range(devices)]
    return torch.stack([total / n for total in totals]).{combine}()
'''


def ring_cell(labels="siglip_labels(n) if step == 0 else -torch.ones(n, n)", combine="mean"):
    return RING.format(labels=labels, combine=combine)


SOFTMAX = '''
def local_clip_loss(image_chunks, text_chunks, logit_scale, similarity=pairwise_similarity):
{local}


def gathered_clip_loss(image_chunks, text_chunks, logit_scale, similarity=pairwise_similarity):
    all_images, all_texts = torch.cat(image_chunks), torch.cat(text_chunks)
    n = len(image_chunks[0])
    losses = []
    for i, (image, text) in enumerate(zip(image_chunks, text_chunks)):
{gathered}
        losses.append((F.cross_entropy(per_image, labels) + F.cross_entropy(per_text, labels)) / 2)
    return torch.stack(losses).mean()
'''
LOCAL = '''    losses = []
    for image, text in zip(image_chunks, text_chunks):
        logits = logit_scale * similarity(image, text)
        labels = torch.arange(len(image))
        losses.append((F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2)
    return torch.stack(losses).mean()'''
GATHERED = '''        labels = torch.arange(n) + i * n
        per_image = logit_scale * similarity(image, all_texts)
        per_text = logit_scale * similarity(text, all_images)'''


def softmax_cell(local=LOCAL, gathered=GATHERED):
    return SOFTMAX.format(local=local, gathered=gathered)


WRONG = [
    ("softmax cross-entropy instead of sigmoids", "q2_sigmoid", sigmoid_cell(
        reduce="(F.cross_entropy(logits, torch.arange(len(logits))) + "
               "F.cross_entropy(logits.T, torch.arange(len(logits)))) / 2"),
     {"q2_test_sigmoid", "q2_test_pairs"}),
    ("labels all +1", "q2_sigmoid", sigmoid_cell(labels="torch.ones(n, n)"),
     {"q2_test_sigmoid", "q2_test_pairs", "q2_test_ring"}),
    ("negatives labelled 0", "q2_sigmoid", sigmoid_cell(labels="torch.eye(n)"),
     {"q2_test_sigmoid", "q2_test_pairs", "q2_test_ring"}),
    ("bias sign flipped", "q2_sigmoid", sigmoid_cell(bias_op="-"), {"q2_test_sigmoid", "q2_test_pairs"}),
    ("divided by n² instead of n", "q2_sigmoid", sigmoid_cell(reduce="-F.logsigmoid(labels * logits).mean()"),
     {"q2_test_sigmoid", "q2_test_pairs"}),
    ("bias initialised at +10", "q2_sigmoid", sigmoid_cell(bias_init="10.0"), {"q2_test_sigmoid"}),
    ("scale stored directly instead of its log", "q2_sigmoid",
     sigmoid_cell(log_init="10.0", forward="self.log_scale"), {"q2_test_sigmoid"}),
    ("logit scale and bias turned into numbers with float() (neither learns)", "q2_sigmoid",
     sigmoid_cell().replace("logit_scale * image_features @ text_features.T + logit_bias",
                            "float(logit_scale) * image_features @ text_features.T + float(logit_bias)"),
     {"q2_test_sigmoid"}),
    ("pair loss returns the sigmoid probability", "q2_pairs",
     pairs_cell("1.0 if is_match else -1.0", loss="torch.sigmoid"), {"q2_test_pairs"}),
    ("pair loss with negatives labelled 0", "q2_pairs", pairs_cell("1.0 if is_match else 0.0"),
     {"q2_test_pairs"}),
    ("pair loss with the scale taken out of the graph with .item()", "q2_pairs",
     pairs_cell("1.0 if is_match else -1.0").replace("logit_scale *", "logit_scale.item() *"), {"q2_test_pairs"}),
    ("ring forgets the device's own block", "q2_ring", '''
def ring_siglip_loss(image_chunks, text_chunks, logit_scale, logit_bias, similarity=pairwise_similarity):
    devices, n = len(image_chunks), len(image_chunks[0])
    held = list(text_chunks)
    totals = [torch.zeros(())] * devices
    for step in range(1, devices):
        held = [held[(i - 1) % devices] for i in range(devices)]
        for i in range(devices):
            logits = logit_scale * similarity(image_chunks[i], held[i]) + logit_bias
            totals[i] = totals[i] - F.logsigmoid(-logits).sum()
    return torch.stack([total / n for total in totals]).mean()
''', {"q2_test_ring"}),
    ("ring labels received blocks like the own block", "q2_ring", ring_cell(labels="siglip_labels(n)"),
     {"q2_test_ring"}),
    ("ring sums the devices' losses", "q2_ring", ring_cell(combine="sum"), {"q2_test_ring"}),
    ("all texts gathered on every device (no ring)", "q2_ring", '''
def ring_siglip_loss(image_chunks, text_chunks, logit_scale, logit_bias, similarity=pairwise_similarity):
    devices, n = len(image_chunks), len(image_chunks[0])
    all_texts = torch.cat(text_chunks)
    losses = []
    for i in range(devices):
        logits = logit_scale * similarity(image_chunks[i], all_texts) + logit_bias
        labels = -torch.ones_like(logits)
        labels[:, i * n:(i + 1) * n] = siglip_labels(n)
        losses.append(-F.logsigmoid(labels * logits).sum() / n)
    return torch.stack(losses).mean()
''', {"q2_test_ring"}),
    ("chunks visited in index order, not passed around a ring", "q2_ring", '''
def ring_siglip_loss(image_chunks, text_chunks, logit_scale, logit_bias, similarity=pairwise_similarity):
    devices, n = len(image_chunks), len(image_chunks[0])
    losses = []
    for i in range(devices):
        total = 0.0
        for j in range(devices):
            logits = logit_scale * similarity(image_chunks[i], text_chunks[j]) + logit_bias
            labels = siglip_labels(n) if i == j else -torch.ones(n, n)
            total = total - F.logsigmoid(labels * logits).sum()
        losses.append(total / n)
    return torch.stack(losses).mean()
''', {"q2_test_ring"}),
    ("gathered CLIP labels not offset by the device", "q2_softmax_chunks", softmax_cell(gathered='''
        labels = torch.arange(n)
        per_image = logit_scale * similarity(image, all_texts)
        per_text = logit_scale * similarity(text, all_images)'''), {"q2_test_softmax"}),
    ("gathered CLIP builds the full matrix on every device", "q2_softmax_chunks", softmax_cell(gathered='''
        labels = torch.arange(n) + i * n
        full = logit_scale * similarity(all_images, all_texts)
        per_image, per_text = full[i * n:(i + 1) * n], full.T[i * n:(i + 1) * n]'''), {"q2_test_softmax"}),
    ("local loss computed on the whole batch", "q2_softmax_chunks", softmax_cell(local='''
    image, text = torch.cat(image_chunks), torch.cat(text_chunks)
    logits = logit_scale * similarity(image, text)
    labels = torch.arange(len(image))
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2'''),
     {"q2_test_softmax"}),
]
