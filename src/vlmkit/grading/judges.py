"""Judge builders shared by visible and hidden checks.

A judge is `judge(case, output) -> None | message`. Most checks either compare with a literal
expectation (visible examples) or with a trusted reference run on the case's inputs (hidden
checks, library oracles). These builders cover both so that check modules stay declarative.
"""

from vlmkit.grading import compare


def _with_hint(message, hint):
    return message and (f"{message} — {hint}" if hint else message)


def expect_equal(expected, what, hint=None):
    """Literal expectation; the message shows the learner's value and a hint, not the answer."""
    return lambda case, output: _with_hint(compare.equal(output, expected, what), hint)


def expect_close(expected, what, atol=1e-5, rtol=1e-4, hint=None):
    return lambda case, output: _with_hint(compare.close(output, expected, what, atol, rtol), hint)


def call_reference(reference, case):
    return reference(*case.get("args", []), **case.get("kwargs", {}))


def match_reference(reference, what, exact=True, atol=1e-5, rtol=1e-4):
    """Compare with `reference(*case['args'], **case['kwargs'])`; the answer is never shown."""

    def judge(case, output):
        expected = call_reference(reference, case)
        if exact:
            return compare.equal(output, expected, what)
        return compare.close(output, expected, what, atol, rtol)

    return judge


def match_reference_each(reference, what, exact=True, atol=1e-5, rtol=1e-4):
    """For the `call_each` probe: every call compared with the reference on the same inputs.

    The message counts the failing inputs and names the first failure's kind (shape, values);
    it never shows an input or a value.
    """
    one = match_reference(reference, what, exact, atol, rtol)

    def judge(case, output):
        calls = case["calls"]
        if not isinstance(output, list) or len(output) != len(calls):
            return f"{what}: expected one result per input"
        failures = [m for m in (one(c, out) for c, out in zip(calls, output)) if m]
        if not failures:
            return None
        return f"{failures[0]} (on {len(failures)} of {len(calls)} unseen inputs)"

    return judge
