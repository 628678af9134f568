"""Dataclass configs of the tiny models. Each is saved beside its weights (safetensors metadata),
so a checkpoint carries its own vocabulary, class names and decoding threshold.
"""

from dataclasses import asdict, dataclass, field, fields

from vlmkit.world.language import ANSWERS, SCENE_PROMPTS, VOCAB
from vlmkit.world.spec import CATEGORIES, COLORS, IMAGE_SIZE, SCENES


@dataclass
class BackboneConfig:
    channels: tuple = (16, 32, 64, 128)  # stem (stride 2), then stride 4, 8, 16
    image_size: int = IMAGE_SIZE


@dataclass
class CLIPConfig:
    backbone: BackboneConfig = field(default_factory=BackboneConfig)
    embed_dim: int = 128
    vocab: tuple = VOCAB
    text_dim: int = 128
    text_layers: int = 2
    text_heads: int = 4
    max_len: int = 32
    scenes: tuple = SCENES
    scene_prompts: tuple = SCENE_PROMPTS  # averaged per scene for zero-shot classification


@dataclass
class DetectorConfig:
    backbone: BackboneConfig = field(default_factory=BackboneConfig)
    neck_dim: int = 48
    classes: tuple = CATEGORIES
    colors: tuple = tuple(COLORS)
    scenes: tuple = SCENES
    stride: int = 4
    score_threshold: float = 0.3  # train.py overwrites it with the value best on validation
    max_detections: int = 20


@dataclass
class VQAConfig:
    feature_dim: int = 69  # per object token: x, y, class (8) and colour (8) probs, log w, h, score, neck (48)
    global_dim: int = 133  # scene logits (5) + pooled stride-16 features (128)
    n_tokens: int = 10  # candidate objects per image (the world has at most 5)
    vocab: tuple = VOCAB
    answers: tuple = ANSWERS
    dim: int = 128
    heads: int = 4
    layers: int = 2
    max_len: int = 16  # words, <cls> included; longer questions are cut
    slot_dim: int = 16  # each word slot's size in the answer read-out


CONFIGS = {
    "BackboneConfig": BackboneConfig,
    "CLIPConfig": CLIPConfig,
    "DetectorConfig": DetectorConfig,
    "VQAConfig": VQAConfig,
}


def to_dict(config) -> dict:
    return {"type": type(config).__name__, **asdict(config)}


def from_dict(d: dict):
    """Inverse of to_dict; nested configs and tuples are restored."""
    d = dict(d)
    cls = CONFIGS[d.pop("type")]
    kwargs = {}
    for f in fields(cls):
        if f.name not in d:
            continue
        v = d[f.name]
        if isinstance(v, dict):
            v = from_dict({"type": "BackboneConfig", **v})
        elif isinstance(v, list):
            v = tuple(v)
        kwargs[f.name] = v
    return cls(**kwargs)
