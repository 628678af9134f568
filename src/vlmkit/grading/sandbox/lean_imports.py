"""Keep third-party imports the grader never uses out of its processes.

    from vlmkit.grading.sandbox.lean_imports import skip_unused_imports
    skip_unused_imports()          # first thing, before anything imports nbformat

Importing nbformat imports jsonschema, which on import builds the RFC 3987 grammar of the
`rfc3987_syntax` package (about 0.75 s, most of nbformat's import) to offer an "iri" format
check. nbformat validates notebooks without any format checker, so the grammar is never used:
marking the package absent makes jsonschema skip that one check's set-up, and every notebook is
validated exactly as before. Called where a grading process starts (the `vlmkit` command and
the sandbox's runner), never in a learner's kernel or JupyterLab.
"""

import sys

UNUSED = ("rfc3987_syntax",)


def skip_unused_imports() -> None:
    """Mark the unused packages absent (a later `import` of one raises ImportError)."""
    for name in UNUSED:
        sys.modules.setdefault(name, None)
