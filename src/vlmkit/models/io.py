"""Saving and loading the tiny models as safetensors (no pickle), config and training recipe in
the file's metadata.

    save_model(model, "data/models/clip.safetensors", recipe={...})
    model = load_model("data/models/clip.safetensors")      # TinyCLIP, TinyDetector or TinyVQA
    read_recipe("data/models/clip.safetensors")             # how it was trained (None if not stored)

Weights are stored in float16 (half the size; the models are evaluated in float32 after
loading), except BatchNorm statistics, which keep float32 because their variances can be tiny.
"""

import json
from pathlib import Path

from safetensors import safe_open
from safetensors.torch import save_file

from vlmkit import paths
from vlmkit.errors import KitError
from vlmkit.models.clip import TinyCLIP
from vlmkit.models.config import CLIPConfig, DetectorConfig, VQAConfig, from_dict, to_dict
from vlmkit.models.detector import TinyDetector
from vlmkit.models.vqa import TinyVQA

MODELS_DIR = paths.DATA / "models"
MODEL_CLASSES = {CLIPConfig: TinyCLIP, DetectorConfig: TinyDetector, VQAConfig: TinyVQA}
FILES = {"clip": "clip.safetensors", "detector": "detector.safetensors", "vqa": "vqa.safetensors"}


def save_model(model, path, half: bool = True, recipe: dict = None) -> None:
    state = {}
    for k, v in model.state_dict().items():
        keep = not half or not v.is_floating_point() or "running_" in k
        state[k] = (v if keep else v.half()).contiguous()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    metadata = {"config": json.dumps(to_dict(model.config))}
    if recipe is not None:
        metadata["recipe"] = json.dumps(recipe)
    save_file(state, str(path), metadata=metadata)
    Path(path).chmod(0o644)  # safetensors writes owner-only files; these are shared data


def _existing(path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise KitError(f"no weights at {path}; run `vlmkit train --all` to create them")
    return path


def load_model(path):
    """Build the model its metadata names and load its weights; eval mode, float32."""
    with safe_open(str(_existing(path)), framework="pt") as f:
        config = from_dict(json.loads(f.metadata()["config"]))
        state = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (safe_open is not a dict)
    model = MODEL_CLASSES[type(config)](config)
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    return model.eval()


def read_recipe(path) -> dict | None:
    """The training recipe stored in a weights file by `vlmkit train` (None if it has none)."""
    path = _existing(path)
    try:
        with safe_open(str(path), framework="pt") as f:
            recipe = (f.metadata() or {}).get("recipe")
    except Exception as err:  # safetensors raises its own error types for a file it cannot parse
        raise KitError(f"{path} is not a safetensors weights file ({err})") from None
    return None if recipe is None else json.loads(recipe)


def model_path(name: str, models_dir=None) -> Path:
    return Path(models_dir or MODELS_DIR) / FILES[name]
