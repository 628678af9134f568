"""The engine: one notebook in, one scored result out.

Merge the learner's answers into the trusted source (merge), run it (in the sandbox, or on the
fast path for the kit's own answers: fast_path), judge the records and the learner's own work
(grade, delegation).

Imports checking, nbgrader_io and sandbox (tests/integration/test_layout.py).
"""
