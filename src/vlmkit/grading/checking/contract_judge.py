"""Judging the behavioural contracts: from the facts a kernel recorded (contracts.py) to a message.

    message = contract_message(record["contracts"], updates_in_place)   # None: every contract holds

Runs wherever verdict.judge_record runs (the grader; a learner's own session for self-check), on
plain data only. A message names the contract and the learner's function, never an input:
- inputs unchanged: an argument the call changed, unless the question declares that function
  as updating that argument in place (`UPDATES_IN_PLACE` in checks/<q>.py, its spec says so);
- no state between calls: a replay of an earlier call that answered otherwise, or raised;
- layouts: a replay on non-contiguous copies, or on a batch of one, that raised or answered otherwise.
"""

import math
from typing import Optional

# A replay of the same call in the same process gives the same floats; other layouts and batch
# sizes may sum in another order, so their answers are compared a little more loosely.
TOLERANCE = {"state": 1e-6, "layout": 1e-4, "batch": 1e-4}

STATE = ("{name} gives another answer for the same input on a later call (does it keep state between "
         "calls, a cache or a global?)")
LAYOUT_RAISED = "{name} fails on a non-contiguous {kind} (a transposed view): use .reshape, not .view"
LAYOUT_DIFFERS = ("{name} gives another answer on a non-contiguous {kind} (a transposed view) holding the "
                  "same values: use .reshape, not .view, and never read the raw memory")
BATCH = "{name} breaks on a batch of one (does a squeeze drop the batch dimension?)"


def contract_message(facts, updates_in_place: dict) -> Optional[str]:
    if not isinstance(facts, dict):
        return None
    for change in facts.get("changed", []):
        if change["argument"] in updates_in_place.get(change["callable"], ()):
            continue
        kind = change["kind"]
        return (f"{change['callable']} changed the {kind} it was given (argument `{change['argument']}`): "
                f"return a new {kind}, leave the caller's data as it was")
    for replay in facts.get("replays", []):
        message = _replay_message(replay)
        if message:
            return message
    return None


def _replay_message(replay) -> Optional[str]:
    contract, name = replay["contract"], replay["callable"]
    held = replay["raised"] is None and _close(replay["first"], replay["again"], TOLERANCE[contract])
    if held:
        return None
    if contract == "state":
        return STATE.format(name=name)
    if contract == "layout":
        template = LAYOUT_RAISED if replay["raised"] else LAYOUT_DIFFERS
        return template.format(name=name, kind=replay.get("kind", "tensor"))
    return BATCH.format(name=name)


def _close(first, again, rtol) -> bool:
    if isinstance(first, dict) and isinstance(again, dict):
        if "shape" in first:
            return _numbers_close(first, again, rtol)
        return first.keys() == again.keys() and all(_close(first[k], again[k], rtol) for k in first)
    if isinstance(first, list) and isinstance(again, list):
        return len(first) == len(again) and all(_close(a, b, rtol) for a, b in zip(first, again))
    if _is_number(first) and _is_number(again):
        return _near(first, again, rtol * max(1.0, abs(first) if math.isfinite(first) else 1.0))
    return type(first) is type(again) and first == again


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _near(a, b, atol) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= atol


def _numbers_close(first, again, rtol) -> bool:
    """Two summaries of arrays (contract_values.summary): same shape and kind, values and sums near."""
    if first.get("shape") != again.get("shape") or first.get("dtype") != again.get("dtype"):
        return False
    if "digest" in first or "digest" in again:
        return first.get("digest") == again.get("digest")
    finite = [abs(v) for v in first.get("values", []) if math.isfinite(v)]
    scale = max([1.0, *finite])
    values_near = len(first["values"]) == len(again.get("values", [])) and all(
        _near(a, b, rtol * scale) for a, b in zip(first["values"], again["values"]))
    if "stats" not in first:
        return values_near and "stats" not in again
    sums = first["stats"]
    scales = [sums[1], sums[1], sums[2], sums[1]]  # |x| bounds sum and weighted sum; x² its own
    return values_near and len(again.get("stats", [])) == 4 and all(
        _near(a, b, rtol * max(1.0, s)) for a, b, s in zip(sums, again["stats"], scales))
