"""The grading engine: one notebook in, one scored `QuestionResult` out.

    merge (trusted test cells + learner answers) → run in the sandbox → read records → judge
          → own work: a function that calls the question's declared reference loses its cells

The same engine serves `vlmkit selfcheck` (visible checks, the learner's own notebook as its
source) and `vlmkit autograde` (hidden checks too, the instructor's source notebook). Judging
happens here, in the grader's process, on plain data; no learner code ever runs here.
Each phase is timed (grading/sandbox/timings.py) into `QuestionResult.timings`, which nothing prints or
stores unless $VLMKIT_TIMINGS asks for it.
"""

import json
import os
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

import nbformat

from vlmkit.course import question_by_id
from vlmkit.grading.checking import registry
from vlmkit.grading.checking.files import read_capped
from vlmkit.grading.checking.verdict import Verdict, judge_record
from vlmkit.grading.engine.delegation import find_delegation
from vlmkit.grading.engine.merge import merge
from vlmkit.grading.nbgrader_io.autograded import autograded_notebook
from vlmkit.grading.nbgrader_io.cells import BrokenNotebook, graded_cells, nbgrader_meta, read_notebook
from vlmkit.grading.sandbox.limits import Limits
from vlmkit.grading.sandbox.run import run_notebook
from vlmkit.grading.sandbox.timings import Timings, emit, kernel_phases

MAX_RECORDS_BYTES = 16 << 20
# Check modules load and judges run one notebook at a time in a process: they import heavy
# libraries on first use (transformers' lazy modules are not thread-safe) and may seed torch's
# global generator, so two threads at once could fail an import or draw each other's numbers.
JUDGING = threading.Lock()


@dataclass
class CellResult:
    grade_id: str
    score: float
    max_score: float
    verdicts: list  # of Verdict, as dicts
    error: str = ""  # the cell's own error (name and message only), if any


@dataclass
class QuestionResult:
    question: str
    notebook: str
    score: float
    max_score: float
    status: str  # graded | missing | broken | timeout | crashed | failed
    cells: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    autograded: str = ""  # the graded notebook (JSON) for formgrader and feedback; empty when nothing ran
    timings: dict = field(default_factory=dict)  # phase → seconds, for measuring only (timings.py)

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("autograded")
        data.pop("timings")
        return data


