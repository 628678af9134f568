"""The capstone's component checks: the world scenes they list still make the kit's models
disagree, and the judge names the model a part follows instead of the one the notebook asks for.

    pytest tests/checks/test_capstone_components.py -q
"""

import json

import pytest

from vlmkit import paths
from vlmkit.checks.capstone_components import PARTS, disagreements, kit_components, matches_kit_components
from vlmkit.grading.checking.registry import all_checks

CHECKS = all_checks("capstone", paths.HIDDEN_CHECKS)
COMPONENT_CHECKS = ("capstone.pipeline.components", "capstone.hidden.pipeline_matches_kit")


def _world_items(check_id):
    return [item for item in CHECKS[check_id].case["items"] if "seed" in item]


@pytest.mark.parametrize("check_id", COMPONENT_CHECKS)
def test_each_listed_world_scene_makes_the_kits_models_disagree(check_id):
    parts = [disagreements(item) for item in _world_items(check_id)]
    assert all(parts), [item for item, p in zip(_world_items(check_id), parts, strict=True) if not p]
    for part in PARTS:
        assert sum(part in p for p in parts) >= 2, (check_id, part)


@pytest.mark.parametrize("part, other", [("scene_type", "the detector"), ("answer", "the detections")])
def test_a_part_that_follows_the_rival_model_is_named(part, other):
    case = CHECKS["capstone.pipeline.components"].case
    kit = kit_components(json.dumps(case["items"]))
    assert matches_kit_components(case, kit) is None
    rival = [{**out, part: out[PARTS[part]["rival"]]} for out in kit]
    message = matches_kit_components(case, rival)
    assert message.startswith(f"{part} does not come from {PARTS[part]['model']}") and f"follows {other}" in message


def test_a_part_from_nowhere_says_how_the_model_gives_it():
    case = CHECKS["capstone.pipeline.components"].case
    wrong = [{**out, "scene_type": "night"} for out in kit_components(json.dumps(case["items"]))]
    assert "clip.classify" in matches_kit_components(case, wrong)
