"""Q3's known mistakes (vlmkit.checks.q3_mistakes) are real and runnable.

Each patch in MISTAKES must load the reference's own weights and run, and must change the
reference's output once its parameters are moved off their initial values: a patch that raised
would turn a failing bridge's message into an error, and one that changed nothing would be no
diagnosis at all. The report's count hints are checked on made-up parts.
Run: .venv/bin/python -m pytest -q tests/checks/test_q3_mistakes.py
"""

import pytest
import torch

from vlmkit.checks import q3
from vlmkit.checks.q3_mistakes import MISTAKES, count_hint, tokens_hint


def _inputs(*shapes):
    g = torch.Generator().manual_seed(0)
    return [torch.randn(*s, generator=g) for s in shapes]


# kind → (the reference at tiny sizes, its output on seeded inputs)
BRIDGES = {
    "mlp": (lambda r: r.mlp_reference(6, 10), lambda ref: ref(*_inputs((2, 3, 6)))),
    "qformer": (lambda r: r.qformer_reference(6, 8, 2, 2),
                lambda ref: ref(query_embeds=_inputs((2, 4, 8))[0],
                                encoder_hidden_states=_inputs((2, 5, 6))[0]).last_hidden_state),
    "perceiver": (lambda r: r.perceiver_reference(8, 2, 2, 4), lambda ref: ref(*_inputs((2, 5, 8)))),
    "gated": (lambda r: r.gated_reference(8, 6, 2, 12),
              lambda ref: ref(*_inputs((2, 3, 8)), image_hidden_states=_inputs((2, 4, 6))[0],
                              cross_attention_gate=torch.ones(2, 3))),
}


def _output(kind, patch=None):
    build, run = BRIDGES[kind]
    torch.manual_seed(1)
    ref = build(q3.references()).eval()
    with torch.no_grad():
        for p in ref.parameters():  # off the initial values: alphas of 0 would hide a gate's activation
            p.add_(torch.randn(p.shape) * q3.NOISE)
        if patch:
            state = {k: v.clone() for k, v in ref.state_dict().items()}
            patch(ref)
            ref.load_state_dict(state, strict=True)
        return run(ref)


@pytest.mark.parametrize("kind, hint", [(k, h) for k, mistakes in MISTAKES.items() for h in mistakes])
def test_each_mistake_runs_and_changes_the_output(kind, hint):
    right, wrong = _output(kind), _output(kind, MISTAKES[kind][hint])
    assert wrong.shape == right.shape
    assert not torch.allclose(wrong, right, atol=1e-4), f"{kind}: '{hint}' changes nothing"


def test_count_hint_names_the_missing_part_or_the_tensor_count():
    parts = {"the weights": 1000, "the biases": 30}
    assert count_hint(1000, parts, 4) == "it lacks exactly the biases"
    assert count_hint(4, parts, 4).startswith("it looks like the number of parameter tensors")
    assert count_hint(2030, parts, 4) == "it counts the weights twice"
    assert count_hint(900, parts, 4).startswith("fewer parameters")


def test_tokens_hint_tells_a_fixed_count_from_one_per_patch():
    assert tokens_hint([32, 17], [32, 32], [576, 17]).startswith("it changes with the number of patches")
    assert tokens_hint([32, 32], [576, 17], [576, 17]) == "it should be one token per patch"