def _read_records(path: Path) -> dict:
    """The last well-formed record of each check (a kernel can write anything to this file)."""
    records = {}
    try:
        raw = read_capped(path, MAX_RECORDS_BYTES)
    except OSError:  # missing, or replaced by a link or a FIFO: no records
        return records
    for line in raw.decode("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and isinstance(record.get("check"), str):
            records[record["check"]] = record
    return records


def _read_executed(path: Path) -> dict:
    """The executed copy as parsed JSON; {} where the run left none or the kernel spoiled it."""
    try:
        executed = json.loads(read_capped(path, MAX_RECORDS_BYTES))
    except (OSError, ValueError):  # killed early, or rewritten by the kernel
        return {}
    return executed if isinstance(executed, dict) else {}


def _cell_errors(executed: dict) -> dict:
    """grade_id → the error its test cell raised (for the instructor's report only)."""
    errors = {}
    try:
        cells = executed.get("cells", [])
        for cell in cells:
            grade_id = nbgrader_meta(cell).get("grade_id")
            for out in cell.get("outputs", []) if grade_id else []:
                if out.get("output_type") == "error":
                    errors[grade_id] = f"{out.get('ename')}: {out.get('evalue')}"[:300]
    except (AttributeError, TypeError):  # rewritten by the kernel
        return {}
    return errors


def _hidden_cases(question: str, checks: dict, cells) -> dict:
    """What the kernel needs for the hidden checks: probe names and inputs, never a judge."""
    visible = registry.visible_checks(question)
    return {cid: {"probe": checks[cid].probe, "case": checks[cid].case}
            for cell in cells for cid in cell.check_ids if cid in checks and cid not in visible}


def grade_notebook(question: str, source_path: Path, learner_path: Path,
                   hidden_dir: Optional[Path] = None, limits: Limits = Limits(),
                   execute=run_notebook) -> QuestionResult:
    """Grade one learner notebook against its source; never raises for learner problems.

    `execute(workdir, limits)` runs the merged notebook: the sandbox for every real submission,
    `fast_path.run_forked` only for the course's own code (audit, check tests).
    """
    name = Path(source_path).name
    timings = Timings()
    with timings.phase("read and merge"):
        try:
            source = read_notebook(source_path)
        except BrokenNotebook as err:
            raise BrokenNotebook(f"the course's own notebook is unusable: {err}") from None
        cells = graded_cells(source)
        max_score = sum(c.points for c in cells)
        try:
            learner = read_notebook(learner_path)
            merged, notes = merge(source, learner)
        except BrokenNotebook as err:
            status = "missing" if not os.path.lexists(learner_path) else "broken"
            return _not_run(question, name, max_score, status, str(err))
        except Exception as err:  # a notebook nbformat accepts can still be nonsense inside
            return _not_run(question, name, max_score, "broken",
                            f"{name} has damaged cells ({type(err).__name__}); re-download it")
    with timings.phase("load checks"), JUDGING:  # check modules build cases, import what judges need
        checks = registry.all_checks(question, hidden_dir)
    with tempfile.TemporaryDirectory(prefix="vlmkit-grade-") as tmp:
        workdir = Path(tmp)
        with timings.phase("write run folder"):
            nbformat.write(merged, str(workdir / "notebook.ipynb"))
            (workdir / "cases.json").write_text(json.dumps(_hidden_cases(question, checks, cells)))
        run_started = time.time()
        with timings.phase("sandbox run"):
            run = execute(workdir, limits)
        run_ended = time.time()
        with timings.phase("read records"):
            records = _read_records(workdir / "records.jsonl")
            executed = _read_executed(workdir / "executed.ipynb")
            errors = _cell_errors(executed)
    for part, seconds in kernel_phases(executed, run_started, run_ended).items():
        timings.add(f"sandbox run/{part}", seconds)
    if run.status != "ok":
        notes.append(run.detail)
    with timings.phase("own work"):
        question_spec = question_by_id(question)
        delegation = find_delegation(merged, question_spec.references if question_spec else ())
    notes += [f"check by hand: {name} uses {what}, which the grader cannot follow to a reference"
              for name, what in sorted(delegation.unresolved.items())]
    results = []
    with timings.phase("judging"), JUDGING:
        verdicts_by_cell = [[_judge(checks, cid, records) for cid in cell.check_ids] for cell in cells]
    for cell, verdicts in zip(cells, verdicts_by_cell):
        verdicts += _own_work_verdicts(question, cell, delegation)
        passed = bool(verdicts) and all(v.passed for v in verdicts)
        results.append(asdict(CellResult(cell.grade_id, cell.points if passed else 0.0, cell.points,
                                         [v.to_plain() for v in verdicts], errors.get(cell.grade_id, ""))))
    score = sum(c["score"] for c in results)
    status = "graded" if run.status == "ok" else run.status
    result = QuestionResult(question, name, score, max_score, status, results, notes)
    with timings.phase("graded copy"):
        result.autograded = autograded_notebook(merged, result.to_json())
    result.timings = dict(timings.phases)
    emit(question, timings)
    return result


def _not_run(question, name, max_score, status, note) -> QuestionResult:
    return QuestionResult(question, name, 0.0, max_score, status, notes=[note])


def _own_work_verdicts(question: str, cell, delegation) -> list:
    """A failing verdict for each function of this cell that calls a declared reference."""
    return [Verdict(f"{question}.own_work", False,
                    f"{name} calls {delegation.tainted[name]}, the reference this question is graded "
                    "against: the question asks for your own implementation")
            for name in cell.subjects if name in delegation.tainted]


def _judge(checks: dict, check_id: str, records: dict) -> Verdict:
    check = checks.get(check_id)
    if check is None:
        return Verdict(check_id, False, "no definition for this check (the course is misconfigured)")
    return judge_record(check, records.get(check_id))
