"""The pretrained backend: open_clip CLIP (scene), OWLv2 (objects, open-vocabulary grounding),
ViLT or BLIP (VQA), all from the local Hugging Face cache. Nothing is ever downloaded here.

    Pipeline(backend="pretrained")                                  # the DEFAULT_MODELS below
    Pipeline(backend="pretrained", vqa="Salesforce/blip-vqa-base")  # pick models by name

Fetch the weights once on a machine with internet (the KitError for a missing model prints the
exact command), then work offline. `PretrainedBackend(clip=..., detector=..., vqa=...)` also
accepts already-built (model, processor) pairs: the tests build them from tiny random configs.
"""

import logging
import os
from contextlib import contextmanager

import torch
from torchvision.ops import batched_nms

from vlmkit.errors import KitError
from vlmkit.world.spec import CATEGORIES, SCENES

DEFAULT_MODELS = {
    "clip": "ViT-B-32:openai",
    "detector": "google/owlv2-base-patch16-ensemble",
    "vqa": "dandelin/vilt-b32-finetuned-vqa",
}
OPTIONS = ("scene_labels", "object_labels", "threshold", "nms_iou")  # PretrainedBackend's keyword arguments
SCENE_PROMPT = "a photo of a {} scene"
OBJECT_PROMPT = "a photo of a {}"


@contextmanager
def offline():
    """Make every Hugging Face Hub call local-only for the duration (no network, no hang), and
    keep the libraries' own error logging quiet: a missing model is reported once, as a KitError."""
    import huggingface_hub.constants as hub

    old_env, old_flag = os.environ.get("HF_HUB_OFFLINE"), hub.HF_HUB_OFFLINE
    os.environ["HF_HUB_OFFLINE"], hub.HF_HUB_OFFLINE = "1", True
    logging.disable(logging.ERROR)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)
        hub.HF_HUB_OFFLINE = old_flag
        if old_env is None:
            os.environ.pop("HF_HUB_OFFLINE", None)
        else:
            os.environ["HF_HUB_OFFLINE"] = old_env


def _missing(kind, name, fetch, err) -> KitError:
    reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    reason = reason if len(reason) <= 100 else reason[:100] + "..."
    return KitError(f"{kind} model {name!r} is not in the local cache ({reason}); fetch it once with internet: {fetch}")


def load_clip(name: str, cache_dir=None):
    """'ARCH:TAG' (e.g. 'ViT-B-32:openai') or 'hf-hub:org/repo' -> (model, preprocess, tokenizer)."""
    import open_clip

    arch, tag = (name, None) if name.startswith("hf-hub:") else (name.split(":", 1) + [None])[:2]
    fetch = f"python -c \"import open_clip; open_clip.create_model_and_transforms('{arch}', pretrained={tag!r})\""
    try:
        with offline():
            model, _, preprocess = open_clip.create_model_and_transforms(
                arch, pretrained=tag, require_pretrained=True, cache_dir=cache_dir
            )
            tokenizer = open_clip.get_tokenizer(arch)
    except Exception as err:  # noqa: BLE001 (open_clip re-wraps hub errors in several types)
        raise _missing("CLIP", name, fetch, err) from None
    return model.eval(), preprocess, tokenizer


def _from_hub(kind, name, model_cls, processor_cls, cache_dir=None):
    try:
        with offline():
            processor = processor_cls.from_pretrained(name, local_files_only=True, cache_dir=cache_dir)
            model = model_cls.from_pretrained(name, local_files_only=True, cache_dir=cache_dir)
    except (OSError, ValueError) as err:
        raise _missing(kind, name, f"hf download {name}", err) from None
    return model.eval(), processor


def load_detector(name: str, cache_dir=None):
    from transformers import Owlv2ForObjectDetection, Owlv2Processor

    return _from_hub("detector", name, Owlv2ForObjectDetection, Owlv2Processor, cache_dir)


def load_vqa(name: str, cache_dir=None):
    """A ViLT (answer classifier) or BLIP (answer generator) VQA model, told apart by its config."""
    from transformers import (
        AutoConfig,
        BlipForQuestionAnswering,
        BlipProcessor,
        ViltForQuestionAnswering,
        ViltProcessor,
    )

    try:
        with offline():
            model_type = AutoConfig.from_pretrained(name, local_files_only=True, cache_dir=cache_dir).model_type
    except (OSError, ValueError) as err:
        raise _missing("VQA", name, f"hf download {name}", err) from None
    classes = {"vilt": (ViltForQuestionAnswering, ViltProcessor), "blip": (BlipForQuestionAnswering, BlipProcessor)}
    if model_type not in classes:
        raise KitError(f"VQA model {name!r} is a {model_type!r} model; the kit runs ViLT or BLIP VQA models")
    return _from_hub("VQA", name, *classes[model_type], cache_dir)


