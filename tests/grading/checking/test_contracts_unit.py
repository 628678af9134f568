"""The behavioural contract layer on small learner-like functions, in this process (no kernel).

    pytest tests/grading/checking/test_contracts_unit.py -q

What it watches (grading/checking/contracts.py) and how the grader judges it (grading/checking/contract_judge.py):
a changed argument, an answer that changes between calls, a non-contiguous tensor, a batch of
one; and what it must leave alone: the notebook's random generators, isinstance and signatures.
"""

import inspect
import json
import random

import numpy as np
import torch

from vlmkit.grading.checking.contract_judge import contract_message
from vlmkit.grading.checking.contracts import NOTEBOOK, CheckWatch


def _run(probe, *subjects, batchwise=None, replayed_once=()):
    """One check's probe on watched stand-ins: (what it returned, the facts as the grader reads them)."""
    watch = CheckWatch(batchwise, replayed_once)
    try:
        result = probe(*watch.wrap(subjects))
    finally:
        facts = json.loads(json.dumps(watch.facts()))
    return result, facts


def setup_function():
    NOTEBOOK.__init__()


def test_a_list_changed_in_place_names_the_function_and_the_argument():
    def normalize(box, width):
        box[0] /= width
        return box

    _, facts = _run(lambda f: f([10.0, 2.0], 20), normalize)
    assert contract_message(facts, {}) == ("normalize changed the list it was given (argument `box`): "
                                           "return a new list, leave the caller's data as it was")
    assert contract_message(facts, {"normalize": ("box",)}) is None  # declared: the spec updates it


def test_a_tensor_flag_changed_in_place_is_a_change():
    _, facts = _run(lambda f: f(torch.ones(3)), lambda t: t.requires_grad_())
    assert "changed the tensor" in contract_message(facts, {})


def test_an_answer_kept_from_an_earlier_call_is_found_by_the_replay():
    cache = {}

    def total(values):
        return cache.setdefault(len(values), sum(values))

    _run(lambda f: f([1, 2]), total)
    _, facts = _run(lambda f: f([5, 5, 5]), total)
    assert contract_message(facts, {}) is None  # its own call is right
    cache.clear()  # the first input's answer is now another input's
    _run(lambda f: f([7, 7]), total)
    _, facts = _run(lambda f: f([3]), total)
    assert "gives another answer for the same input on a later call" in contract_message(facts, {})


def test_a_function_declared_replayed_once_is_replayed_for_state_in_one_check_only():
    def report(sizes):
        return sum(sizes)

    states = []
    for sizes in ([1, 2], [3], [4, 5], [6]):
        _, facts = _run(lambda f: f(sizes), report, replayed_once={"report": "costly"})
        states.append(sum(r["contract"] == "state" for r in facts["replays"]))
    assert states == [0, 1, 0, 0]
    NOTEBOOK.__init__()
    assert [sum(r["contract"] == "state" for r in _run(lambda f: f(s), report)[1]["replays"])
            for s in ([1, 2], [3], [4, 5])] == [0, 1, 1]  # undeclared: once in every later check


def test_replays_leave_the_notebooks_random_generators_as_they_were():
    def noisy(x):
        return x + torch.rand(()) + random.random() + np.random.rand()

    torch.manual_seed(0), random.seed(0), np.random.seed(0)
    _run(lambda f: [f(torch.ones(2, 2)), f(torch.zeros(2, 2))], noisy)
    _, facts = _run(lambda f: f(torch.ones(3, 3)), noisy)
    after = (torch.rand(()), random.random(), np.random.rand())
    torch.manual_seed(0), random.seed(0), np.random.seed(0)
    [noisy(torch.ones(2, 2)), noisy(torch.zeros(2, 2)), noisy(torch.ones(3, 3))]
    assert after == (torch.rand(()), random.random(), np.random.rand())
    assert contract_message(facts, {}) is None  # a replay draws what the first call drew


def test_view_on_a_non_contiguous_tensor_and_a_squeezed_batch_fail():
    _, facts = _run(lambda f: f(torch.ones(2, 3, 4)), lambda x: x.view(-1, 4).sum(-1))
    assert "fails on a non-contiguous tensor (a transposed view)" in contract_message(facts, {})
    _, facts = _run(lambda f: f(torch.ones(2, 3)), lambda x: x.reshape(-1, 3).sum(-1))
    assert contract_message(facts, {}) is None
    squeezing = lambda x: (2 * x).squeeze(0)  # noqa: E731
    _, facts = _run(lambda f: f(torch.ones(2, 3)), squeezing, batchwise={"<lambda>": (0,)})
    assert "breaks on a batch of one" in contract_message(facts, {})


def test_a_class_stays_itself_for_isinstance_and_its_signature():
    class Scale(torch.nn.Module):
        def __init__(self, factor=2.0):
            super().__init__()
            self.factor = torch.nn.Parameter(torch.tensor(factor))

        def forward(self, x, shift=0.0):
            return self.factor * x + shift

    def probe(cls):
        m = cls(factor=3.0)
        assert isinstance(m, Scale) and issubclass(cls, Scale) and cls.__name__ == "Scale"
        assert list(inspect.signature(cls).parameters) == ["factor"]
        return m(torch.ones(2), shift=1.0)

    out, facts = _run(probe, Scale)
    assert out.tolist() == [4.0, 4.0] and facts["subjects"] == [{"watched": "class", "calls": 2}]
    assert {p["callable"]: p["off_default"] for p in facts["parameters"]} == {"Scale": ["factor"],
                                                                            "Scale.forward": ["shift"]}
