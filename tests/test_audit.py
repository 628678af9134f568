"""Mutation testing of the autograder: the mutator itself, the reviewed equivalents, and a seeded
sample of the audit (CI's share of `vlmkit audit`: it fails on any new surviving mutant)."""

from conftest import COURSE
from vlmkit.grading.audit import all_mutants, audit, load_equivalent, load_solved
from vlmkit.grading.examples import solution_lines
from vlmkit.grading.mutants import mutants

QUESTIONS = [q.id for a in COURSE.values() for q in a.questions]
SAMPLE_PER_QUESTION = 12

CELL = '''def quantize(values, num_bins=1000):
    """Docstring stays."""
    ### BEGIN SOLUTION
    # clamp to the valid range
    return [min(max(math.floor(v * num_bins), 0), num_bins - 1) for v in values]
    ### END SOLUTION
'''


def _by_operator(found):
    return {m.operator for m in found}


def test_mutants_cover_the_operator_families_and_keep_comments():
    code, lines = solution_lines(CELL)
    assert "BEGIN SOLUTION" not in code and lines == {3, 4}
    found = mutants(code, lines)
    assert {"swap_operator", "change_constant", "swap_function", "remove_call", "swap_arguments",
            "drop_argument", "alter_return", "insert_detach", "delete_statement"} <= _by_operator(found)
    assert all("# clamp to the valid range" in m.source and '"""Docstring stays."""' in m.source for m in found)
    assert any("math.ceil(v * num_bins)" in m.source for m in found)
    assert any("round(v * num_bins)" in m.source and "math.round" not in m.source for m in found)
    assert not any("num_bins=1001" in m.source for m in found), "the signature is not the learner's code"
    assert len({m.id for m in found}) == len(found)


def test_dim_arguments_and_normalisations_are_mutated():
    found = mutants("y = F.normalize(x, dim=-1).softmax(dim=1)\n")
    sources = {m.source for m in found}
    assert "y = (x).softmax(dim=1)\n" in sources  # normalisation removed
    assert any("dim=0" in s for s in sources) and any(".log_softmax(" in s for s in sources)


def test_mutant_ids_survive_unrelated_edits():
    code, lines = solution_lines(CELL)
    before = {m.id: m.description.split(":", 1)[1] for m in mutants(code, lines)}
    shifted = "import math\n\n\n" + code
    after = {m.id: m.description.split(":", 1)[1] for m in mutants(shifted, {n + 3 for n in lines})}
    assert before == after


def test_reviewed_equivalents_are_current_and_explained():
    """Every listed equivalent is still a mutant of the current solutions (and has a reason)."""
    load_solved(QUESTIONS)
    generated = {item[0] for item in all_mutants(QUESTIONS)}
    for question in QUESTIONS:
        stale = set(load_equivalent(question)) - generated
        assert not stale, (question, sorted(stale))


def test_a_seeded_sample_of_mutants_is_killed_or_reviewed_equivalent():
    report = audit(QUESTIONS, sample=SAMPLE_PER_QUESTION, seed=0, jobs=2)
    gaps = {q: [(g["id"], g["description"]) for g in r["gaps"]] for q, r in report.items() if r["gaps"]}
    assert not gaps, gaps
    assert all(r["generated"] == SAMPLE_PER_QUESTION for r in report.values())
