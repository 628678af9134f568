"""The tiny backend: the kit's own models (bundled weights, CPU, offline) behind `Pipeline()`.

CLIP names the scene, the detector finds objects and grounds names (a closed vocabulary: the
world's categories; any other name is not found), the VQA model answers from the detector's features; `vqa="template"`
answers by reading the detections instead (a baseline to compare with).
"""

import numpy as np
import torch
from PIL import Image

from vlmkit.errors import KitError
from vlmkit.models.io import load_model, model_path
from vlmkit.models.template_vqa import template_answer
from vlmkit.world.spec import singular


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

    def canonical_name(self, name: str):
        """The detector category a name asks for (any case, plurals too), or None: a closed
        vocabulary, so a name outside it is grounded as not found."""
        return singular(name)

    def pixels(self, images) -> torch.Tensor:
        """RGB PIL images -> the (B, 3, S, S) uint8 batch every model eats (bilinear resize)."""
        s = self.image_size
        x = torch.from_numpy(np.stack([np.asarray(im.resize((s, s), Image.BILINEAR)) for im in images]))
        return x.permute(0, 3, 1, 2).contiguous(memory_format=torch.channels_last)

    @torch.inference_mode()
    def run(self, images, questions, names) -> list:
        """RGB PIL images, one question (or None) and one name list (or None) each ->
        per image {'scene_type', 'detections', 'grounded': {name: detections}, 'answer'}."""
        wanted = [None if ns is None else {n: self.canonical_name(n) for n in ns} for ns in names]
        s = self.image_size
        x = self.pixels(images)
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

