"""From a record to a verdict: the single place where a check passes or fails.

Used in two places with the same code: inside a learner's notebook when they run a test cell
by hand (friendly feedback), and in the grader's process on the records a kernel wrote
(the verdict that counts). A record is plain data:
`{"check": id, "ok": True, "output": ..., "contracts": ...}` or `{"check": id, "ok": False, "error": "..."}`.
A check whose own judge passes can still fail on a behavioural contract (contract_judge.py).

A verdict's `message` is the kit's own words; `detail` is text that came out of the learner's
code (an exception message). Self-check shows both; autograde feedback shows only `message`,
because a hostile notebook can put anything, hidden inputs included, into an exception.
`measures` (only for checks with a `measure`, e.g. the capstone's metrics) are numbers the kit
computed from the output, kept for the class report whether the check passed or not.
"""

import builtins
import math
from dataclasses import asdict, dataclass
from typing import Optional

from vlmkit.grading.checking import registry
from vlmkit.grading.checking.contract_judge import contract_message
from vlmkit.grading.checking.plain import from_plain
from vlmkit.grading.checking.registry import Check

BUILTIN_ERRORS = {name for name, value in vars(builtins).items()
                  if isinstance(value, type) and issubclass(value, BaseException)}

# What a check says of a stub that still raises NotImplementedError (the class report counts these).
NOT_IMPLEMENTED = "not implemented yet (your code still raises NotImplementedError)"


@dataclass(frozen=True)
class Verdict:
    check: str
    passed: bool
    message: str
    detail: str = ""
    measures: Optional[dict] = None

    def full(self) -> str:
        return f"{self.message}: {self.detail}" if self.detail else self.message

    def to_plain(self) -> dict:
        """As stored in the results: `measures` only where the check has some."""
        plain = asdict(self)
        if self.measures is None:
            del plain["measures"]
        return plain


def _error_verdict(check_id: str, error: str) -> Verdict:
    kind, _, text = error.partition(": ")
    if kind not in BUILTIN_ERRORS and kind != "NotPlain":  # a learner's own class name can hold data
        kind, text = "an exception", error
    if kind == "NotImplementedError":
        return Verdict(check_id, False, NOT_IMPLEMENTED)
    if kind == "NotPlain":
        return Verdict(check_id, False, "your code returned the wrong type of value", text)
    return Verdict(check_id, False, f"your code raised {kind}", text)


def judge_record(check: Check, record) -> Verdict:
    if not isinstance(record, dict) or record.get("check") != check.id:
        return Verdict(check.id, False, "did not run (its test cell failed or was skipped)")
    if record.get("ok") is not True:
        return _error_verdict(check.id, str(record.get("error", "error")))
    try:
        output = from_plain(record.get("output"))
        message = check.judge(check.case, output) or contract_message(
            record.get("contracts"), registry.declared(registry.question_of(check.id), "UPDATES_IN_PLACE"))
    except Exception as err:  # a malformed output must fail the check, not crash the grader
        return Verdict(check.id, False, "your code's output has the wrong form", type(err).__name__)
    return Verdict(check.id, message is None, message or "passed", measures=_measures(check, output))


def _measures(check: Check, output) -> Optional[dict]:
    """The check's measures of this output: finite numbers only, None when it has none or fails
    on it (the output is the learner's, so a measure may meet anything; it never sinks a verdict)."""
    if check.measure is None:
        return None
    try:
        measured = check.measure(check.case, output)
        kept = {group: {str(name): float(value) for name, value in measured[group].items()
                        if isinstance(value, (int, float)) and math.isfinite(value)}
                for group in ("reached", "reference")} if measured is not None else None
    except Exception:
        return None
    return kept
