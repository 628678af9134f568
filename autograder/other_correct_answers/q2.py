"""Correct answers to Q2 (SigLIP) written differently from the solution: each keeps full marks.

Each entry: (name, answer cell grade_id, the cell's full source).
"""

CORRECT = [
    ("softplus form, torch.where labels, (1,)-shaped parameters", "q2_sigmoid", '''
def siglip_labels(n):
    return torch.where(torch.eye(n, dtype=torch.bool), 1.0, -1.0)


def siglip_loss(image_features, text_features, logit_scale, logit_bias):
    n = image_features.shape[0]
    logits = torch.matmul(image_features, text_features.T) * logit_scale + logit_bias
    return F.softplus(-siglip_labels(n).to(logits) * logits).sum() / n


class SigLipScale(nn.Module):
    def __init__(self):
        super().__init__()
        self.log_scale = nn.Parameter(torch.log(torch.tensor([10.0])))
        self.bias = nn.Parameter(torch.tensor([-10.0]))

    def forward(self):
        return torch.exp(self.log_scale), self.bias
'''),
    ("open_clip's idiom: ones([]) parameters, -ones + 2 * eye labels, logsigmoid mean times n", "q2_sigmoid", '''
def siglip_labels(n):
    return -torch.ones(n, n) + 2 * torch.eye(n)


def siglip_loss(image_features, text_features, logit_scale, logit_bias):
    n = len(image_features)
    logits = logit_scale * image_features @ text_features.T + logit_bias
    return -F.logsigmoid(siglip_labels(n) * logits).mean() * n


class SigLipScale(nn.Module):
    def __init__(self):
        super().__init__()
        self.log_scale = nn.Parameter(torch.ones([]) * math.log(10))
        self.bias = nn.Parameter(torch.ones([]) * -10)

    def forward(self):
        return self.log_scale.exp(), self.bias
'''),
    ("pair loss with softplus, torch.dot and an integer sign", "q2_pairs", '''
def pair_loss(image_feature, text_feature, logit_scale, logit_bias, is_match):
    sign = 2 * int(is_match) - 1
    logit = logit_scale * torch.dot(image_feature, text_feature) + logit_bias
    return F.softplus(-sign * logit)
'''),
    ("ring passing to the left neighbour (chunks i, i+1, ...), negatives as logsigmoid(-logits)", "q2_ring", '''
def ring_siglip_loss(image_chunks, text_chunks, logit_scale, logit_bias, similarity=pairwise_similarity):
    d = len(image_chunks)
    losses = []
    for i in range(d):
        n = image_chunks[i].shape[0]
        logits = logit_scale * similarity(image_chunks[i], text_chunks[i]) + logit_bias
        total = -F.logsigmoid(siglip_labels(n).to(logits.dtype) * logits).sum()
        for k in range(1, d):
            logits = logit_scale * similarity(image_chunks[i], text_chunks[(i + k) % d]) + logit_bias
            total = total - F.logsigmoid(-logits).sum()
        losses.append(total / n)
    return sum(losses) / d
'''),
    ("one cross-entropy per device over the gathered batch, labels from arange(i n, i n + n)",
     "q2_softmax_chunks", '''
def local_clip_loss(image_chunks, text_chunks, logit_scale, similarity=pairwise_similarity):
    total = 0.0
    for image, text in zip(image_chunks, text_chunks):
        logits = logit_scale * similarity(image, text)
        target = torch.arange(logits.shape[0])
        total = total + 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target))
    return total / len(image_chunks)


def gathered_clip_loss(image_chunks, text_chunks, logit_scale, similarity=pairwise_similarity):
    texts, images = torch.cat(text_chunks, dim=0), torch.cat(image_chunks, dim=0)
    per_device = []
    for i in range(len(image_chunks)):
        n = image_chunks[i].shape[0]
        target = torch.arange(i * n, (i + 1) * n)
        image_to_text = F.cross_entropy(logit_scale * similarity(image_chunks[i], texts), target)
        text_to_image = F.cross_entropy(logit_scale * similarity(text_chunks[i], images), target)
        per_device.append((image_to_text + text_to_image) / 2)
    return torch.stack(per_device).mean()
'''),
]
