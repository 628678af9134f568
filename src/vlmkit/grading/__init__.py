"""Grading: the check API that test cells call, and the engine that turns records into scores.

`from vlmkit.grading import check` is all a notebook needs (`learner_api`). The rest (engine,
sandbox, judges, report, release, audit) runs in the instructor's or learner's shell, never
inside a learner kernel. Check definitions are found by name (`registry`), never imported here.

May import: course, errors, paths. Never world, models, pipeline, evaluation or checks: grading
works on notebooks and plain data, whatever the questions are about.
"""

from vlmkit.grading.checking.learner_api import check

__all__ = ["check"]
