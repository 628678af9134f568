"""Q1's toy-training check judges what the spec promises (the scale rises, the loss falls) and no
threshold that float rounding can cross.

A correct run (the solution's own cells) is perturbed by rounding alone: the loss computed in
float64, the batch's pairs in reverse order (another summation order), the image embeddings
multiplied by 1 + 1e-6 noise. Over the two training checks' cases and two more seeds, every
perturbed run must pass `scale_rises`, with its measures far from the thresholds (peak scale at
least 1.3 × RISE times its start, loss ratio at most LOSS_DROP / 4). Every wrong answer that
loses q1_test_training must fail it, and those whose scale starts right but is learned wrongly
must stay below RISE / 1.3. (Measured over 16 seeds × 250 and 300 steps × plain, float64 and
jittered runs: peak/start 2.48 to 5.82 for correct runs, at most 1.32 for a scale learned
directly; loss ratio 0.01 at most.)
Run: .venv/bin/python -m pytest -q tests/checks/test_q1_training.py
"""

import functools

import nbformat
import numpy as np
import pytest
import torch

from vlmkit import paths
from vlmkit.checks import q1
from vlmkit.grading.authoring.answer_banks import solution_answers, wrong_answers
from vlmkit.grading.checking import registry
from vlmkit.grading.checking.plain import from_plain, to_plain

SOLUTION = paths.SOLUTIONS / "checkpoint" / "q1_clip_loss.ipynb"
ANSWER_CELLS = ("q1_loss", "q1_temperature", "q1_zero_shot")


def _cases():
    checks = registry.all_checks("q1", paths.HIDDEN_CHECKS)
    visible, hidden = checks["q1.train.scale_rises"].case, checks["q1.hidden.train_other_seed"].case
    return [visible, hidden, {**visible, "seed": 3}, {**hidden, "seed": 5}]


def _learner(answers=None):
    """The names the notebook's cells define: its setup cell, then the answer cells (the solution's
    unless `answers` replaces some)."""
    nb = nbformat.read(str(SOLUTION), as_version=4)
    setup = next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1_setup")
    namespace = {}
    exec(setup, namespace)
    cells = {**solution_answers(SOLUTION), **(answers or {})}
    for grade_id in ANSWER_CELLS:
        exec(cells[grade_id], namespace)
    return namespace


def _float64(loss):
    return lambda image, text, scale: loss(image.double(), text.double(), scale.double()).float()


def _reversed_pairs(loss):
    return lambda image, text, scale: loss(image.flip(0), text.flip(0), scale)


def _jitter(loss):
    noise = torch.Generator().manual_seed(5)
    return lambda image, text, scale: loss(image * (1 + 1e-6 * torch.randn(image.shape, generator=noise)), text, scale)


PERTURBATIONS = {"float64": _float64, "reversed pairs": _reversed_pairs, "jitter 1e-6": _jitter}


def _trained(case, learner, perturb=lambda loss: loss):
    """The training probe's output, as plain data reaches the judge."""
    output = q1.training(case, perturb(learner["clip_loss"]), learner["LogitScale"], learner["zero_shot_probs"])
    return from_plain(to_plain(output))


@functools.lru_cache(maxsize=None)
def _solution():
    return _learner()


@pytest.mark.parametrize("perturbation", PERTURBATIONS)
@pytest.mark.parametrize("case", _cases(), ids=lambda c: f"seed{c['seed']}-{c['steps']}steps")
def test_a_correct_run_perturbed_by_rounding_passes_far_from_the_thresholds(case, perturbation):
    output = _trained(case, _solution(), PERTURBATIONS[perturbation])
    assert q1.scale_rises(case, output) is None
    scale, loss = np.asarray(output["scale"]), np.asarray(output["loss"])
    assert scale.max() / scale[0] >= 1.3 * q1.RISE
    assert scale[-1] / scale[0] >= 1.5
    assert loss[-20:].mean() / loss[0] <= q1.LOSS_DROP / 4


TRAINING_LOSERS = [w for w in wrong_answers("q1") if "q1_test_training" in w[3]]


@pytest.mark.parametrize("wrong", TRAINING_LOSERS, ids=[w[0] for w in TRAINING_LOSERS])
def test_a_wrong_answer_still_fails_the_training_check(wrong):
    name, grade_id, code, _ = wrong
    case = _cases()[0]
    output = _trained(case, _learner({grade_id: code}))
    assert q1.scale_rises(case, output) is not None
    scale = np.asarray(output["scale"])
    if grade_id != "q1_zero_shot" and abs(scale[0] - 1 / 0.07) < 1e-3:  # a scale that starts right, learned wrongly
        assert scale.max() / scale[0] <= q1.RISE / 1.3
