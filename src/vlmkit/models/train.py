"""Training the tiny models from scratch, on the CPU, deterministically (`vlmkit train`).

    train(["clip", "detector", "vqa"])            # into data/models (~6 min, 2 idle cores)
    train(["detector"], out_dir="runs/x")         # the detector starts from CLIP in out_dir if there
    train(MODELS, out_dir="/tmp/m", smoke=True)   # a few tiny steps: checks the code path in seconds

Training data is rendered on the fly from the world's 'train' split; the 'val' split picks the
detector's score threshold and reports validation numbers; the 'test' split is never touched.
Each weights file stores the full recipe that made it (see `recipe_record`); wall times go to
<out>/train_timing.json, which benchmarks/bench_pipeline.py reads.
"""

import json
import math
import time
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

import vlmkit
from vlmkit.errors import KitError
from vlmkit.models import CLIPConfig, DetectorConfig, TinyCLIP, TinyDetector, TinyVQA, VQAConfig
from vlmkit.models.io import MODELS_DIR, load_model, model_path, save_model
from vlmkit.world.boxes import match_detections
from vlmkit.world.language import ANSWERS, caption, feasible_kinds, make_question
from vlmkit.world.scene import generate_scene, scene_seed
from vlmkit.world.spec import QUESTION_TYPES

MODELS = ("clip", "detector", "vqa")
TIMING_FILE = "train_timing.json"
THREADS = 2
# How often each question kind is drawn for VQA training: spatial relations are the slowest to learn.
KIND_WEIGHTS = {"existence": 1.0, "counting": 1.2, "color": 1.0, "scene": 0.5, "spatial": 1.8}


# What the trainer does beyond the numbers of its Recipe, stored in every weights file.
METHOD = {
    "optimizer": "AdamW, linear warm-up over steps/20, cosine decay to 5% of lr",
    "data": "scenes first_scene, first_scene+1, ... of the world's 'train' split, rendered on the fly",
    "starts_from": {"detector": "the image tower of clip.safetensors in the same folder",
                    "vqa": "features of detector.safetensors in the same folder (frozen)"},
}


@dataclass
class Recipe:
    steps: int
    batch: int  # images per step
    lr: float
    first_scene: int = 0  # index of the first training scene: each model sees scenes of its own
    questions_per_image: int = 1
    cache_images: int = 0  # VQA: training images whose detector features are cached
    val_images: int = 300
    weight_decay: float = 0.02
    seed: int = 0  # torch's generator and the numpy generators that draw captions and questions


RECIPES = {
    "clip": Recipe(steps=160, batch=96, lr=3e-3),
    "detector": Recipe(steps=900, batch=32, lr=3e-3, first_scene=10**6),
    "vqa": Recipe(steps=1000, batch=64, lr=1e-3, first_scene=2 * 10**6, questions_per_image=4, cache_images=6000),
}
SMOKE = {
    "clip": replace(RECIPES["clip"], steps=2, batch=8, lr=1e-3, val_images=8),
    "detector": replace(RECIPES["detector"], steps=2, batch=4, lr=1e-3, val_images=8),
    "vqa": replace(RECIPES["vqa"], steps=2, batch=4, lr=1e-3, questions_per_image=2, cache_images=8, val_images=8),
}


def render(split: str, start: int, n: int):
    """Scenes start..start+n-1 of a split -> (uint8 images (n, 3, H, W), list of Scene)."""
    scenes = [generate_scene(scene_seed(split, start + i)) for i in range(n)]
    images = torch.from_numpy(np.stack([np.asarray(s.image) for s in scenes])).permute(0, 3, 1, 2)
    return images.contiguous(memory_format=torch.channels_last), scenes


def optimizer(model, recipe):
    """AdamW with a short linear warm-up and a cosine decay to 5%."""
    opt = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)
    warm = max(1, recipe.steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, s / recipe.steps))))
    )
    return opt, sched


def step(opt, sched, loss):
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    sched.step()


def train_clip(recipe, out_dir, record):
    model = TinyCLIP(CLIPConfig()).to(memory_format=torch.channels_last).train()
    opt, sched = optimizer(model, recipe)
    rng = np.random.default_rng(recipe.seed)
    for s in (bar := tqdm(range(recipe.steps), desc="clip", unit="step")):
        images, scenes = render("train", recipe.first_scene + s * recipe.batch, recipe.batch)
        loss = model.loss(images, [caption(sc.scene, sc.objects, rng) for sc in scenes])
        step(opt, sched, loss)
        bar.set_postfix(loss=f"{loss.item():.3f}")
    model.eval()
    images, scenes = render("val", 0, recipe.val_images)
    pred = model.classify(images).argmax(1).tolist()
    acc = np.mean([model.config.scenes[p] == sc.scene for p, sc in zip(pred, scenes, strict=True)])
    metrics = {"val_scene_accuracy": float(acc)}
    save_model(model, model_path("clip", out_dir), recipe=record(metrics))
    return metrics


