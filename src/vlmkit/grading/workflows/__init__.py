"""The verbs: autograde a class, self-check a learner's notebooks, collect submissions.

autograde (with the batch scheduler, batch, and its progress line, progress), selfcheck,
collect (submission zips without a hub) and submission (the learner's zip).

Imports every layer below it (tests/integration/test_layout.py); only authoring may import it.
"""
