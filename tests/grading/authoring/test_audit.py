"""Mutation testing of the autograder: the mutator itself, the reviewed equivalents, and a seeded
sample of the audit (CI's share of `vlmkit audit`: it fails on any new surviving mutant)."""

import numpy as np
import pytest
import torch

from conftest import COURSE
from vlmkit.grading.authoring.answer_banks import solution_lines
from vlmkit.grading.authoring.audit import all_mutants, audit, format_report, load_equivalent
from vlmkit.grading.authoring.mutants import mutants
from vlmkit.grading.authoring.semantic_mutants import semantic_mutants
from vlmkit.grading.authoring.solved_answers import load_solved

pytestmark = pytest.mark.slow  # a seeded sample of mutants graded on the fast path

QUESTIONS = [q.id for a in COURSE.values() for q in a.questions]
SAMPLE_PER_QUESTION = 12

CELL = '''def quantize(values, num_bins=1000):
    """Docstring stays."""
    ### BEGIN SOLUTION
    # clamp to the valid range
    return [min(max(math.floor(v * num_bins), 0), num_bins - 1) for v in values]
    ### END SOLUTION
'''


def _by_operator(found):
    return {m.operator for m in found}


def test_mutants_cover_the_operator_families_and_keep_comments():
    code, lines = solution_lines(CELL)
    assert "BEGIN SOLUTION" not in code and lines == {3, 4}
    found = mutants(code, lines)
    assert {"swap_operator", "change_constant", "swap_function", "remove_call", "swap_arguments",
            "drop_argument", "alter_return", "insert_detach", "delete_statement"} <= _by_operator(found)
    assert all("# clamp to the valid range" in m.source and '"""Docstring stays."""' in m.source for m in found)
    assert any("math.ceil(v * num_bins)" in m.source for m in found)
    assert any("round(v * num_bins)" in m.source and "math.round" not in m.source for m in found)
    assert not any("num_bins=1001" in m.source for m in found), "the signature is not the learner's code"
    assert len({m.id for m in found}) == len(found)


def test_dim_arguments_and_normalisations_are_mutated():
    found = mutants("y = F.normalize(x, dim=-1).softmax(dim=1)\n")
    sources = {m.source for m in found}
    assert "y = (x).softmax(dim=1)\n" in sources  # normalisation removed
    assert any("dim=0" in s for s in sources) and any(".log_softmax(" in s for s in sources)


def test_mutant_ids_survive_unrelated_edits():
    code, lines = solution_lines(CELL)
    before = {m.id: m.description.split(":", 1)[1] for m in mutants(code, lines)}
    shifted = "import math\n\n\n" + code
    after = {m.id: m.description.split(":", 1)[1] for m in mutants(shifted, {n + 3 for n in lines})}
    assert before == after


def test_reviewed_equivalents_are_current_and_explained():
    """Every listed equivalent is still a mutant of the current solutions (and has a reason)."""
    load_solved(QUESTIONS)
    generated = {item[0] for item in all_mutants(QUESTIONS)}
    for question in QUESTIONS:
        stale = set(load_equivalent(question)) - generated
        assert not stale, (question, sorted(stale))


def test_a_seeded_sample_of_mutants_is_killed_or_reviewed_equivalent():
    report = audit(QUESTIONS, sample=SAMPLE_PER_QUESTION, seed=0, jobs=2)
    gaps = {q: [(g["id"], g["description"]) for g in r["gaps"]] for q, r in report.items() if r["gaps"]}
    assert not gaps, gaps
    assert all(r["generated"] == SAMPLE_PER_QUESTION for r in report.values())


# --- semantic operators: one realistic class of bug each, and nothing where the class does not apply ---

def _semantic(source, operator):
    found = [m for m in semantic_mutants(source) if m.operator == operator]
    for m in found:
        compile(m.source, "<mutant>", "exec")
        assert m.kind == "semantic" and m.id.startswith(f"{operator}:")
    return found


def _run(source, name):
    namespace = {"np": np, "torch": torch}
    exec(source, namespace)
    return namespace[name]


SEMANTIC_CELL = '''def scale_boxes(boxes, factor, threshold=0.5):
    """Docstring stays."""
    # keep the confident ones
    return [b * factor for b in boxes if b > threshold]
'''


def test_mutate_input_changes_the_argument_and_keeps_the_value():
    (m,) = _semantic(SEMANTIC_CELL, "mutate_input")
    assert "mutates its argument `boxes`" in m.description and "# keep the confident ones" in m.source
    boxes = [0.2, 0.9, 0.7]
    assert _run(m.source, "scale_boxes")(boxes, 2) == [1.8, 1.4] and boxes == [0.7, 0.9, 0.2]
    array = np.ones(3)
    (m,) = _semantic("def total(x):\n    return x.sum()\n", "mutate_input")
    assert _run(m.source, "total")(array) == 3 and array.tolist() == [2, 2, 2]
    record = {"id": 1, "name": "cat"}
    (m,) = _semantic("def name_of(record):\n    return record['name']\n", "mutate_input")
    assert _run(m.source, "name_of")(record) == "cat" and record == {"id": 1}
    assert not _semantic("def f(n, text):\n    return n * 2 + len(text.split())\n", "mutate_input")


def test_memoise_weak_key_answers_a_later_input_of_the_same_length_with_the_first():
    (m,) = _semantic(SEMANTIC_CELL, "memoise_weak_key")
    assert "len(boxes)" in m.description
    scale_boxes = _run(m.source, "scale_boxes")
    assert scale_boxes([0.9, 0.8], 1) == [0.9, 0.8] and scale_boxes([0.6, 0.7], 1) == [0.9, 0.8]
    assert not _semantic("def f(n):\n    return n + 1\n", "memoise_weak_key")


