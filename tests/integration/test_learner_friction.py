"""What a learner sees in Jupyter: a failing check is one clean `✗ check: message` block, yet
still an error for "Run All" and for nbgrader's Validate; other errors keep their traceback.
The capstone's ErrorBrowser leaves a static snapshot for a reopened notebook and says each
fact once.

(`vlmkit lab`, which hides nbgrader's exchange pages: tests/grading/authoring/test_bundle.py.)

The check tests run real kernels (nbclient, nbgrader's Validator): about 12 s; the rest < 1 s.
Run: .venv/bin/python -m pytest -q tests/integration/test_learner_friction.py
"""

import base64

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbgrader.validator import Validator
from PIL import Image
from traitlets.config import Config

from vlmkit.evaluation import ERROR_CATEGORIES
from vlmkit.evaluation import widgets as widgets_module
from vlmkit.evaluation.widgets import ErrorBrowser

WRONG_QUANTIZE = ("def quantize(values, num_bins):\n"
                  "    return [round(v * num_bins) for v in values]\n")
RIGHT_QUANTIZE = ("def quantize(values, num_bins):\n"
                  "    return [min(int(v * num_bins), num_bins - 1) for v in values]\n")
CHECK = 'check("q5.quantize.example", quantize)'


def notebook(*sources):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def test_a_failing_check_is_one_clean_error_and_other_errors_keep_their_traceback():
    nb = notebook("from vlmkit.grading import check",
                  WRONG_QUANTIZE + CHECK,
                  "def mine():\n    raise ValueError('my own bug')\nmine()",
                  RIGHT_QUANTIZE + CHECK)
    client = NotebookClient(nb, timeout=120, kernel_name="python3")  # allow_errors=False
    with client.setup_kernel():
        client.execute_cell(nb.cells[0], 0)
        for index in (1, 2):  # an execute_reply with status "error" raises: "Run All" stops here
            with pytest.raises(CellExecutionError):
                client.execute_cell(nb.cells[index], index)
        client.execute_cell(nb.cells[3], 3)
    [failure] = nb.cells[1].outputs
    assert failure.output_type == "error" and failure.ename == "CheckFailed"
    assert len(failure.traceback) == 1
    assert failure.traceback[0].startswith("\x1b[31m✗ q5.quantize.example: ")
    assert "floor" in failure.traceback[0]
    assert "vlmkit" not in failure.traceback[0] and "File" not in failure.traceback[0]
    [own_bug] = nb.cells[2].outputs  # not a check: IPython's full traceback, frames included
    traceback = "\n".join(own_bug.traceback)
    assert own_bug.ename == "ValueError" and "mine()" in traceback and len(own_bug.traceback) > 2
    assert nb.cells[3].outputs[0].text == "✓ q5.quantize.example\n"


def test_nbgrader_validate_still_reports_the_failing_check(tmp_path):
    nb = notebook("from vlmkit.grading import check", WRONG_QUANTIZE + CHECK)
    nb.cells[1].metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                        "grade_id": "quantize", "points": 1, "schema_version": 3}
    nbformat.write(nb, str(tmp_path / "q5.ipynb"))
    config = Config()
    config.Validator.ignore_checksums = True
    config.Execute.timeout = 120
    results = Validator(config=config).validate(str(tmp_path / "q5.ipynb"))
    [failed] = results["failed"]
    assert failed["raw_error"].startswith("\x1b[31m✗ q5.quantize.example: ")
    assert "Traceback" not in failed["raw_error"] and "learner_api" not in failed["raw_error"]


@pytest.fixture
def browser(tmp_path):
    """An ErrorBrowser over two synthetic samples, both with a wrong answer and scene."""
    samples, predictions = [], []
    for i in range(2):
        Image.new("RGB", (32, 32), (200, 40 * i, 40)).save(tmp_path / f"{i}.png")
        samples.append({"image": str(tmp_path / f"{i}.png"), "question": f"How many boats <{i}>?",
                        "gt_answer": str(i), "gt_scene": "beach", "gt_objects": []})
        predictions.append({"answer": "many", "scene_type": "street", "objects": []})
    errors = {category: [] for category in ERROR_CATEGORIES}
    errors["wrong_answer"] = [{"index": i, "severity": 1.0, "question": samples[i]["question"],
                               "answer": "many", "gt_answer": str(i)} for i in range(2)]
    errors["wrong_scene"] = [{"index": 0, "severity": 1.0, "scene_type": "street", "gt_scene": "beach"}]
    return ErrorBrowser(samples, predictions, errors)


def test_the_info_panel_says_the_question_and_the_scene_once(browser):
    browser.category.value = "wrong_answer"
    assert browser.info.value.count("How many boats &lt;0&gt;?") == 1
    assert browser.info.value.count("many") == 2  # the question's word and the answer
    browser.category.value = "wrong_scene"
    assert browser.info.value.count("street") == 1 and browser.info.value.count("beach") == 1
    browser.category.value = "hallucination"
    assert "no errors" in browser.info.value


def test_a_displayed_browser_leaves_a_static_snapshot_that_follows_it(browser, monkeypatch):
    shown = []
    monkeypatch.setattr(widgets_module, "display", lambda data, **kw: shown.append(("display", data, kw)))
    monkeypatch.setattr(widgets_module, "update_display", lambda data, **kw: shown.append(("update", data, kw)))
    browser.category.value = "wrong_answer"
    browser._ipython_display_()
    (_, live, _), (_, snapshot, options) = shown
    assert live["application/vnd.jupyter.widget-view+json"]["model_id"] == browser.model_id
    assert options == {"raw": True, "display_id": browser.snapshot_id}
    first_png = base64.b64encode(bytes(browser.image.value)).decode()
    assert f"<div class='{browser.snapshot_id}'>" in snapshot["text/html"]
    assert f"data:image/png;base64,{first_png}" in snapshot["text/html"]
    assert "sample #0" in snapshot["text/html"] and "1 / 2" in snapshot["text/plain"]
    browser.next_button.click()  # the snapshot output is replaced by the new sample's
    kind, updated, options = shown[-1]
    assert (kind, options["display_id"]) == ("update", browser.snapshot_id)
    assert "sample #1" in updated["text/html"] and first_png not in updated["text/html"]
    # live, the widget carries the style that hides the snapshot; without its model it is gone
    assert f".{browser.snapshot_id}{{display:none}}" in browser.children[-1].value

