"""Capstone: which model did each part of a learner's pipeline, judged image by image against
the kit's own components (the probe runs in the kernel, the judge in the grader).

Metrics cannot tell which model did the work: the tiny detector has a scene head of its own and
its detections answer most questions (counted, their colours and places read off), and on the
bundled test set these agree with CLIP's zero-shot scene and the VQA model's answers on all but a
few images. So the cases list images where they do not agree: scenes of the kit's world, chosen
once by `disagreements`, besides test images at other sizes. The judge recomputes every
component from the same pixels with the kit's `Pipeline` and its models — never from the
generator's ground truth — and a part that follows the rival model fails with a message that
names it. To list more images: `[s for s in (seed...) if disagreements({"seed": s, ...})]`.
"""

import json
from functools import lru_cache

from vlmkit.checks.capstone_pipeline import bundled_samples, contract_view, kit_pipeline

# ---------------------------------------------------------------- probe (runs in the kernel)


def item_image(item):
    """An item's image: a bundled test image (`index`; its path when nothing else is asked) or a
    scene of the kit's world (`seed`: split and index), resized (NEAREST) to `size` (w, h) if
    given, as an (H, W, 3) array, or as a PIL image if `pil`."""
    import numpy as np
    from PIL import Image

    if "seed" in item:
        from vlmkit.world import generate_scene, scene_seed

        image = generate_scene(scene_seed(*item["seed"])).image
    else:
        path = bundled_samples()[item["index"]]["image"]
        if not item.get("size") and not item.get("pil"):
            return path
        with Image.open(path) as im:
            image = im.convert("RGB")
    if item.get("size"):
        image = image.resize(tuple(item["size"]), Image.NEAREST)
    return image if item.get("pil") else np.asarray(image)


def pipeline_items(case, pipeline):
    """process() on each item's image with its question and names."""
    return [contract_view(pipeline.process(item_image(item), question=item["question"],
                                           ground_objects=list(item["names"])))
            for item in case["items"]]


# ---------------------------------------------------------------- judge (runs in the grader)

# Each part the judge tells apart by its source: the kit's output key, the key of the rival
# model's answer in kit_components, and how the message names both.
PARTS = {
    "scene_type": {"rival": "detector_scene", "model": "the zero-shot CLIP classifier", "other": "the detector",
                   "where": "images where the detector and CLIP disagree",
                   "how": "clip.classify(x, scene_text) on the image resized (bilinear) to the models' input size"},
    "answer": {"rival": "detections_answer", "model": "the VQA model", "other": "the detections",
               "where": "questions where the VQA model and the detections (counted, their colours and places "
                        "read off) disagree",
               "how": "vqa.answer(tokens, glob, [question]) with (tokens, glob) = detector.vqa_tokens(heads, "
                      "vqa.config.n_tokens)"},
}


@lru_cache(maxsize=4)
def kit_components(key: str) -> list:
    """For each item of a JSON list: the kit's Pipeline output (CLIP's scene, the detector's
    objects and grounding, the VQA model's answer) and the rivals: the detector's scene head and
    the answer its detections give (`template_answer`), all from the item's pixels."""
    import torch

    from vlmkit.models.template_vqa import template_answer
    from vlmkit.pipeline import load_image

    items, kit = json.loads(key), kit_pipeline()
    images = [load_image(item_image(item)) for item in items]
    outputs = kit.process_batch(images, [i["question"] for i in items], [list(i["names"]) for i in items])
    detector = kit.backend.detector
    with torch.inference_mode():
        heads = detector(kit.backend.pixels(images))
    scenes = [detector.config.scenes[i] for i in heads["scene"].argmax(1).tolist()]
    return [{**out, "detector_scene": scene,
             "detections_answer": template_answer(item["question"], dets, out["scene_type"])}
            for item, out, scene, dets in zip(items, outputs, scenes, detector.decode(heads), strict=True)]


def disagreements(item) -> list:
    """The parts on which the kit's models disagree for this item: what makes it worth listing."""
    kit = kit_components(json.dumps([item]))[0]
    return [part for part, spec in PARTS.items() if kit[part] != kit[spec["rival"]]]


def _part_message(part, output, kit):
    spec = PARTS[part]
    wrong = [(mine.get(part), ref) for mine, ref in zip(output, kit, strict=True) if mine.get(part) != ref[part]]
    if not wrong:
        return None
    split = sum(ref[part] != ref[spec["rival"]] for ref in kit)
    follows = sum(value == ref[spec["rival"]] for value, ref in wrong)
    if follows:
        return (f"{part} does not come from {spec['model']} the notebook asks for: on {split} {spec['where']}, "
                f"yours follows {spec['other']}" + ("" if follows == split else f" on {follows}"))
    return f"{part} differs from {spec['model']}'s on {len(wrong)} of {len(kit)} images: {spec['how']}"


def _same_boxes(mine, kit, atol=0.5):
    return len(mine) == len(kit) and all(
        any(all(abs(a - b) <= atol for a, b in zip(m, k, strict=True)) for m in mine) for k in kit)


def _same_objects(mine, kit):
    """The same detections in any order: names, scores (the kit rounds them) and boxes."""
    return len(mine) == len(kit) and all(
        any(o["name"] == r["name"] and abs(o["score"] - r["score"]) <= 0.005 and _same_boxes([o["box"]], [r["box"]])
            for o in mine) for r in kit)


def _objects_message(output, kit):
    wrong = sum(not _same_objects(mine["objects"], ref["objects"]) for mine, ref in zip(output, kit, strict=True))
    if wrong:
        return (f"objects differ from the detector's on {wrong} of {len(kit)} images (names, scores or boxes): "
                "resize the image (bilinear) to the models' input size, decode the detector's heads, "
                "scale the boxes back to the width and height of the image as given")
    return None


def _grounding_message(output, kit):
    for mine, ref in zip(output, kit, strict=True):
        grounded = mine.get("grounded") or {}
        if sorted(grounded) != sorted(ref["grounded"]) or not all(
                _same_boxes(grounded[n]["boxes"], ref["grounded"][n]["boxes"]) for n in ref["grounded"]):
            return ("grounding differs from the detector's: each name (any case, plurals too) is "
                    "grounded by the detections of its category")
    return None


def matches_kit_components(case, output):
    """Output for output, each part what the kit's model for it gives on the same image: the
    scene CLIP's, objects and grounding the detector's, the answer the VQA model's."""
    if not isinstance(output, list) or len(output) != len(case["items"]):
        return "the probe expected one output per image"
    kit = kit_components(json.dumps(case["items"]))
    return (_part_message("scene_type", output, kit) or _objects_message(output, kit)
            or _part_message("answer", output, kit) or _grounding_message(output, kit))
