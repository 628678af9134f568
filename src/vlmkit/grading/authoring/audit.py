"""Mutation testing of the autograder (`vlmkit audit`, a maintainer's command).

    vlmkit audit                       # every question, every mutant
    vlmkit audit q5 q6 --jobs 2        # some questions
    vlmkit audit --sample 20 --seed 0  # 20 seeded mutants per question (what CI runs)
    vlmkit audit q3 --kind semantic    # only the semantic operators (semantic_mutants.py)

For every answer cell of every solution notebook it makes the cell's mutants, syntactic
(mutants.py: a token changed) and semantic (semantic_mutants.py: a class of bug), puts
each into the solved notebook and grades it on the fast path (solved_answers.py), hidden
checks included. A mutant is *killed* when it loses any point. A survivor must be listed in
autograder/equivalent_mutants/<question>.toml with the reason it behaves like the solution on
the whole domain the docstring allows; any other survivor is a grading gap, and the command
exits 1. The report counts each kind apart. `--json FILE` writes every mutant's outcome (with
the checks that killed it).
"""

import random
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

import nbformat

from vlmkit import paths
from vlmkit.errors import KitError
from vlmkit.grading.authoring.answer_banks import solution_lines
from vlmkit.grading.authoring.mutants import mutants
from vlmkit.grading.authoring.semantic_mutants import SEMANTIC_OPERATORS, semantic_mutants
from vlmkit.grading.authoring.solved_answers import grade_answers, load_solved, solved_base
from vlmkit.grading.nbgrader_io.cells import nbgrader_meta

EQUIVALENT = paths.AUTOGRADER / "equivalent_mutants"
KINDS = {"syntactic": mutants, "semantic": semantic_mutants}
ALL_KINDS = tuple(KINDS)


@dataclass(frozen=True)
class Outcome:
    id: str
    question: str
    cell: str
    kind: str
    description: str
    killed: bool
    failed_checks: tuple


def _answer_cells(assignment: str, notebook: str) -> list:
    source = nbformat.read(str(paths.SOLUTIONS / assignment / notebook), as_version=4)
    return [(nbgrader_meta(c)["grade_id"], *solution_lines(c.source)) for c in source.cells
            if c.cell_type == "code" and nbgrader_meta(c).get("solution")]


def all_mutants(questions: list, kinds=ALL_KINDS) -> list:
    """[(full id, question id, grade_id, Mutant)] of the given kinds, in a stable order."""
    found = []
    for question in questions:
        assignment, q, _ = solved_base(question)
        for grade_id, code, lines in _answer_cells(assignment, q.notebook):
            for kind in kinds:
                found += [(f"{question}:{grade_id}:{m.id}", question, grade_id, m) for m in KINDS[kind](code, lines)]
    return found


def grade_mutant(item) -> Outcome:
    full_id, question, grade_id, mutant = item
    result = grade_answers(question, {grade_id: mutant.source})
    failed = tuple(v["check"] for c in result.cells for v in c["verdicts"] if not v["passed"])
    killed = result.status != "graded" or result.score < result.max_score
    return Outcome(full_id, question, grade_id, mutant.kind, mutant.description, killed, failed)


def load_equivalent(question: str) -> dict:
    """full id -> reason, from the reviewed list; a listed mutant without a reason is an error."""
    path = EQUIVALENT / f"{question}.toml"
    if not path.exists():
        return {}
    try:
        listed = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as err:
        raise KitError(f"{path} is not valid TOML ({err})") from None
    for full_id, entry in listed.items():
        if not str(entry.get("reason", "")).strip():
            raise KitError(f"{path}: {full_id} has no reason; say why it behaves like the solution")
    return {full_id: entry["reason"] for full_id, entry in listed.items()}


def _prepare(question_ids: list) -> None:
    """Solved notebooks before the threads start; the solutions' own full marks."""
    load_solved(question_ids)
    for qid in question_ids:
        result = grade_answers(qid, {})
        if result.score < result.max_score:
            raise KitError(f"the solution of {qid} does not score full marks on the fast path "
                           f"({result.score:g}/{result.max_score:g}); fix it before auditing")


def _kind_of(operator: str) -> str:
    return "semantic" if operator in SEMANTIC_OPERATORS else "syntactic"


def _counts(items, outcomes, equivalent) -> dict:
    survivors = [o for o in outcomes if not o.killed]
    return {"generated": len(items), "killed": sum(o.killed for o in outcomes),
            "equivalent": sum(o.id in equivalent for o in survivors),
            "gaps": [asdict(o) for o in survivors if o.id not in equivalent]}


def audit(question_ids: list, sample=None, seed=0, jobs=1, progress=None, match=None, kinds=ALL_KINDS) -> dict:
    """question → {generated, killed, equivalent, gaps, by_kind: {kind: the same four}, listed_but_killed,
    listed_but_gone, outcomes}; `kinds` limits which mutants are made (all, by default)."""
    _prepare(question_ids)
    generated = all_mutants(question_ids, kinds)
    items = [item for item in generated if not match or match in item[0]]
    if sample:
        rng = random.Random(seed)
        picked = []
        for qid in question_ids:
            mine = [item for item in items if item[1] == qid]
            picked += rng.sample(mine, min(sample, len(mine)))
        items = picked
    with ThreadPoolExecutor(max_workers=jobs) as pool:  # each thread drives its own zygote
        outcomes = []
        for outcome in pool.map(grade_mutant, items):
            outcomes.append(outcome)
            if progress:
                progress(len(outcomes), len(items), outcome)
    generated_ids = {item[0] for item in generated}
    report = {}
    for qid in question_ids:
        mine = [o for o in outcomes if o.question == qid]
        equivalent = load_equivalent(qid)
        listed = {i for i in equivalent if _kind_of(i.split(":")[2]) in kinds}  # what this run could make
        report[qid] = {
            **_counts([item for item in items if item[1] == qid], mine, equivalent),
            "by_kind": {kind: _counts([item for item in items if item[1] == qid and item[3].kind == kind],
                                      [o for o in mine if o.kind == kind], equivalent) for kind in kinds},
            "listed_but_killed": [o.id for o in mine if o.killed and o.id in equivalent],
            "listed_but_gone": [] if match else sorted(listed - generated_ids),
            "outcomes": [asdict(o) for o in mine],
        }
    return report


def format_report(report: dict, seconds: float) -> str:
    """The audit's table (one row per question and kind of mutant), then every gap and stale list entry."""
    lines = [f"{'question':10s} {'kind':10s} {'mutants':>8s} {'killed':>7s} {'equivalent':>11s} {'gaps':>5s}"]
    for qid, r in report.items():
        for kind, c in r["by_kind"].items():
            lines.append(f"{qid:10s} {kind:10s} {c['generated']:8d} {c['killed']:7d} {c['equivalent']:11d} "
                         f"{len(c['gaps']):5d}")
    for r in report.values():
        lines += [f"GAP  [{gap['kind']}] {gap['id']}  {gap['description']}" for gap in r["gaps"]]
        lines += [f"note {full_id} is listed as equivalent but is killed now: remove it from the list"
                  for full_id in r["listed_but_killed"]]
        lines += [f"note {full_id} is listed as equivalent but no longer generated: remove it from the list"
                  for full_id in r["listed_but_gone"]]
    lines.append(f"audit took {seconds:.0f} s")
    return "\n".join(lines)
