"""The tiny models, pure PyTorch, one per file: `clip` (scene), `detector` (objects, grounding),
`vqa` (answers), plus the `template_vqa` baseline, the shared `backbone`, the word `tokenizer`,
their dataclass `config`s and safetensors `io` (weights with their config and training recipe),
and `train`, which makes the weights from the world.

    from vlmkit.models import load_model, model_path
    clip = load_model(model_path("clip"))

May import: world, errors, paths. Never pipeline, evaluation, grading or checks.
"""

from vlmkit.models.clip import TinyCLIP
from vlmkit.models.config import BackboneConfig, CLIPConfig, DetectorConfig, VQAConfig
from vlmkit.models.detector import TinyDetector
from vlmkit.models.io import FILES, MODELS_DIR, load_model, model_path, save_model
from vlmkit.models.template_vqa import template_answer
from vlmkit.models.vqa import TinyVQA

__all__ = [
    "FILES",
    "MODELS_DIR",
    "BackboneConfig",
    "CLIPConfig",
    "DetectorConfig",
    "TinyCLIP",
    "TinyDetector",
    "TinyVQA",
    "VQAConfig",
    "load_model",
    "model_path",
    "save_model",
    "template_answer",
]
