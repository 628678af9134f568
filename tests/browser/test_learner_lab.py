"""A learner in JupyterLab (`vlmkit lab`): a failing check reads as one clean ✗ line and turns
into ✓ once fixed; the capstone's error browser moves to the next sample."""

import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from browser.lab import open_notebook, output_texts, replace_cell_source, run_all
from browser.servers import free_port, jupyter_server
from conftest import with_answer
from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import solution_answers

TOKEN = "learner-test-token"
WIDGET_TEXTS = "(selector => [...document.querySelectorAll(selector)].map(e => e.textContent))"
Q5 = "q5_coordinate_tokens.ipynb"
NO_CLAMP = '''def normalize_box(box, width, height):
    x1, y1, x2, y2 = box
    return [x1 / width, y1 / height, x2 / width, y2 / height]


def quantize(values, num_bins=1000):
    return [math.floor(v * num_bins) for v in values]
'''


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`vlmkit lab` on a folder with a q5 that forgets to clamp and a finished capstone."""
    folder = tmp_path_factory.mktemp("learner")
    nbformat.write(with_answer(Q5, "q5_normalize_quantize", NO_CLAMP), str(folder / Q5))
    shutil.copy(paths.EXAMPLES / "complete" / "capstone" / "capstone.ipynb", folder / "capstone.ipynb")
    port = free_port()
    bin_dir = Path(sys.executable).parent
    argv = [str(bin_dir / "vlmkit"), "lab", str(folder), "--port", str(port), "--no-browser"]
    env = {**os.environ, "JUPYTER_TOKEN": TOKEN}
    with jupyter_server(argv, env, folder, port, TOKEN, folder.parent / "lab.log") as base:
        yield base


def test_a_failing_check_reads_clean_and_turns_to_a_tick_when_fixed(lab, page):
    open_notebook(page, lab, TOKEN, Q5)
    run_all(page)
    errors = page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr'], "
                          ".jp-OutputArea-output[data-mime-type*='error']").all_text_contents()
    text = "\n".join(errors)
    assert "✗ q5.quantize.clamp:" in text, output_texts(page)
    assert "Traceback" not in text and "learner_api" not in text and "vlmkit/" not in text, text
    fixed = solution_answers(paths.SOLUTIONS / "checkpoint" / Q5)["q5_normalize_quantize"]
    index = next(i for i, cell in enumerate(nbformat.read(str(paths.NOTEBOOKS / "checkpoint" / Q5), 4).cells)
                 if cell.metadata.get("nbgrader", {}).get("grade_id") == "q5_normalize_quantize")
    replace_cell_source(page, index, fixed)
    run_all(page)
    texts = "\n".join(output_texts(page))
    assert "✓ q5.quantize.clamp" in texts and "✗" not in texts, texts


def test_the_capstone_error_browser_moves_to_the_next_sample(lab, page):
    open_notebook(page, lab, TOKEN, "capstone.ipynb")
    run_all(page)
    counter = page.locator(".widget-label", has_text=" / ").first
    assert counter.text_content().startswith("1 / "), counter.text_content()
    info = page.locator(".widget-html-content", has_text="sample #").first
    before = info.text_content()
    page.locator("button.widget-button", has_text="next").first.click()
    # the counter changes first, then the picture and the info panel
    page.wait_for_function(f"{WIDGET_TEXTS}('.widget-label').some(t => t.startsWith('2 / '))")
    page.wait_for_function(f"!{WIDGET_TEXTS}('.widget-html-content').includes({before!r})")
    assert info.text_content().startswith("sample #") and info.text_content() != before
