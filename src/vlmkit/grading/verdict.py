"""From a record to a verdict: the single place where a check passes or fails.

Used in two places with the same code: inside a learner's notebook when they run a test cell
by hand (friendly feedback), and in the grader's process on the records a kernel wrote
(the verdict that counts). A record is plain data:
`{"check": id, "ok": True, "output": ...}` or `{"check": id, "ok": False, "error": "..."}`.
"""

from dataclasses import dataclass

from vlmkit.grading.plain import from_plain
from vlmkit.grading.registry import Check


@dataclass(frozen=True)
class Verdict:
    check: str
    passed: bool
    message: str


def learner_error_message(error: str) -> str:
    if error.startswith("NotImplementedError"):
        return "not implemented yet (your code still raises NotImplementedError)"
    if error.startswith("NotPlain: "):
        return f"your code returned the wrong type of value ({error[10:]})"
    return f"your code raised {error}"


def judge_record(check: Check, record) -> Verdict:
    if not isinstance(record, dict) or record.get("check") != check.id:
        return Verdict(check.id, False, "did not run (its test cell failed or was skipped)")
    if record.get("ok") is not True:
        return Verdict(check.id, False, learner_error_message(str(record.get("error", "error"))))
    try:
        message = check.judge(check.case, from_plain(record.get("output")))
    except Exception as err:  # a malformed output must fail the check, not crash the grader
        message = f"output has the wrong form ({type(err).__name__}: {err})"
    return Verdict(check.id, message is None, message or "passed")
