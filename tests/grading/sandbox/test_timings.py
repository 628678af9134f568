"""Phase timings (grading/sandbox/timings.py): what they measure, that nothing stores them unasked, and
that a real sandboxed run yields its kernel's phases."""

import json

import nbformat
import pytest

from vlmkit.grading.engine.grade import QuestionResult
from vlmkit.grading.sandbox.limits import Limits
from vlmkit.grading.sandbox.run import run_notebook
from vlmkit.grading.sandbox.timings import ENV, RUNNER_KEY, Timings, emit, kernel_phases


def test_phases_add_up_and_count_a_phase_that_raised():
    timings = Timings()
    with timings.phase("a"):
        pass
    with pytest.raises(ValueError), timings.phase("b"):
        raise ValueError
    timings.add("a", 1.0)
    assert list(timings.phases) == ["a", "b"]
    assert 1.0 <= timings.phases["a"] < 1.1 and 0 <= timings.phases["b"] < 0.1


def _cell(busy, reply, grade_id=None):
    meta = {"execution": {"iopub.status.busy": busy, "shell.execute_reply": reply}}
    if grade_id:
        meta["nbgrader"] = {"grade_id": grade_id}
    return {"cell_type": "code", "metadata": meta}


def test_kernel_phases_from_the_runner_marks_and_nbclient_stamps():
    executed = {"metadata": {RUNNER_KEY: {"started": 101.0, "imported": 101.5, "kernel_ready": 103.0,
                                          "cells_done": 110.0}},
                "cells": [_cell("1970-01-01T00:01:43.000000Z", "1970-01-01T00:01:46.500000Z"),
                          {"cell_type": "markdown", "metadata": {}},
                          _cell("1970-01-01T00:01:46.600000Z", "1970-01-01T00:01:47.000000Z", "q5_test")]}
    phases = kernel_phases(executed, 100.0, 111.0)
    assert phases == pytest.approx({"sandbox start": 1.0, "runner imports": 0.5, "kernel start": 1.5,
                                    "kernel stop, executed copy": 1.0, "cell 1": 3.5, "cell 2 (q5_test)": 0.4})


def test_a_sandbox_started_ahead_counts_from_the_hand_over():
    marks = {"started": 90.0, "imported": 90.5, "notebook_given": 100.2, "kernel_ready": 100.3, "cells_done": 104.0}
    phases = kernel_phases({"metadata": {RUNNER_KEY: marks}, "cells": []}, 100.0, 104.5)
    assert phases == pytest.approx({"hand-over to the sandbox started ahead": 0.2, "kernel start, rest": 0.1,
                                    "kernel stop, executed copy": 0.5})


def test_a_kernel_ready_before_its_notebook_came_waited_no_time_for_it():
    marks = {"started": 90.0, "imported": 90.5, "kernel_ready": 92.0, "notebook_given": 100.2, "cells_done": 104.0}
    phases = kernel_phases({"metadata": {RUNNER_KEY: marks}, "cells": []}, 100.0, 104.5)
    assert phases["kernel start, rest"] == 0.0


@pytest.mark.parametrize("executed", [{}, [], {"metadata": {RUNNER_KEY: "x"}, "cells": 5},
                                      {"metadata": {RUNNER_KEY: {"started": "soon"}},
                                       "cells": [_cell("yesterday", None), {"cell_type": "code"}, 7]}])
def test_a_spoiled_executed_copy_gives_fewer_phases_never_an_error(executed):
    assert kernel_phases(executed, 0.0, 1.0) == {}


def test_nothing_is_written_or_stored_unless_asked(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    timings = Timings()
    timings.add("judging", 0.25)
    emit("q5", timings)
    assert list(tmp_path.iterdir()) == []
    assert "timings" not in QuestionResult("q5", "q5.ipynb", 1, 1, "graded", timings={"x": 1.0}).to_json()
    monkeypatch.setenv(ENV, str(tmp_path / "t.jsonl"))
    emit("q5", timings)
    line = json.loads((tmp_path / "t.jsonl").read_text())
    assert line["label"] == "q5" and line["phases"] == {"judging": 0.25} and line["started"] == timings.started


def test_a_sandboxed_run_marks_its_phases_and_cells(tmp_path):
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time; time.sleep(0.3)")]),
                   str(tmp_path / "notebook.ipynb"))
    (tmp_path / "cases.json").write_text("{}")
    assert run_notebook(tmp_path, Limits(wall_s=120, cell_s=60)).status == "ok"
    phases = kernel_phases(json.loads((tmp_path / "executed.ipynb").read_text()), 0.0, 1e12)
    assert {"runner imports", "kernel start", "cell 1"} <= set(phases)
    assert 0.3 <= phases["cell 1"] < 5 and 0 < phases["kernel start"] < 60