def _detection_f1(dets, scenes):
    tp = n_pred = n_gt = 0
    for d, sc in zip(dets, scenes, strict=True):
        tp += len(match_detections(d, sc.objects)[0])
        n_pred, n_gt = n_pred + len(d), n_gt + len(sc.objects)
    p, r = tp / max(n_pred, 1), tp / max(n_gt, 1)
    return 2 * p * r / max(p + r, 1e-9), p, r


def train_detector(recipe, out_dir, record):
    model = TinyDetector(DetectorConfig())
    clip_file = model_path("clip", out_dir)
    if clip_file.is_file():  # start from the image tower CLIP trained: it already knows the world
        model.backbone.load_state_dict(load_model(clip_file).image.backbone.state_dict())
    else:
        tqdm.write(f"detector: no {clip_file}, starting from random weights")
    model = model.to(memory_format=torch.channels_last).train()
    opt, sched = optimizer(model, recipe)
    scene_index = {s: i for i, s in enumerate(model.config.scenes)}
    for s in (bar := tqdm(range(recipe.steps), desc="detector", unit="step")):
        images, scenes = render("train", recipe.first_scene + s * recipe.batch, recipe.batch)
        losses = model.loss(
            model(images),
            model.targets([sc.objects for sc in scenes]),
            torch.tensor([scene_index[sc.scene] for sc in scenes]),
        )
        step(opt, sched, losses["total"])
        bar.set_postfix({k: f"{v.item():.3f}" for k, v in losses.items()})
    model.eval()
    images, scenes = render("val", 0, recipe.val_images)
    with torch.no_grad():
        outs = [model(images[i : i + 100]) for i in range(0, len(images), 100)]
    # the threshold that maximises F1 on validation becomes part of the saved config
    grid = [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]
    results = {t: _detection_f1([d for o in outs for d in model.decode(o, t)], scenes) for t in grid}
    best = max(grid, key=lambda t: results[t][0])
    model.config = replace(model.config, score_threshold=best)
    f1, p, r = results[best]
    metrics = {"score_threshold": best, "val_precision": p, "val_recall": r, "val_f1": f1}
    save_model(model, model_path("detector", out_dir), recipe=record(metrics))
    return metrics


@torch.no_grad()
def detector_features(detector, split, start, n, n_tokens):
    """Cached VQA inputs for n scenes: fp16 tokens, fp32 global features, and the annotations."""
    tokens, globs, scenes = [], [], []
    for i in tqdm(range(0, n, 100), desc="vqa features", unit="batch"):
        images, sc = render(split, start + i, min(100, n - i))
        t, g = detector.vqa_tokens(detector(images), n_tokens)
        tokens.append(t.half())
        globs.append(g)
        scenes += [replace(s, image=None) for s in sc]  # questions need the annotation, not the pixels
    return torch.cat(tokens), torch.cat(globs), scenes


def sample_questions(scenes, index, rng, kinds=None):
    """One question per entry of `index` (scene indices); a kind the scene cannot serve is redrawn."""
    names, p = list(KIND_WEIGHTS), np.array(list(KIND_WEIGHTS.values()))
    out = []
    for k, i in enumerate(index):
        feasible = feasible_kinds(scenes[i].objects)
        kind = kinds[k] if kinds is not None else rng.choice(names, p=p / p.sum())
        while kind not in feasible:
            kind = rng.choice(names, p=p / p.sum())
        out.append(make_question(kind, scenes[i].scene, scenes[i].objects, rng))
    return out


def vqa_accuracy(model, data, kinds=QUESTION_TYPES) -> dict:
    """Per-kind accuracy on (tokens, globs, scenes), asking every feasible kind of every scene."""
    tokens, globs, scenes = data
    pairs = [(i, k) for i in range(len(scenes)) for k in kinds if k in feasible_kinds(scenes[i].objects)]
    idx = np.array([i for i, _ in pairs])
    qs = sample_questions(scenes, idx, np.random.default_rng(1), [k for _, k in pairs])
    pred = model.answer(tokens[idx], globs[idx], [q["question"] for q in qs])
    return {
        f"val_{kind}": float(
            np.mean([p == q["answer"] for p, q in zip(pred, qs, strict=True) if q["question_type"] == kind])
        )
        for kind in kinds
    }


