"""Authoring: the maintainers' side, never run by a learner or in a grading job.

Release the learner notebooks (release) and the learner bundle (bundle), the example submissions
(examples) and the answer banks they and the tests draw on (answer_banks), the mutation audit
(audit, mutants, semantic_mutants, param_usage) and the written-answer demo (demo_written).

The top layer of grading: may import all of it (tests/integration/test_layout.py).
"""
