"""A tiny LLaVA for Q4's stage probes: transformers' LlavaForConditionalGeneration built from tiny
CLIP and Llama configs, its parameters grouped (vision, projector, llm), and one training step
recorded (what is trainable, what the optimizer holds, what moved).

Used in the learner's kernel (the probes build the model there) and by the judges.
"""

import torch

# At import time, not inside build_llava: transformers' lazy module is not safe to import from two
# threads at once (the grader judges on several).
from transformers import CLIPVisionConfig, LlamaConfig, LlavaConfig, LlavaForConditionalGeneration

IGNORE_INDEX = -100
GROUPS = ("vision", "projector", "llm")


def build_llava(spec, seed=0, device="cpu"):
    torch.manual_seed(seed)
    config = LlavaConfig(vision_config=CLIPVisionConfig(**spec["vision"]), text_config=LlamaConfig(**spec["text"]),
                         **spec.get("llava", {}))
    with torch.device(device):
        return LlavaForConditionalGeneration(config)


def group_of(name):
    if name.startswith("model.vision_tower."):
        return "vision"
    if name.startswith("model.multi_modal_projector."):
        return "projector"
    if name.startswith(("model.language_model.", "lm_head.")):
        return "llm"
    return "other"


def counts(model, trainable_only):
    out = {g: 0 for g in GROUPS}
    for name, p in model.named_parameters():
        if p.requires_grad or not trainable_only:
            out[group_of(name)] = out.get(group_of(name), 0) + p.numel()
    return out


def _batch(model, seed):
    """One training example: bos, the image tokens, 12 text tokens learned."""
    config = model.config
    vision = config.vision_config
    n_image = (vision.image_size // vision.patch_size) ** 2
    g = torch.Generator().manual_seed(seed)
    text = torch.randint(3, 250, (12,), generator=g)
    ids = torch.cat([torch.tensor([1]), torch.full((n_image,), config.image_token_id), text])[None]
    labels = ids.clone()
    labels[0, : 1 + n_image] = IGNORE_INDEX
    pixels = torch.randn(1, 3, vision.image_size, vision.image_size, generator=g)
    return ids, pixels, labels


def _optimized(model, optimizer):
    """Parameter elements per group that the optimizer holds ("other": tensors not in the model)."""
    names = {id(p): n for n, p in model.named_parameters()}
    out = {g: 0 for g in GROUPS}
    for group in optimizer.param_groups:
        for p in group["params"]:
            where = group_of(names[id(p)]) if id(p) in names else "other"
            out[where] = out.get(where, 0) + p.numel()
    return out


def stage_record(model, optimizer, seed):
    record = {"trainable": counts(model, trainable_only=True),
              "adamw": isinstance(optimizer, torch.optim.AdamW),
              "optimized": _optimized(model, optimizer),
              "lr": [float(group["lr"]) for group in optimizer.param_groups]}
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    ids, pixels, labels = _batch(model, seed)
    optimizer.zero_grad()
    model(input_ids=ids, pixel_values=pixels, labels=labels).loss.backward()
    optimizer.step()
    changed = {g: False for g in GROUPS}
    for n, p in model.named_parameters():
        changed[group_of(n)] = changed.get(group_of(n), False) or not torch.equal(before[n], p.detach())
    record["changed"] = changed
    return record
