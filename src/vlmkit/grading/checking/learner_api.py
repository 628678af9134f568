"""`check(check_id, *subjects)`: what every test cell calls.

In a learner's own session it runs the check's probe on their functions, judges the result
on the spot and raises `CheckFailed` with a message that says what is wrong.

Under the grader (environment variable VLMKIT_RECORD set) it only *records* what the probe
produced, as plain data, to that file: the verdict is reached later in the grader's process,
which never runs learner code. Patching numpy, torch, builtins or this module from a learner
cell therefore changes nothing but the learner's own record. Hidden checks are not in the
package: the grader hands their inputs over in the file named by VLMKIT_CASES. The probe gets
watched stand-ins of the learner's objects (contracts.py), and the record carries the facts of
their behavioural contracts (inputs unchanged, no state between calls, layouts) for the judge.

Imported in an IPython kernel, it makes a failing check show as one line, `✗ check: message`,
instead of a traceback into this module (which reads as if the kit crashed); the cell still
ends in an error, so "Run All" stops there and nbgrader's Validate reports it. Every other
exception keeps IPython's usual traceback.
"""

import functools
import json
import os
import sys

from vlmkit.grading.checking import registry
from vlmkit.grading.checking.contracts import CheckWatch
from vlmkit.grading.checking.plain import NotPlain, to_plain
from vlmkit.grading.checking.verdict import judge_record

RECORD_ENV = "VLMKIT_RECORD"
CASES_ENV = "VLMKIT_CASES"
MAX_ERROR_CHARS = 300
MAX_RECORD_BYTES = 4_000_000


class CheckFailed(AssertionError):
    """A visible check failed in the learner's own session."""


def show_check_failure(shell, etype, value, tb, tb_offset=None) -> list:
    """IPython's custom traceback for CheckFailed: the message alone, in red, no frames.

    IPython leaves showing it to the handler; `_showtraceback` is the hook each frontend
    overrides (ipykernel publishes an error output and puts it in the execute_reply).
    """
    structured = [f"\x1b[31m✗ {value}\x1b[0m"]
    shell._showtraceback(etype, value, structured)
    return structured


def render_failures_cleanly() -> None:
    """In an IPython kernel, show CheckFailed with `show_check_failure`; elsewhere do nothing.

    IPython is looked up, never imported: a plain Python process (the grader, a script) is left
    as it is. A custom handler someone else installed for other exceptions is kept.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython else None
    if shell is None:
        return
    others = tuple(e for e in shell.custom_exceptions if e.__name__ != CheckFailed.__name__)
    if not others:
        shell.set_custom_exc((CheckFailed,), show_check_failure)


def _resolve(check_id):
    """The check's probe name and inputs (case): visible ones from the package, hidden from the grader."""
    visible = registry.visible_checks(registry.question_of(check_id)).get(check_id)
    if visible is not None:
        return visible
    cases_path = os.environ.get(CASES_ENV)
    if cases_path and os.path.exists(cases_path):
        stat = os.stat(cases_path)
        text = _hidden_cases(cases_path, stat.st_mtime_ns, stat.st_size).get(check_id)
        if text is not None:
            spec = json.loads(text)  # a fresh case each time: a probe's subject may change what it is given
            return registry.Check(check_id, spec["probe"], judge=None, case=spec["case"])
    return None


@functools.lru_cache(maxsize=2)
def _hidden_cases(path, mtime_ns, size) -> dict:
    """check id -> its entry of the cases file as JSON text; the file is parsed once per version
    of it (a notebook has a dozen hidden checks or more)."""
    with open(path) as fh:
        return {check_id: json.dumps(spec) for check_id, spec in json.load(fh).items()}


def _run_probe(check_id, spec, subjects):
    """The probe run on watched stand-ins of the subjects (contracts.py): its output and the
    contracts' facts, as plain data."""
    question = registry.question_of(check_id)
    watch = CheckWatch(registry.declared(question, "BATCHWISE"), registry.declared(question, "REPLAYED_ONCE"))
    try:
        probe = registry.probe(question, spec.probe)
        result = probe(spec.case, *watch.wrap(subjects))
    except Exception as err:  # learner code failing is a result, not a crash
        error = f"{type(err).__name__}: {err}"[:MAX_ERROR_CHARS]
        return {"check": check_id, "ok": False, "error": error}
    finally:
        facts = watch.facts()
    try:
        return {"check": check_id, "ok": True, "output": to_plain(result), "contracts": facts}
    except NotPlain as err:
        return {"check": check_id, "ok": False, "error": f"NotPlain: {err}"[:MAX_ERROR_CHARS]}


def _append_record(path, record):
    line = json.dumps(record)
    if len(line) > MAX_RECORD_BYTES:
        record = {"check": record["check"], "ok": False, "error": "output too large to record"}
        line = json.dumps(record)
    with open(path, "a") as fh:
        fh.write(line + "\n")


def check(check_id, *subjects):
    """Run check `check_id` on the learner's objects (functions, classes) `subjects`."""
    spec = _resolve(check_id)
    record_path = os.environ.get(RECORD_ENV)
    if spec is None:
        if record_path:
            _append_record(record_path, {"check": check_id, "ok": False, "error": "unknown check"})
            return
        raise CheckFailed(f"{check_id}: unknown check (is vlmkit up to date?)")
    record = _run_probe(check_id, spec, subjects)
    if record_path:
        _append_record(record_path, record)
        return
    verdict = judge_record(spec, record)
    if not verdict.passed:
        raise CheckFailed(f"{check_id}: {verdict.full()}")
    print(f"✓ {check_id}")


render_failures_cleanly()
