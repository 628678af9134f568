"""Any image a user may pass -> an RGB PIL image, or a KitError that says what to do.

    from vlmkit.pipeline import load_image
    load_image("beach.png"); load_image(np.zeros((64, 64, 3), np.uint8)); load_image(pil_image)

Paths, PIL images and (H, W[, C]) arrays (channels first accepted, floats in 0..1 or 0..255);
grey-scale and RGBA become RGB (transparent pixels white). Huge or empty images are refused.
"""

from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from vlmkit.errors import KitError

MAX_PIXELS = 50_000_000  # larger inputs are refused rather than risk memory: downscale first


def load_image(image) -> Image.Image:
    """A path, PIL image or array -> an RGB PIL image (KitError for anything unusable)."""
    if isinstance(image, (str, Path)):
        path = Path(image)
        if not path.is_file():
            raise KitError(f"image file not found: {path}")
        try:
            img = Image.open(path)
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as err:
            raise KitError(f"cannot read {path} as an image ({type(err).__name__}); give a PNG or JPEG file") from None
        _check_size(img.size, path)
        try:
            img.load()
        except OSError as err:
            raise KitError(f"cannot read {path} as an image ({err}); the file may be truncated") from None
    elif isinstance(image, Image.Image):
        img = image
    elif isinstance(image, np.ndarray) or torch.is_tensor(image):
        img = _from_array(np.asarray(image))
    else:
        raise KitError(f"expected an image path, a PIL image or an array, got {type(image).__name__}")
    _check_size(img.size, "the image")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))  # transparent -> white, not black
        return Image.alpha_composite(white, img.convert("RGBA")).convert("RGB")
    return img.convert("RGB") if img.mode != "RGB" else img


def _check_size(size, what):
    w, h = size
    if w < 1 or h < 1:
        raise KitError(f"{what} is empty ({w}×{h} pixels)")
    if w * h > MAX_PIXELS:
        raise KitError(
            f"{what} is {w}×{h} pixels, over the limit of {MAX_PIXELS // 10**6} megapixels; downscale it first"
        )


def _from_array(a: np.ndarray) -> Image.Image:
    if a.ndim == 3 and a.shape[0] in (1, 3, 4) and a.shape[-1] > 4:
        a = a.transpose(1, 2, 0)  # channels first (a torch-style C, H, W array)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (3, 4)) or a.size == 0:
        raise KitError(f"expected an (H, W), (H, W, 3) or (H, W, 4) image array, got shape {a.shape}")
    if a.dtype != np.uint8:
        if not np.issubdtype(a.dtype, np.number) or not np.isfinite(a).all():
            raise KitError(f"image array must hold finite numbers, got dtype {a.dtype}")
        a = a * 255.0 if a.max() <= 1.0 else a  # floats in 0..1 are the other common convention
        a = np.clip(a, 0, 255).astype(np.uint8)
    return Image.fromarray(a)

