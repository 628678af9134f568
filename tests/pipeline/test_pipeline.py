"""The pipeline contract on both backends, and bad inputs.

The tiny backend runs the shipped weights; the pretrained backend is built from the same
open_clip / transformers classes with tiny random configs (nothing is downloaded).
"""

import time

import numpy as np
import pytest
from PIL import Image

import vlmkit.pipeline.images as images_module
from vlmkit.errors import KitError
from vlmkit.evaluation import compute_iou
from vlmkit.pipeline import Pipeline
from vlmkit.world import load_samples


@pytest.fixture(scope="module")
def pipe():
    return Pipeline()


@pytest.fixture(scope="module")
def sample():
    return load_samples()[0]


def check_contract(out, size, question=False, names=None):
    w, h = size
    assert set(out) == {"scene_type", "objects", "grounded", "answer"}  # every key, asked for or not
    assert isinstance(out["scene_type"], str)
    for o in out["objects"]:
        assert set(o) == {"name", "box", "score"} and isinstance(o["name"], str) and isinstance(o["score"], float)
        x1, y1, x2, y2 = o["box"]
        assert 0 <= x1 <= x2 <= w and 0 <= y1 <= y2 <= h
    if question:
        assert isinstance(out["answer"], str) and out["answer"]
    else:
        assert out["answer"] is None
    assert set(out["grounded"]) == set(names or [])
    for g in out["grounded"].values():
        assert set(g) == {"found", "boxes", "scores"} and g["found"] == bool(g["boxes"])
        assert len(g["boxes"]) == len(g["scores"])


def test_contract_tiny(pipe, sample):
    names = [o["name"] for o in sample["gt_objects"]]
    out = pipe.process(sample["image"], question=sample["question"], ground_objects=names)
    check_contract(out, (128, 128), question=True, names=names)
    check_contract(pipe.process(sample["image"]), (128, 128))


def test_path_pil_and_array_agree(pipe, sample):
    img = Image.open(sample["image"])
    outs = [pipe.process(x, question="how many cars are there?") for x in (sample["image"], img, np.asarray(img))]
    assert outs[0] == outs[1] == outs[2]


def test_boxes_are_in_input_pixels(pipe):
    """A 3×2-stretched image gives boxes on the stretched image's pixels, where its objects are."""
    hits = total = 0
    for s in load_samples()[:20:2]:
        big = Image.open(s["image"]).convert("RGB").resize((384, 256), Image.NEAREST)
        out = pipe.process(big)
        check_contract(out, (384, 256))
        for g in s["gt_objects"]:
            x1, y1, x2, y2 = g["box"]
            scaled = [x1 * 3, y1 * 2, x2 * 3, y2 * 2]
            hits += any(o["name"] == g["name"] and compute_iou(o["box"], scaled) >= 0.5 for o in out["objects"])
            total += 1
    assert hits / total >= 0.8


def test_batch_equals_single(pipe):
    samples = load_samples()[:6]
    images, questions = [s["image"] for s in samples], [s["question"] for s in samples]
    batch = pipe.process_batch(images, questions, ground_objects=["car"])
    assert batch == [pipe.process(i, q, ["car"]) for i, q in zip(images, questions, strict=True)]


def test_template_vqa_backend(sample):
    out = Pipeline(vqa="template").process(sample["image"], question="what kind of scene is this?")
    assert out["answer"] == out["scene_type"]


@pytest.mark.parametrize("mode", ["L", "RGBA", "P", "I;16", "CMYK"])
def test_other_image_modes_are_converted(pipe, sample, mode):
    img = Image.open(sample["image"]).convert("RGB")
    check_contract(pipe.process(img.convert(mode), question="is there a car?"), (128, 128), question=True)


