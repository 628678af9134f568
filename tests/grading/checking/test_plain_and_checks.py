"""The check API and its plain-data records (no kernel needed)."""

import json
import math

import numpy as np
import pytest
import torch

from vlmkit.grading import check
from vlmkit.grading.checking.learner_api import CheckFailed
from vlmkit.grading.checking.plain import NotPlain, from_plain, to_plain


def test_plain_round_trip_of_arrays_tensors_and_specials():
    value = {"a": np.arange(6).reshape(2, 3), "t": torch.ones(2), "f": [1.5, math.nan, "nan"],
             "n": np.float32(2.5), "b": True, "s": None}
    back = from_plain(json.loads(json.dumps(to_plain(value))))
    assert back["a"].tolist() == [[0, 1, 2], [3, 4, 5]] and back["a"].dtype.kind == "i"
    assert back["t"].tolist() == [1.0, 1.0]
    assert math.isnan(back["f"][1]) and back["f"][2] == "nan"  # a string stays a string
    assert back["n"] == 2.5 and back["b"] is True and back["s"] is None


class AlwaysEqual(list):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("bad", [AlwaysEqual([1]), type("X", (), {})(), {1: 2},
                                 np.array([object()], dtype=object)])
def test_plain_refuses_objects_that_could_rig_a_comparison(bad):
    with pytest.raises(NotPlain):
        to_plain(bad)


def test_visible_check_passes_and_fails_with_a_message(capsys):
    check("q5.quantize.example", lambda values, num_bins: [min(int(v * num_bins), num_bins - 1)
                                                           for v in values])
    assert "✓ q5.quantize.example" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="floor"):
        check("q5.quantize.example", lambda values, num_bins: [round(v * num_bins) for v in values])
    with pytest.raises(CheckFailed, match="not implemented yet"):
        check("q5.quantize.example", lambda *a, **k: (_ for _ in ()).throw(NotImplementedError()))


def test_under_the_grader_check_only_records(tmp_path, monkeypatch):
    record = tmp_path / "records.jsonl"
    monkeypatch.setenv("VLMKIT_RECORD", str(record))
    check("q5.quantize.example", lambda values, num_bins: [999] * len(values))  # wrong, no raise
    check("q5.no_such_check", print)
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert lines[0].pop("contracts")["subjects"] == [{"watched": "function", "calls": 1}]
    assert lines[0] == {"check": "q5.quantize.example", "ok": True, "output": [999] * 4}
    assert lines[1]["ok"] is False and lines[1]["error"] == "unknown check"


def test_a_wrong_type_is_reported_as_such():
    with pytest.raises(CheckFailed, match="wrong type"):
        check("q5.quantize.example", lambda values, num_bins: range(4))


def _measured(measure, output=0.5):
    from vlmkit.grading.checking.registry import Check
    from vlmkit.grading.checking.verdict import judge_record

    check_ = Check("q0.measured", "", lambda case, out: None if out > 0.4 else "too low", measure=measure)
    return judge_record(check_, {"check": "q0.measured", "ok": True, "output": output})


def test_measures_are_kept_with_the_verdict_as_finite_numbers_and_never_decide_it():
    kept = _measured(lambda case, out: {"reached": {"a": out, "b": math.nan, "c": "text", "d": 1},
                                        "reference": {"a": 0.75, "b": math.inf}})
    assert kept.passed and kept.measures == {"reached": {"a": 0.5, "d": 1.0}, "reference": {"a": 0.75}}
    assert json.loads(json.dumps(kept.to_plain()))["measures"] == kept.measures
    failed = _measured(lambda case, out: {"reached": {"a": out}, "reference": {"a": 0.75}}, output=0.25)
    assert (failed.passed, failed.message, failed.measures["reached"]) == (False, "too low", {"a": 0.25})
    for broken in (lambda case, out: 1 / 0, lambda case, out: {"reached": [out]}, lambda case, out: None):
        verdict = _measured(broken)
        assert (verdict.passed, verdict.measures) == (True, None) and "measures" not in verdict.to_plain()