def test_ignore_keyword_uses_the_default():
    (m,) = _semantic(SEMANTIC_CELL, "ignore_keyword")
    assert "`threshold`" in m.description and "threshold = 0.5" in m.source
    assert _run(m.source, "scale_boxes")([0.2, 0.9], 1, threshold=0.1) == [0.9]
    assert not _semantic("def f(x, unused=3):\n    return x\n", "ignore_keyword")


def test_reshape_becomes_a_view_that_needs_a_contiguous_input():
    cell = "def flat(x):\n    return x.contiguous().view(-1) + torch.reshape(x, (-1,)) + x.reshape(-1)\n"
    found = _semantic(cell, "reshape_to_view")
    assert {m.source.split("return ")[1].strip() for m in found} == {
        "x.view(-1) + torch.reshape(x, (-1,)) + x.reshape(-1)",
        "x.contiguous().view(-1) + x.view((-1,)) + x.reshape(-1)",
        "x.contiguous().view(-1) + torch.reshape(x, (-1,)) + x.view(-1)"}
    transposed = torch.ones(2, 3).T
    with pytest.raises(RuntimeError):
        _run(found[0].source, "flat")(transposed)
    assert not _semantic("def flat(x):\n    return x.flatten()\n", "reshape_to_view")


def test_squeeze_batch_drops_a_batch_of_one_from_the_first_array_argument():
    (m,) = _semantic("def rows(x, y):\n    return x @ y.T\n", "squeeze_batch")
    assert "`x`" in m.description
    assert _run(m.source, "rows")(torch.ones(1, 3), torch.ones(2, 3)).shape == (2,)
    assert not _semantic("def f(values):\n    return [v + 1 for v in values]\n", "squeeze_batch")


GATED = '''class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.alpha = torch.nn.Parameter(torch.zeros(1))
        self.scale = torch.nn.Parameter(torch.zeros(1))

    def forward(self, x):
        x = x + self.scale * x.sin()
        return x + torch.tanh(self.alpha) * x.cos()
'''


def test_gate_short_circuit_keeps_the_output_and_starves_the_gate_of_gradient():
    (m,) = _semantic(GATED, "gate_short_circuit")
    assert "torch.tanh(self.alpha)" in m.description
    block = _run(m.source, "Block")()
    x = torch.randn(2, 3)
    out = block(x)
    assert torch.equal(out, x + block.scale * x.sin())
    out.sum().backward()
    assert block.alpha.grad is None
    assert not _semantic(GATED.replace("alpha", "weight_a"), "gate_short_circuit")


PIPELINE = '''class Pipeline:
    def __init__(self):
        self.clip = load_model(model_path("clip"))
        self.detector = load_model(model_path("detector"))
        self.vqa = load_model(model_path("vqa"))

    def process(self, x, question):
        scene = self.clip.classify(x).argmax()
        heads = self.detector(x)
        tokens, glob = self.detector.vqa_tokens(heads)
        return scene, self.vqa.answer(tokens, glob, [question])[0]
'''


def test_wrong_model_reads_the_scene_and_the_answer_from_the_detector():
    found = {m.description.split(": ", 1)[1]: m.source for m in _semantic(PIPELINE, "wrong_model")}
    scene = found["reads the scene from the detector's scene head, not the CLIP zero-shot"]
    assert "scene = self.detector(x)['scene'].softmax(-1).argmax()" in scene
    answer = found["reads the answer from the template baseline over the detector, not the VQA model"]
    assert "template_answer(q, self.detector.decode(self.detector(x))[0], scene) for q in [question]]" in answer
    assert not _semantic(PIPELINE.replace('"vqa"', '"other"'), "wrong_model")


def test_semantic_mutants_stay_inside_the_solution_lines_and_keep_their_ids():
    code, lines = solution_lines(CELL)
    found = semantic_mutants(code, lines)
    assert {m.operator for m in found} == {"mutate_input", "memoise_weak_key", "ignore_keyword"}
    head = 'def quantize(values, num_bins=1000):\n    """Docstring stays."""\n'
    assert all(m.source.startswith(head) and "# clamp to the valid range" in m.source for m in found)
    assert not semantic_mutants(code, {1}), "only the signature line: nowhere to put a bug"
    shifted = {n + 3 for n in lines}
    assert {m.id for m in semantic_mutants("import math\n\n\n" + code, shifted)} == {m.id for m in found}


def test_the_report_counts_each_kind_apart():
    gap = {"id": "q9:c:squeeze_batch:0", "kind": "semantic", "description": "line 1: f() squeezes"}
    counts = {"syntactic": {"generated": 5, "killed": 4, "equivalent": 1, "gaps": []},
              "semantic": {"generated": 3, "killed": 2, "equivalent": 0, "gaps": [gap]}}
    text = format_report({"q9": {"by_kind": counts, "gaps": [gap], "listed_but_killed": [],
                                 "listed_but_gone": []}}, 1.0)
    assert "q9         syntactic         5       4           1     0" in text
    assert "q9         semantic          3       2           0     1" in text
    assert "GAP  [semantic] q9:c:squeeze_batch:0" in text


def test_mutate_input_reaches_the_callers_object_when_the_name_is_rebound():
    cell = "def shift(actions):\n    actions = np.asarray(actions, dtype=float)\n    return actions + 1\n"
    (m,) = _semantic(cell, "mutate_input")
    given = [1.0, 2.0]
    assert _run(m.source, "shift")(given).tolist() == [2.0, 3.0] and given == [1.0, 2.0, 1.0, 2.0]
