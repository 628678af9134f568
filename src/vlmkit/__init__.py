"""VLM Checkpoint Kit: the helper package that every notebook imports.

    world/       procedural scenes with ground truth; box geometry; the bundled test set
    models/      the tiny models (one per file), weights io, training
    pipeline/    `Pipeline().process(image, question=..., ground_objects=[...])`
    evaluation/  the truthful harness, the course's flawed one, reports, pictures, widget
    checks/      per question: probes and visible checks (hidden ones: autograder/hidden/)
    grading/     check() for test cells; engine, sandbox, autograde, release, audit
    commands/    the `vlmkit` command, one module per subcommand
    course.py    questions, days and the score table (from autograder/manifest.json)
    errors.py    KitError: what the CLI shows as one line
    paths.py     where the kit's folders are

Each stage imports only the ones before it: world → models → pipeline → evaluation; grading
imports none of them; checks may use all; commands may use anything (tests/integration/test_layout.py).
"""

__version__ = "0.1.0"


def __getattr__(name):
    # `from vlmkit import Pipeline` without importing torch for every `import vlmkit`.
    if name == "Pipeline":
        from vlmkit.pipeline import Pipeline

        return Pipeline
    raise AttributeError(f"module 'vlmkit' has no attribute {name!r}")
