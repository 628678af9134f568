"""Checking: what a test cell calls inside the learner's kernel, and what decides a verdict.

`check(...)` (learner_api) runs a check's probe on the learner's objects, watched by the
behavioural contracts (contracts, contract_calls, contract_values), and writes plain data
(plain) to the record file; the grader judges those records (verdict, judges, compare,
contract_judge) and never trusts the kernel with a verdict. Also here, because every layer above
uses them: the registry of checks, generated inputs, one-at-a-time parsing, points as text and
the files that cross the boundary (capped reads, atomic writes).

The lowest layer of grading: imports nothing else in grading (tests/integration/test_layout.py).
"""
