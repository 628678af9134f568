"""Grading: the check API that test cells call, and the engine that turns records into scores.

`from vlmkit.grading import check` is all a notebook needs (`checking/learner_api.py`). The rest
runs in the instructor's or learner's shell, never inside a learner kernel. Its subpackages, each
importing only those before it (tests/integration/test_layout.py): checking (verdicts, judges,
the registry) · nbgrader_io · sandbox · engine · outputs · workflows (the verbs: autograde,
selfcheck, collect) · authoring (release, bundle, examples, audit). Check definitions are found
by name (`checking/registry.py`), never imported here.

May import: course, errors, paths. Never world, models, pipeline, evaluation or checks: grading
works on notebooks and plain data, whatever the questions are about.
"""

from vlmkit.grading.checking.learner_api import check

__all__ = ["check"]