def test_odd_arrays(pipe, sample):
    a = np.asarray(Image.open(sample["image"]).convert("RGB"))
    ref = pipe.process(a)
    assert pipe.process(a.transpose(2, 0, 1)) == ref  # channels first
    assert pipe.process(a / 255.0)["scene_type"] == ref["scene_type"]  # floats in 0..1
    check_contract(pipe.process(a[..., 0]), (128, 128))  # grey (H, W)
    check_contract(pipe.process(np.zeros((1, 1, 3), np.uint8)), (1, 1))  # one pixel still works


@pytest.mark.parametrize(
    "bad, match",
    [
        ("/no/such/image.png", "not found"),
        (np.zeros((4, 4, 2), np.uint8), "array"),
        (np.zeros((0, 4, 3), np.uint8), "array"),
        (np.full((4, 4, 3), np.nan), "finite"),
        (42, "expected an image"),
    ],
)
def test_bad_images(pipe, bad, match):
    with pytest.raises(KitError, match=match):
        pipe.process(bad)


def test_not_an_image_file(pipe, tmp_path):
    fake = tmp_path / "notes.png"
    fake.write_text("not a png")
    with pytest.raises(KitError, match="cannot read"):
        pipe.process(fake)


def test_huge_image(pipe, sample, monkeypatch):
    monkeypatch.setattr(images_module, "MAX_PIXELS", 100 * 100)  # instead of writing a 50-megapixel file
    with pytest.raises(KitError, match="megapixels|downscale"):
        pipe.process(sample["image"])


def test_bad_questions_and_names(pipe, sample):
    for q in ("", "   ", 3):
        with pytest.raises(KitError, match="question"):
            pipe.process(sample["image"], question=q)
    for name in ("", "  ", 3):
        with pytest.raises(KitError, match="ground_objects"):
            pipe.process(sample["image"], ground_objects=[name])
    out = pipe.process(sample["image"], question="is there a zebra?", ground_objects=["Cars", "car", "zebra"])
    assert set(out["grounded"]) == {"Cars", "car", "zebra"} and out["grounded"]["Cars"] == out["grounded"]["car"]
    assert out["grounded"]["zebra"] == {"found": False, "boxes": [], "scores": []}  # outside the vocabulary
    assert pipe.process(sample["image"], ground_objects=[])["grounded"] == {}
    with pytest.raises(KitError, match="one per image"):
        pipe.process_batch([sample["image"]] * 2, questions=["is there a car?"])


def test_unknown_backend():
    with pytest.raises(KitError, match="backend"):
        Pipeline(backend="huge")


# --- the pretrained backend, from tiny random configs ---------------------------------------


