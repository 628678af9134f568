"""The tiny models one by one, their safetensors files, the template baseline and `vlmkit train`."""

import json
import math
from dataclasses import asdict

import numpy as np
import pytest
import torch
from safetensors import safe_open

from vlmkit.commands import main as cli_main
from vlmkit.evaluation import compute_iou
from vlmkit.models import (
    CLIPConfig,
    DetectorConfig,
    TinyCLIP,
    TinyDetector,
    TinyVQA,
    VQAConfig,
    load_model,
    model_path,
    save_model,
    template_answer,
)
from vlmkit.models.backbone import Backbone
from vlmkit.models.config import BackboneConfig, from_dict, to_dict
from vlmkit.models.io import MODELS_DIR, read_recipe
from vlmkit.models.tokenizer import CLS, PAD, UNK, WordTokenizer
from vlmkit.models.train import MODELS, RECIPES, SMOKE, THREADS, TIMING_FILE, render
from vlmkit.world import generate_scene, make_question, scene_seed
from vlmkit.world.language import feasible_kinds

torch.manual_seed(0)


@pytest.fixture(scope="module")
def batch():
    return render("val", 0, 6)


def test_config_round_trip():
    for cfg in (CLIPConfig(), DetectorConfig(score_threshold=0.42), VQAConfig(feature_dim=5)):
        assert from_dict(to_dict(cfg)) == cfg


def test_tokenizer():
    tok = WordTokenizer(("car", "red", "the"))
    assert tok.encode("The RED car?") == [CLS, 5, 4, 3]
    assert tok.encode("a zebra") == [CLS, UNK, UNK]
    ids = tok.batch(["car", "the red car"], max_len=3)
    assert ids.shape == (2, 3) and ids[0, 2] == PAD


def test_backbone_strides():
    f4, f8, f16 = Backbone(BackboneConfig())(torch.zeros(2, 3, 128, 128, dtype=torch.uint8))
    assert f4.shape[-1] == 32 and f8.shape[-1] == 16 and f16.shape[-1] == 8


def test_clip_loss_and_zero_shot(batch):
    images, scenes = batch
    model = TinyCLIP(CLIPConfig())
    loss = model.loss(images, [f"a {s.scene} scene" for s in scenes])
    loss.backward()
    assert torch.isfinite(loss) and model.image.proj.weight.grad.abs().sum() > 0
    assert loss.item() == pytest.approx(math.log(len(scenes)), abs=1.0)  # untrained: near chance
    probs = model.eval().classify(images)
    assert probs.shape == (len(scenes), 5) and torch.allclose(probs.sum(1), torch.ones(len(scenes)))


def perfect_outputs(det, scenes):
    """Head outputs built from the targets: what a perfectly trained detector would say."""
    t = det.targets([s.objects for s in scenes])
    return {
        "heat": torch.where(t["heat"] == 1, 10.0, -10.0),
        "box": t["box"],
        "color": torch.nn.functional.one_hot(t["color"].clamp(min=0), 8).permute(0, 3, 1, 2).float() * 10,
        "neck": torch.zeros(len(scenes), det.config.neck_dim, 32, 32),
        "scene": torch.zeros(len(scenes), 5),
        "pooled": torch.zeros(len(scenes), det.backbone.out_channels[-1]),
    }


def test_detector_targets_decode_back_to_the_boxes(batch):
    _, scenes = batch
    det = TinyDetector(DetectorConfig()).eval()
    for dets, s in zip(det.decode(perfect_outputs(det, scenes), threshold=0.5), scenes, strict=True):
        assert len(dets) == len(s.objects)
        for o in s.objects:
            best = max(dets, key=lambda d: compute_iou(d["box"], o["box"]) if d["name"] == o["name"] else 0)
            assert best["name"] == o["name"] and compute_iou(best["box"], o["box"]) > 0.99
            assert best["color"] == o["color"]


def test_detector_loss_and_vqa_tokens(batch):
    images, scenes = batch
    det = TinyDetector(DetectorConfig())
    out = det(images)
    losses = det.loss(out, det.targets([s.objects for s in scenes]), torch.zeros(len(scenes), dtype=torch.long))
    assert all(torch.isfinite(v) for v in losses.values())
    tokens, glob = det.vqa_tokens(out, k=10)
    assert tokens.shape == (len(scenes), 10, det.token_dim) and glob.shape == (len(scenes), det.global_dim)


def test_vqa_tokens_are_the_objects(batch):
    """With perfect outputs, the strongest tokens sit at the object centres with their class."""
    _, scenes = batch
    det = TinyDetector(DetectorConfig()).eval()
    tokens, _ = det.vqa_tokens(perfect_outputs(det, scenes), k=10)
    classes = det.config.classes
    for tok, s in zip(tokens, scenes, strict=True):
        strong = tok[tok[:, 2 + 8 + 8 + 2] > 0.5]  # the peak-strength column
        assert len(strong) == len(s.objects)
        found = {(classes[int(t[2:10].argmax())], round(float(t[0]), 3), round(float(t[1]), 3)) for t in strong}
        for o in s.objects:
            cx, cy = (o["box"][0] + o["box"][2]) / 128 - 1, (o["box"][1] + o["box"][3]) / 128 - 1
            assert (o["name"], round(cx, 3), round(cy, 3)) in found


