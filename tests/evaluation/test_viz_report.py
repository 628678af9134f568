"""Tests for the pictures, the error browser, the report writer and `vlmkit eval`, with a fake
pipeline and synthetic images drawn in tmp_path (no trained model).
Run: .venv/bin/pytest tests/evaluation/test_viz_report.py
"""

import argparse
import json

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image, ImageDraw

from vlmkit.commands import eval as eval_command
from vlmkit.errors import KitError
from vlmkit.evaluation import ERROR_CATEGORIES, error_analysis, evaluate, pictures
from vlmkit.evaluation.report import evaluate_and_report, write_report
from vlmkit.evaluation.widgets import ErrorBrowser

PNG_MAGIC = b"\x89PNG"


@pytest.fixture
def samples(tmp_path):
    """Three 64x64 scenes with a red and a blue square each."""
    out = []
    for i, scene in enumerate(["beach", "park", "kitchen"]):
        img = Image.new("RGB", (64, 64), (200, 220, 240))
        d = ImageDraw.Draw(img)
        d.rectangle([4, 4, 24, 24], fill=(210, 40, 40))
        d.rectangle([34 + i, 30, 54 + i, 50], fill=(40, 90, 225))
        path = tmp_path / f"img{i}.png"
        img.save(path)
        out.append({"image": str(path), "question": f"How many boats <{i}>?", "gt_answer": str(i),
                    "question_type": "counting" if i else "existence", "gt_scene": scene,
                    "gt_objects": [{"name": "boat", "box": [4, 4, 25, 25]},
                                   {"name": "car", "box": [34 + i, 30, 55 + i, 51]}]})
    return out


class FakePipeline:
    """Right on sample 0; then wrong scene, answer, a shifted car and a hallucinated sun."""

    def __init__(self, samples):
        self.by_image = {s["image"]: (i, s) for i, s in enumerate(samples)}

    def process(self, image, question=None, ground_objects=None):
        i, s = self.by_image[image]
        objects = [{"name": g["name"], "box": list(g["box"]), "score": np.float32(0.8)}
                   for g in s["gt_objects"]]
        if i:
            objects[1]["box"] = [b + 12 for b in objects[1]["box"]]
            objects.append({"name": "sun", "box": [40, 2, 60, 20], "score": 0.6 + i / 10})
        return {"scene_type": s["gt_scene"] if i == 0 else "street",
                "answer": s["gt_answer"] if i == 0 else "many", "objects": objects,
                "grounded": {n: {"found": n == "boat", "boxes": [[4, 4, 25, 25]] if n == "boat"
                                 else [], "scores": [0.9] if n == "boat" else []}
                             for n in ground_objects}}


@pytest.fixture
def evaluated(samples):
    predictions, summary = evaluate(FakePipeline(samples), samples)
    return samples, predictions, summary, error_analysis(samples, predictions)


def test_plots_are_figures_that_render(evaluated):
    samples, predictions, summary, errors = evaluated
    figs = [pictures.plot_sample(samples[1], predictions[1], focus=errors["wrong_location"][0]),
            pictures.plot_metrics(summary), pictures.plot_scene_confusion(samples, predictions),
            pictures.plot_failures(samples, predictions, errors, per_category=2),
            pictures.plot_failures(samples, predictions, {c: [] for c in ERROR_CATEGORIES})]
    for fig in figs:
        assert isinstance(fig, Figure)
        assert pictures.fig_to_png(fig, dpi=40).startswith(PNG_MAGIC)
    rows = [c for c in ERROR_CATEGORIES if errors[c]]
    assert len(figs[3].axes) == 2 * len(rows)


def test_images_load_from_path_pil_and_array(samples):
    from_path = pictures.load_image(samples[0]["image"])
    assert from_path.shape == (64, 64, 3)
    assert np.array_equal(pictures.load_image(Image.open(samples[0]["image"])), from_path)
    assert pictures.load_image(from_path) is from_path


