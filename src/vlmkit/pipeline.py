"""The capstone pipeline: one call from pixels to scene, objects, grounding and an answer.

    from vlmkit.pipeline import Pipeline
    pipe = Pipeline()                                    # tiny backend: bundled weights, CPU, offline
    out = pipe.process("beach.png", question="how many boats are there?", ground_objects=["boat"])
    # {'scene_type': 'beach', 'objects': [{'name', 'box', 'score'}, ...],
    #  'grounded': {'boat': {'found': True, 'boxes': [[x1, y1, x2, y2]], 'scores': [0.93]}},
    #  'answer': '1'}

    Pipeline(backend="pretrained")                       # open_clip + OWLv2 + ViLT from the local cache
    Pipeline(backend="pretrained", clip="ViT-B-32:openai", detector="google/owlv2-base-patch16-ensemble",
             vqa="Salesforce/blip-vqa-base")             # choose the pretrained models by name
    Pipeline(vqa="template")                             # tiny models, template VQA baseline

Images may be a path, a PIL image or an (H, W[, C]) array; grey-scale and RGBA are converted
to RGB. Boxes are [x1, y1, x2, y2] in pixels of the image as given. Problems a user can fix
(missing file, not an image, empty question, unknown name) raise KitError.
"""

from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from vlmkit.errors import KitError
from vlmkit.models.io import load_model, model_path
from vlmkit.models.template_vqa import template_answer
from vlmkit.world.spec import CATEGORIES, singular

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


def _check_question(question):
    if question is None:
        return None
    if not isinstance(question, str):
        raise KitError(f"question must be a string or None, got {type(question).__name__}")
    if not question.strip():
        raise KitError("question is empty: pass a question, or question=None for no answer")
    return question


def _names(ground_objects) -> list:
    if ground_objects is None:
        return None
    if isinstance(ground_objects, str):
        ground_objects = [ground_objects]
    names = list(ground_objects)
    for n in names:
        if not isinstance(n, str) or not n.strip():
            raise KitError(f"ground_objects must be non-empty names, got {n!r}")
    return names


class TinyBackend:
    """The kit's own models: CLIP for the scene, the detector for objects and grounding, VQA."""

    image_size = 128

    def __init__(self, models_dir=None, vqa: str = "learned"):
        if vqa not in ("learned", "template"):
            raise KitError(f"vqa must be 'learned' or 'template', got {vqa!r}")
        self.clip = load_model(model_path("clip", models_dir)).to(memory_format=torch.channels_last)
        self.detector = load_model(model_path("detector", models_dir)).to(memory_format=torch.channels_last)
        self.vqa = load_model(model_path("vqa", models_dir)) if vqa == "learned" else None
        self.scene_text = self.clip.scene_embeddings()  # the prompts never change: embed them once

    def canonical_name(self, name: str) -> str:
        cat = singular(name)
        if cat is None:
            raise KitError(
                f"the tiny backend can only ground {', '.join(CATEGORIES)} (got {name!r}); "
                "use Pipeline(backend='pretrained') for open-vocabulary names"
            )
        return cat

    @torch.inference_mode()
    def run(self, images, questions, names) -> list:
        """RGB PIL images, one question (or None) and one name list (or None) each ->
        per image {'scene_type', 'detections', 'grounded': {name: detections}, 'answer'}."""
        wanted = [None if ns is None else {n: self.canonical_name(n) for n in ns} for ns in names]
        s = self.image_size
        x = torch.from_numpy(np.stack([np.asarray(im.resize((s, s), Image.BILINEAR)) for im in images]))
        x = x.permute(0, 3, 1, 2).contiguous(memory_format=torch.channels_last)
        scenes = [self.clip.config.scenes[i] for i in self.clip.classify(x, self.scene_text).argmax(1).tolist()]
        out = self.detector(x)
        dets = self.detector.decode(out)
        for im, ds in zip(images, dets, strict=True):
            sx, sy = im.width / s, im.height / s
            for d in ds:
                d["box"] = [d["box"][0] * sx, d["box"][1] * sy, d["box"][2] * sx, d["box"][3] * sy]
        answers = [None] * len(images)
        asked = [i for i, q in enumerate(questions) if q is not None]
        if asked and self.vqa is not None:
            tokens, glob = self.detector.vqa_tokens(out, self.vqa.config.n_tokens)
            answered = self.vqa.answer(tokens[asked], glob[asked], [questions[i] for i in asked])
            for i, a in zip(asked, answered, strict=True):
                answers[i] = a
        elif asked:  # the template baseline reads the answer off the detections
            for i in asked:
                answers[i] = template_answer(questions[i], dets[i], scenes[i])
        # closed vocabulary: grounding a name is reading the detections of its category
        return [
            {
                "scene_type": sc,
                "detections": ds,
                "answer": a,
                "grounded": None if w is None else {n: [d for d in ds if d["name"] == c] for n, c in w.items()},
            }
            for sc, ds, a, w in zip(scenes, dets, answers, wanted, strict=True)
        ]


class Pipeline:
    """`process(image, question=None, ground_objects=None)` with the course's output contract."""

    def __init__(self, backend: str = "tiny", models_dir=None, vqa: str = "learned", **model_names):
        if backend == "tiny":
            if model_names:
                raise KitError(f"the tiny backend takes no model names (got {', '.join(model_names)})")
            self.backend = TinyBackend(models_dir, vqa)
        elif backend == "pretrained":
            from vlmkit.pretrained_backend import (
                PretrainedBackend,  # heavy imports only when asked for
            )

            self.backend = PretrainedBackend.from_names(**model_names)
        elif hasattr(backend, "run"):  # a backend object built by hand (tests, custom models)
            self.backend = backend
        else:
            raise KitError(f"unknown backend {backend!r}: use 'tiny' or 'pretrained'")

    def process(self, image, question=None, ground_objects=None) -> dict:
        return self.process_batch([image], [question], [ground_objects])[0]

    def process_batch(self, images, questions=None, ground_objects=None, batch_size: int = 64) -> list:
        """Many images at once. questions: None or one per image; ground_objects: None, one list of
        names for every image, or one list per image."""
        images = list(images)
        questions = [None] * len(images) if questions is None else list(questions)
        if ground_objects is None or all(isinstance(n, str) for n in ground_objects):
            ground_objects = [ground_objects] * len(images)
        ground_objects = list(ground_objects)
        if not (len(questions) == len(ground_objects) == len(images)):
            raise KitError(
                f"got {len(images)} images but {len(questions)} questions and "
                f"{len(ground_objects)} ground_objects lists: give one per image"
            )
        questions = [_check_question(q) for q in questions]
        names = [_names(g) for g in ground_objects]
        results = []
        for start in range(0, len(images), batch_size):
            stop = start + batch_size
            pil = [load_image(im) for im in images[start:stop]]
            results += [_format(r) for r in self.backend.run(pil, questions[start:stop], names[start:stop])]
        return results


def _format(r) -> dict:
    """A backend's raw result -> the course's contract (plain floats, rounded)."""

    def obj(d):
        return {"name": d["name"], "box": [round(float(v), 1) for v in d["box"]], "score": round(float(d["score"]), 4)}

    result = {"scene_type": r["scene_type"], "objects": [obj(d) for d in r["detections"]]}
    if r["grounded"] is not None:
        result["grounded"] = {
            name: {"found": bool(ds), "boxes": [obj(d)["box"] for d in ds], "scores": [obj(d)["score"] for d in ds]}
            for name, ds in r["grounded"].items()
        }
    if r["answer"] is not None:
        result["answer"] = r["answer"]
    return result