def test_vqa_questions_grouped_by_image_match_one_per_image():
    cfg = VQAConfig(feature_dim=10, global_dim=7)
    vqa = TinyVQA(cfg).eval()
    tokens, glob = torch.randn(3, 10, 10), torch.randn(3, 7)
    ids = vqa.tokenizer.batch(["how many cars are there?", "is there a boat?"] * 3, cfg.max_len)
    grouped = vqa(tokens, glob, ids)  # two questions per image, grouped in order
    single = vqa(tokens.repeat_interleave(2, 0), glob.repeat_interleave(2, 0), ids)
    assert grouped.shape == (6, len(cfg.answers)) and torch.allclose(grouped, single, atol=1e-5)


def test_template_baseline_is_exact_on_ground_truth_detections():
    rng = np.random.default_rng(0)
    for i in range(100):
        s = generate_scene(scene_seed("val", i))
        for kind in feasible_kinds(s.objects):
            q = make_question(kind, s.scene, s.objects, rng)
            assert template_answer(q["question"], s.objects, s.scene) == q["answer"], q
    assert template_answer("why is the sky blue?", [], "beach") == "unknown"


def test_safetensors_round_trip_without_pickle(tmp_path, batch):
    images, _ = batch
    model = TinyDetector(DetectorConfig(score_threshold=0.37)).eval()
    path = tmp_path / "det.safetensors"
    save_model(model, path)
    with safe_open(str(path), framework="pt") as f:  # a plain safetensors file, config in metadata
        assert "config" in f.metadata()
    loaded = load_model(path)
    assert loaded.config.score_threshold == 0.37
    with torch.no_grad():
        assert torch.allclose(model(images)["heat"], loaded(images)["heat"], atol=0.05)  # fp16 storage


def test_train_smoke_is_deterministic_and_stores_its_recipe(tmp_path, capsys):
    for run in ("a", "b"):
        assert cli_main(["train", "--all", "--smoke", "--out", str(tmp_path / run)]) == 0
    for name in MODELS:  # every tensor, the config and the recipe (no timestamps in a file)
        a, b = (safe_open(str(model_path(name, tmp_path / run)), framework="pt") for run in ("a", "b"))
        assert a.metadata() == b.metadata() and sorted(a.keys()) == sorted(b.keys())
        assert all(torch.equal(a.get_tensor(k), b.get_tensor(k)) for k in a.keys())  # noqa: SIM118
    assert (tmp_path / "a" / TIMING_FILE).is_file()
    record = read_recipe(model_path("detector", tmp_path / "a"))
    assert record["command"] == "vlmkit train detector --smoke"
    assert record["recipe"] == asdict(SMOKE["detector"]) and "clip.safetensors" in record["starts_from"]
    assert set(record["validation"]) == {"score_threshold", "val_precision", "val_recall", "val_f1"}
    capsys.readouterr()
    assert cli_main(["train", "--show", "--out", str(tmp_path / "a")]) == 0
    shown = capsys.readouterr().out
    assert all(f"reproduce:   vlmkit train {name} --smoke" in shown for name in MODELS)
    assert "lr=0.001" in shown and "weight_decay=0.02" in shown and "seed=0" in shown


def test_shipped_weights_carry_the_recipe_that_made_them():
    """Each shipped file says how it was made, and that is what `vlmkit train` does today."""
    timing = json.loads((MODELS_DIR / TIMING_FILE).read_text())
    for name in MODELS:
        record = read_recipe(model_path(name))
        assert record["command"] == f"vlmkit train {name}" and record["recipe"] == asdict(RECIPES[name])
        assert record["threads"] == THREADS
        assert record["validation"] == {k: v for k, v in timing[name].items() if k.startswith(("val_", "score_"))}


def test_show_without_a_recipe_says_so(tmp_path, capsys):
    save_model(TinyVQA(VQAConfig()), tmp_path / "vqa.safetensors")
    assert cli_main(["train", "--show", str(tmp_path / "vqa.safetensors")]) == 0
    assert "no training recipe stored" in capsys.readouterr().out
    assert cli_main(["train", "--show", str(tmp_path / "missing.safetensors")]) == 2
    assert "no weights at" in capsys.readouterr().err


def test_train_vqa_needs_a_detector(tmp_path, capsys):
    assert cli_main(["train", "vqa", "--smoke", "--out", str(tmp_path)]) == 2
    assert "train the detector first" in capsys.readouterr().err
    assert cli_main(["train", "--out", str(tmp_path)]) == 2  # neither a model nor --all
