"""Grading: the check API that test cells call, and the engine that turns records into scores.

`from vlmkit.grading import check` is all a notebook needs. The rest (engine, sandbox, report,
release) runs in the instructor's or learner's shell, never inside a learner kernel.
"""

from vlmkit.grading.checks import check

__all__ = ["check"]