def test_describe_and_worst_first(evaluated):
    errors = evaluated[3]
    for c in ERROR_CATEGORIES:
        assert errors[c], c
        assert all(pictures.describe_error(c, e) for e in errors[c])
    assert "many" in pictures.describe_error("wrong_answer", errors["wrong_answer"][0])
    ranked = pictures.worst_first(errors["hallucination"])
    assert [e["index"] for e in ranked] == [2, 1]  # the more confident hallucination first
    with pytest.raises(ValueError):
        pictures.describe_error("nonsense", {})


def test_error_browser_steps_through_a_category(evaluated):
    samples, predictions, _, errors = evaluated
    browser = ErrorBrowser(samples, predictions)  # errors computed from predictions
    assert browser.errors == errors
    browser.category.value = "wrong_answer"
    assert browser.counter.value == f"1 / {len(errors['wrong_answer'])}"
    assert browser.prev_button.disabled and not browser.next_button.disabled
    first = bytes(browser.image.value)
    assert first.startswith(PNG_MAGIC)
    browser.next_button.click()
    assert browser.position == 1 and browser.next_button.disabled
    assert browser.current["index"] == 2
    assert "&lt;2&gt;" in browser.info.value and "many" in browser.info.value  # escaped question
    assert bytes(browser.image.value) != first
    browser.next_button.click()  # clamped at the end
    assert browser.position == 1
    browser.prev_button.click()
    assert browser.current["index"] == 1
    assert browser.category.options[0] == (f"hallucination ({len(errors['hallucination'])})",
                                           "hallucination")


def test_error_browser_handles_an_empty_category(evaluated):
    samples, predictions, _, errors = evaluated
    browser = ErrorBrowser(samples, predictions, {**errors, "wrong_scene": []})
    browser.category.value = "wrong_scene"
    assert browser.current is None and browser.counter.value == "0 / 0"
    assert "no errors" in browser.info.value
    assert browser.prev_button.disabled and browser.next_button.disabled


def test_report_is_written_and_self_contained(evaluated, tmp_path):
    samples, predictions, summary, errors = evaluated
    paths = write_report(tmp_path / "report", samples, predictions, summary, errors)
    for name in ("metrics", "scene_confusion", "failures"):
        assert paths[name].read_bytes().startswith(PNG_MAGIC)
    report = json.loads(paths["json"].read_text())  # numpy scores are serialised too
    assert report["summary"] == json.loads(json.dumps(summary))
    assert report["error_counts"] == {c: len(errors[c]) for c in ERROR_CATEGORIES}
    assert len(report["predictions"]) == len(samples)
    assert report["scene_confusion"]["labels"] == ["beach", "kitchen", "park", "street"]
    page = paths["html"].read_text()
    assert page.count('src="data:image/png;base64,') == 3
    assert page.count("src=") == 3  # nothing fetched from outside the file
    assert "vqa_accuracy/counting" in page and "&lt;1&gt;" in page and "<1>" not in page


def test_evaluate_and_report_prints_metrics_and_counts(samples, tmp_path, capsys):
    summary = evaluate_and_report(FakePipeline(samples), samples, tmp_path / "out")
    out = capsys.readouterr().out
    assert "grounding_miou" in out and "wrong_scene 2" in out and "report.html" in out
    assert summary["scene_accuracy"] == {"mean": pytest.approx(1 / 3), "count": 3}
    assert (tmp_path / "out" / "report.html").exists()


@pytest.mark.parametrize("argv, message", [
    (["eval", "--backend", "huge"], "unknown backend 'huge'"),
    (["eval", "--data", "/no/such/dir"], "/no/such/dir not found"),
    (["eval", "--limit", "0"], "--limit must be at least 1"),
])
def test_cli_refuses_bad_input_with_one_line(argv, message):
    parser = argparse.ArgumentParser(prog="vlmkit")
    eval_command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    with pytest.raises(KitError) as err:
        args.func(args)
    assert message in str(err.value) and "\n" not in str(err.value)