@pytest.fixture(scope="module")
def tiny_pretrained():
    import open_clip
    import torch
    from transformers import (
        BertTokenizer,
        BlipConfig,
        BlipForQuestionAnswering,
        BlipImageProcessor,
        BlipProcessor,
        CLIPTokenizer,
        Owlv2Config,
        Owlv2ForObjectDetection,
        Owlv2ImageProcessor,
        Owlv2Processor,
        ViltConfig,
        ViltForQuestionAnswering,
        ViltImageProcessor,
        ViltProcessor,
    )

    from vlmkit.pipeline.pretrained import PretrainedBackend

    torch.manual_seed(0)
    letters = "abcdefghijklmnopqrstuvwxyz"
    clip = open_clip.CLIP(
        embed_dim=16,
        vision_cfg={"image_size": 32, "layers": 1, "width": 32, "patch_size": 16, "head_width": 16},
        text_cfg={"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1},
    )
    clip_parts = (clip.eval(), open_clip.image_transform(32, is_train=False), open_clip.get_tokenizer("ViT-B-32"))
    # OWLv2 masks out queries whose first token id is 0, so the special tokens go last
    vocab = {t: i for i, t in enumerate([c + e for c in letters for e in ("", "</w>")])}
    vocab.update({"<|startoftext|>": len(vocab), "<|endoftext|>": len(vocab) + 1})
    small = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1, "num_attention_heads": 2}
    owl = Owlv2ForObjectDetection(
        Owlv2Config(
            text_config=dict(
                vocab_size=len(vocab),
                max_position_embeddings=32,
                bos_token_id=len(vocab) - 2,
                eos_token_id=len(vocab) - 1,
                pad_token_id=len(vocab) - 1,
                **small,
            ),
            vision_config=dict(image_size=64, patch_size=16, **small),
            projection_dim=32,
        )
    ).eval()
    owl_proc = Owlv2Processor(
        Owlv2ImageProcessor(size={"height": 64, "width": 64}), CLIPTokenizer(vocab=vocab, merges=[])
    )
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "?"] + list(letters) + ["##" + c for c in letters]
    bert = BertTokenizer(vocab={w: i for i, w in enumerate(words)})
    vilt = ViltForQuestionAnswering(
        ViltConfig(
            vocab_size=len(words),
            image_size=64,
            patch_size=16,
            max_position_embeddings=64,
            id2label={0: "yes", 1: "no", 2: "2"},
            label2id={"yes": 0, "no": 1, "2": 2},
            **small,
        )
    ).eval()
    vilt_proc = ViltProcessor(ViltImageProcessor(size={"shortest_edge": 64}, size_divisor=16), bert)
    blip = BlipForQuestionAnswering(
        BlipConfig(
            text_config={
                "vocab_size": len(words),
                "max_position_embeddings": 64,
                "bos_token_id": 2,
                "sep_token_id": 3,
                "pad_token_id": 0,
                **small,
            },
            vision_config={"image_size": 64, "patch_size": 16, **small},
            projection_dim=32,
        )
    ).eval()
    blip_proc = BlipProcessor(BlipImageProcessor(size={"height": 64, "width": 64}), bert)
    return {
        "vilt": PretrainedBackend(clip_parts, (owl, owl_proc), (vilt, vilt_proc), threshold=0.0),
        "blip": PretrainedBackend(clip_parts, (owl, owl_proc), (blip, blip_proc), threshold=0.0),
    }


def test_contract_pretrained(tiny_pretrained, sample):
    backend = tiny_pretrained["vilt"]
    pipe = Pipeline(backend=backend)
    names = ["car", "red balloon"]  # open vocabulary: any name is a query
    img = Image.open(sample["image"]).convert("RGB").resize((96, 64))
    out = pipe.process(img, question="how many cars?", ground_objects=names)
    check_contract(out, (96, 64), question=True, names=names)
    assert out["answer"] in {"yes", "no", "2"} and out["objects"]  # threshold 0: random weights still detect
    assert all(o["name"] in backend.object_labels for o in out["objects"])
    assert out["scene_type"] in backend.scene_labels
    assert len(pipe.process_batch([img, img], ["is there a car?", None])) == 2


def test_pretrained_blip_generates_answers(tiny_pretrained, sample):
    out = Pipeline(backend=tiny_pretrained["blip"]).process(sample["image"], question="is there a car?")
    check_contract(out, (128, 128), question=True)


def test_pretrained_weights_missing_is_a_fast_kit_error(tmp_path):
    from vlmkit.pipeline.pretrained import load_clip, load_detector, load_vqa

    for load, name in (
        (load_clip, "ViT-B-32:openai"),
        (load_detector, "google/owlv2-base-patch16-ensemble"),
        (load_vqa, "dandelin/vilt-b32-finetuned-vqa"),
    ):
        t0 = time.perf_counter()
        with pytest.raises(KitError) as err:
            load(name, cache_dir=tmp_path)  # an empty cache, whatever this machine has downloaded
        assert name in str(err.value) and "fetch" in str(err.value) and "\n" not in str(err.value)
        assert time.perf_counter() - t0 < 20  # offline: fails at once, never waits on the network


def test_pretrained_unknown_option():
    with pytest.raises(KitError, match="colour_labels"):
        Pipeline(backend="pretrained", colour_labels=["red"])