def train_vqa(recipe, out_dir, record):
    det_file = model_path("detector", out_dir)
    if not det_file.is_file():
        raise KitError(f"the VQA model reads detector features: train the detector first (no {det_file})")
    detector = load_model(det_file).to(memory_format=torch.channels_last)
    config = VQAConfig(feature_dim=detector.token_dim, global_dim=detector.global_dim)
    tokens, globs, scenes = detector_features(
        detector, "train", recipe.first_scene, recipe.cache_images, config.n_tokens)
    val = detector_features(detector, "val", 0, recipe.val_images, config.n_tokens)
    model = TinyVQA(config).train()
    opt, sched = optimizer(model, recipe)
    rng = np.random.default_rng(recipe.seed)
    answer_index = {a: i for i, a in enumerate(ANSWERS)}
    for s in (bar := tqdm(range(recipe.steps), desc="vqa", unit="step")):
        imgs = rng.choice(len(scenes), recipe.batch, replace=False)
        qs = sample_questions(scenes, imgs.repeat(recipe.questions_per_image), rng)  # grouped by image
        ids = model.tokenizer.batch([q["question"] for q in qs], config.max_len)
        answers = torch.tensor([answer_index[q["answer"]] for q in qs])
        loss = model.loss(tokens[imgs], globs[imgs], ids, answers)
        step(opt, sched, loss)
        bar.set_postfix(loss=f"{loss.item():.3f}")
        if (s + 1) % 200 == 0 and s + 1 < recipe.steps:  # progress on validation, per kind
            tqdm.write(
                f"vqa step {s + 1}: " + ", ".join(f"{k}={v:.3f}" for k, v in vqa_accuracy(model.eval(), val).items())
            )
            model.train()
    model.eval()
    metrics = vqa_accuracy(model, val)
    save_model(model, model_path("vqa", out_dir), recipe=record(metrics))
    return metrics


TRAINERS = {"clip": train_clip, "detector": train_detector, "vqa": train_vqa}


def recipe_record(name: str, recipe: Recipe, smoke: bool, metrics: dict) -> dict:
    """Everything needed to make this weights file again, stored in it: the command, the recipe,
    the method, the versions and thread count that make runs bitwise equal, and the validation
    numbers it reached. No timestamps: retraining reproduces every tensor and this record."""
    default = (SMOKE if smoke else RECIPES)[name]
    command = f"vlmkit train {name}" + (" --smoke" if smoke else "")
    if recipe.steps != default.steps:
        command += f" --steps {recipe.steps}"
    return {
        "model": name,
        "command": command,
        "recipe": asdict(recipe),
        "optimizer": METHOD["optimizer"],
        "data": METHOD["data"],
        "starts_from": METHOD["starts_from"].get(name, "random initialisation"),
        "threads": THREADS,
        "torch": torch.__version__,
        "vlmkit": vlmkit.__version__,
        "validation": metrics,
    }


def train(names, out_dir=None, steps=None, smoke=False) -> dict:
    """Train `names` in order into out_dir; returns {name: {'seconds', 'steps', ...val metrics}}."""
    out_dir = Path(out_dir or MODELS_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(THREADS)
    timing_file = out_dir / TIMING_FILE
    timing = json.loads(timing_file.read_text()) if timing_file.is_file() else {}
    report = {}
    for name in names:
        recipe = (SMOKE if smoke else RECIPES)[name]
        recipe = replace(recipe, steps=steps) if steps else recipe
        torch.manual_seed(recipe.seed)
        t0, c0 = time.perf_counter(), time.process_time()
        metrics = TRAINERS[name](recipe, out_dir, partial(recipe_record, name, recipe, smoke))
        # CPU seconds beside wall seconds: on a shared machine the wall time also counts waiting
        report[name] = {
            "seconds": round(time.perf_counter() - t0, 1),
            "cpu_seconds": round(time.process_time() - c0, 1),
            "steps": recipe.steps,
            **metrics,
        }
        tqdm.write(
            f"{name}: "
            + ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in report[name].items())
        )
    timing.update(report)
    timing["total_seconds"] = round(sum(timing[m]["seconds"] for m in MODELS if m in timing), 1)
    timing["threads"] = THREADS
    timing["smoke"] = smoke
    timing_file.write_text(json.dumps(timing, indent=1))
    return report
