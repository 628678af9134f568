"""A tiny CLIP: a CNN image tower and a small transformer text tower in one embedding space.

    model = TinyCLIP(CLIPConfig())
    loss = model.loss(images_uint8, captions)             # symmetric InfoNCE, learnable temperature
    probs = model.classify(images_uint8)                  # zero-shot scene probabilities

Zero-shot scene classification embeds a few prompts per scene ("a photo of a beach scene", ...),
averages them per scene and picks the scene whose text embedding is closest to the image's.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from vlmkit.models.backbone import Backbone
from vlmkit.models.config import CLIPConfig
from vlmkit.models.tokenizer import PAD, WordTokenizer


class ImageTower(nn.Module):
    def __init__(self, config: CLIPConfig):
        super().__init__()
        self.backbone = Backbone(config.backbone)
        c = self.backbone.out_channels[-1]
        self.proj = nn.Linear(2 * c, config.embed_dim)

    def forward(self, images):
        f = self.backbone(images)[-1]
        # mean + max pooling: the mean carries the background (scene), the max small objects
        return self.proj(torch.cat([f.mean((2, 3)), f.amax((2, 3))], 1))


class TextTower(nn.Module):
    def __init__(self, config: CLIPConfig):
        super().__init__()
        self.tokenizer = WordTokenizer(config.vocab)
        self.max_len = config.max_len
        self.embed = nn.Embedding(self.tokenizer.size, config.text_dim)
        self.pos = nn.Parameter(torch.randn(config.max_len, config.text_dim) * 0.02)
        layer = nn.TransformerEncoderLayer(
            config.text_dim, config.text_heads, 4 * config.text_dim, dropout=0.0, batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, config.text_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(config.text_dim)
        self.proj = nn.Linear(config.text_dim, config.embed_dim)

    def forward(self, texts):
        ids = self.tokenizer.batch(texts, self.max_len).to(self.pos.device)
        x = self.embed(ids) + self.pos[: ids.shape[1]]
        x = self.encoder(x, src_key_padding_mask=ids == PAD)
        return self.proj(self.norm(x[:, 0]))  # the <cls> token


class TinyCLIP(nn.Module):
    def __init__(self, config: CLIPConfig):
        super().__init__()
        self.config = config
        self.image = ImageTower(config)
        self.text = TextTower(config)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def encode_image(self, images):
        return F.normalize(self.image(images), dim=-1)

    def encode_text(self, texts):
        return F.normalize(self.text(texts), dim=-1)

    def loss(self, images, captions):
        """Symmetric cross-entropy over the batch's image-caption similarity matrix."""
        img, txt = self.encode_image(images), self.encode_text(captions)
        logits = self.logit_scale.clamp(max=math.log(100)).exp() * img @ txt.T
        labels = torch.arange(len(captions), device=logits.device)
        return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2

    @torch.no_grad()
    def scene_embeddings(self) -> torch.Tensor:
        """(n_scenes, embed_dim): the mean prompt embedding of each scene, re-normalised."""
        prompts = [p.format(s=s) for s in self.config.scenes for p in self.config.scene_prompts]
        emb = self.encode_text(prompts).view(len(self.config.scenes), len(self.config.scene_prompts), -1)
        return F.normalize(emb.mean(1), dim=-1)

    @torch.no_grad()
    def classify(self, images, scene_embeddings=None) -> torch.Tensor:
        """(B, n_scenes) zero-shot probabilities; pass cached scene_embeddings to skip the text tower."""
        text = self.scene_embeddings() if scene_embeddings is None else scene_embeddings
        return (self.logit_scale.exp() * self.encode_image(images) @ text.T).softmax(-1)
