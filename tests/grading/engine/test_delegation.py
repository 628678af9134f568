"""Own work: which learner functions reach a declared reference, read from the cells' source."""

import nbformat

from vlmkit.grading.engine.delegation import find_delegation

SETUP = ("import torch\nimport torch.nn.functional as F\nfrom torch import nn\n"
         "from vlmkit.evaluation import normalize_answer\n")


def _notebook(*learner_cells, setup=SETUP):
    locked = nbformat.v4.new_code_cell(setup, metadata={"nbgrader": {"grade_id": "setup", "locked": True}})
    answers = [nbformat.v4.new_code_cell(src, metadata={"nbgrader": {"grade_id": f"a{i}", "solution": True}})
               for i, src in enumerate(learner_cells)]
    return nbformat.v4.new_notebook(cells=[locked, *answers])


def _found(*cells, references=("open_clip", "vlmkit.evaluation")):
    return find_delegation(_notebook(*cells), references)


def test_every_route_to_a_reference_is_followed():
    routes = {
        "from open_clip.loss import ClipLoss\ndef loss(a, b, s):\n    return ClipLoss()(a, b, s)":
            "open_clip.loss.ClipLoss",
        "import open_clip as oc\ndef loss(a, b, s):\n    return oc.ClipLoss()(a, b, s)": "open_clip.ClipLoss",
        "def loss(a, b, s):\n    from open_clip import loss as L\n    return L.ClipLoss()(a, b, s)":
            "open_clip.loss.ClipLoss",
        "import importlib\ndef loss(a, b, s):\n"
        "    return importlib.import_module('open_clip.loss').ClipLoss()(a, b, s)": "open_clip.loss",
        "def loss(a, b, s):\n    return getattr(__import__('open_clip'), 'ClipLoss')()(a, b, s)": "open_clip",
        "import open_clip\nref = open_clip\ndef loss(a, b, s):\n    return ref.ClipLoss()(a, b, s)": "open_clip",
    }
    for source, reference in routes.items():
        assert _found(source).tainted.get("loss") == reference, source


def test_an_alias_from_another_learner_cell_and_calls_between_functions_count():
    found = _found("from vlmkit import evaluation", "def helper(a, b):\n    return evaluation.compute_iou(a, b)\n\n"
                   "def mine(a, b):\n    return helper(a, b)\n\nclass Wrapper:\n    def __call__(self, a):\n"
                   "        return mine(a, a)")
    assert found.tainted == {"helper": "vlmkit.evaluation.compute_iou", "mine": "vlmkit.evaluation.compute_iou",
                             "Wrapper": "vlmkit.evaluation.compute_iou"}


def test_building_blocks_and_what_the_course_provides_stay_allowed():
    found = _found("def loss(logits, labels):\n    return F.cross_entropy(logits, labels)\n\n"
                   "class Attn(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                   "        self.attn = nn.MultiheadAttention(8, 2)\n        self.l0 = getattr(self, 'attn')\n\n"
                   "    def name(self, i):\n        return getattr(self, f'layer{i}')\n\n"
                   "def same(a, b):\n    return normalize_answer(a) == normalize_answer(b)\n\n"
                   "def same_again(a, b):\n    return evaluation.normalize_answer(a) == b\n",
                   "from vlmkit import evaluation  # the course's own import, reached another way\n",
                   "import open_clip  # imported, never used by a checked function\n")
    assert not found.tainted and not found.unresolved


def test_names_the_grader_cannot_follow_are_reported_not_passed():
    found = _found("import importlib\ndef loss(name):\n    return importlib.import_module(name).ClipLoss()",
                   "import open_clip\ndef other(name):\n    return getattr(open_clip.loss, name)()",
                   "def third(code):\n    return eval(code)")
    assert set(found.unresolved) == {"loss", "other", "third"}
    assert "computed name" in found.unresolved["loss"] and "open_clip.loss" in found.unresolved["other"]


def test_a_cell_that_does_not_parse_defines_nothing():
    assert not _found("def loss(:\n    from open_clip.loss import ClipLoss").tainted
