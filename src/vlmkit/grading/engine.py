"""The grading engine: one notebook in, one scored `QuestionResult` out.

    merge (trusted test cells + learner answers) → run in the sandbox → read records → judge

The same engine serves `vlmkit selfcheck` (visible checks, the learner's own notebook as its
source) and `vlmkit autograde` (hidden checks too, the instructor's source notebook). Judging
happens here, in the grader's process, on plain data; no learner code ever runs here.
"""

import json
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

import nbformat

from vlmkit.grading import registry
from vlmkit.grading.notebook import BrokenNotebook, graded_cells, merge, read_notebook
from vlmkit.grading.sandbox import Limits, run_notebook
from vlmkit.grading.verdict import Verdict, judge_record

MAX_RECORDS_BYTES = 16 << 20


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
    ran: Optional[dict] = None  # the notebook that ran (trusted sources), for feedback

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("ran")
        return data


def _read_records(path: Path) -> dict:
    """The last well-formed record of each check (a kernel can write anything to this file)."""
    records = {}
    if path.is_symlink() or not path.exists():  # a kernel could plant a link to any file
        return records
    with open(path, "rb") as fh:
        raw = fh.read(MAX_RECORDS_BYTES)
    for line in raw.decode("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and isinstance(record.get("check"), str):
            records[record["check"]] = record
    return records


def _cell_errors(path: Path) -> dict:
    """grade_id → the error its test cell raised (for the instructor's report only)."""
    errors = {}
    if path.is_symlink() or not path.exists() or path.stat().st_size > MAX_RECORDS_BYTES:
        return errors
    try:
        executed = nbformat.read(str(path), as_version=4)
    except Exception:  # killed before writing, or overwritten by the learner's code
        return errors
    for cell in executed.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and grade_id:
                errors[grade_id] = f"{out.get('ename')}: {out.get('evalue')}"[:300]
    return errors


def _hidden_cases(question: str, checks: dict, cells) -> dict:
    """What the kernel needs for the hidden checks: probe names and inputs, never a judge."""
    visible = registry.visible_checks(question)
    return {cid: {"probe": checks[cid].probe, "case": checks[cid].case}
            for cell in cells for cid in cell.check_ids if cid in checks and cid not in visible}


def grade_notebook(question: str, source_path: Path, learner_path: Path,
                   hidden_dir: Optional[Path] = None, limits: Limits = Limits()) -> QuestionResult:
    """Grade one learner notebook against its source; never raises for learner problems."""
    name = Path(source_path).name
    try:
        source = read_notebook(source_path)
    except BrokenNotebook as err:
        raise BrokenNotebook(f"the course's own notebook is unusable: {err}") from None
    cells = graded_cells(source)
    max_score = sum(c.points for c in cells)
    try:
        learner = read_notebook(learner_path)
    except BrokenNotebook as err:
        status = "missing" if not Path(learner_path).exists() else "broken"
        return QuestionResult(question, name, 0.0, max_score, status, notes=[str(err)])
    merged, notes = merge(source, learner)
    checks = registry.all_checks(question, hidden_dir)
    with tempfile.TemporaryDirectory(prefix="vlmkit-grade-") as tmp:
        workdir = Path(tmp)
        nbformat.write(merged, str(workdir / "notebook.ipynb"))
        (workdir / "cases.json").write_text(json.dumps(_hidden_cases(question, checks, cells)))
        run = run_notebook(workdir, limits)
        records = _read_records(workdir / "records.jsonl")
        errors = _cell_errors(workdir / "executed.ipynb")
    if run.status != "ok":
        notes.append(run.detail)
    results = []
    for cell in cells:
        verdicts = [_judge(checks, cid, records) for cid in cell.check_ids]
        passed = bool(verdicts) and all(v.passed for v in verdicts)
        results.append(asdict(CellResult(cell.grade_id, cell.points if passed else 0.0, cell.points,
                                         [asdict(v) for v in verdicts], errors.get(cell.grade_id, ""))))
    score = sum(c["score"] for c in results)
    status = "graded" if run.status == "ok" else run.status
    return QuestionResult(question, name, score, max_score, status, results, notes,
                          json.loads(nbformat.writes(merged)))


def _judge(checks: dict, check_id: str, records: dict) -> Verdict:
    check = checks.get(check_id)
    if check is None:
        return Verdict(check_id, False, "no definition for this check (the course is misconfigured)")
    return judge_record(check, records.get(check_id))