class PretrainedBackend:
    def __init__(
        self,
        clip,
        detector,
        vqa,
        scene_labels=SCENES,
        object_labels=CATEGORIES,
        threshold: float = 0.2,
        nms_iou: float = 0.3,
    ):
        self.clip, self.clip_preprocess, self.clip_tokenizer = clip
        self.owl, self.owl_processor = detector
        self.vqa, self.vqa_processor = vqa
        self.scene_labels, self.object_labels = list(scene_labels), list(object_labels)
        self.threshold, self.nms_iou = threshold, nms_iou
        with torch.inference_mode():
            text = self.clip.encode_text(self.clip_tokenizer([SCENE_PROMPT.format(s) for s in self.scene_labels]))
            self.scene_text = text / text.norm(dim=-1, keepdim=True)

    @classmethod
    def from_names(cls, clip=None, detector=None, vqa=None, cache_dir=None, **options):
        """Load the named models (DEFAULT_MODELS for those not given) from the local cache only."""
        unknown = set(options) - set(OPTIONS)
        if unknown:
            raise KitError(
                f"unknown pretrained-backend option(s) {', '.join(sorted(unknown))}; "
                f"use clip, detector, vqa, cache_dir, {', '.join(OPTIONS)}"
            )
        return cls(
            load_clip(clip or DEFAULT_MODELS["clip"], cache_dir),
            load_detector(detector or DEFAULT_MODELS["detector"], cache_dir),
            load_vqa(vqa or DEFAULT_MODELS["vqa"], cache_dir),
            **options,
        )

    def canonical_name(self, name: str) -> str:
        return name.strip().lower()  # open vocabulary: any name is a query

    @torch.inference_mode()
    def run(self, images, questions, names) -> list:
        """Same contract as TinyBackend.run: per image scene_type, detections, grounded, answer."""
        pixels = torch.stack([self.clip_preprocess(im) for im in images])
        img = self.clip.encode_image(pixels)
        img = img / img.norm(dim=-1, keepdim=True)
        scenes = [self.scene_labels[i] for i in (img @ self.scene_text.T).argmax(1).tolist()]
        extra = sorted({self.canonical_name(n) for ns in names if ns for n in ns} - set(self.object_labels))
        queries = self.object_labels + extra
        dets = self._detect(images, queries)
        results = []
        for im, scene, ds, q, ns in zip(images, scenes, dets, questions, names, strict=True):
            grounded = None if ns is None else {n: [d for d in ds if d["name"] == self.canonical_name(n)] for n in ns}
            results.append(
                {
                    "scene_type": scene,
                    "detections": [d for d in ds if d["name"] in self.object_labels],
                    "grounded": grounded,
                    "answer": None if q is None else self._answer(im, q),
                }
            )
        return results

    def _detect(self, images, queries) -> list:
        inputs = self.owl_processor(
            text=[[OBJECT_PROMPT.format(q) for q in queries]] * len(images),
            images=images,
            return_tensors="pt",
            padding=True,
        )
        outputs = self.owl(**inputs)
        # OWLv2 pads every image to a square before resizing: boxes are relative to that square
        sides = [(max(im.size), max(im.size)) for im in images]
        found = self.owl_processor.post_process_grounded_object_detection(outputs, self.threshold, sides)
        out = []
        for im, r in zip(images, found, strict=True):
            boxes = r["boxes"].clamp(min=0)
            boxes[:, 0::2] = boxes[:, 0::2].clamp(max=im.width)
            boxes[:, 1::2] = boxes[:, 1::2].clamp(max=im.height)
            keep = batched_nms(boxes, r["scores"], r["labels"], self.nms_iou)
            out.append(
                [
                    {"name": queries[int(r["labels"][i])], "box": boxes[i].tolist(), "score": float(r["scores"][i])}
                    for i in keep.tolist()
                ]
            )
        return out

    def _answer(self, image, question) -> str:
        inputs = self.vqa_processor(images=image, text=question, return_tensors="pt")
        if self.vqa.config.model_type == "vilt":
            return self.vqa.config.id2label[int(self.vqa(**inputs).logits.argmax(-1))]
        ids = self.vqa.generate(**inputs, max_new_tokens=10)
        return self.vqa_processor.decode(ids[0], skip_special_tokens=True).strip()
