"""Judge builders shared by visible and hidden checks.

A judge is `judge(case, output) -> None | message`. Most checks either compare with a literal
expectation (visible examples) or with a trusted reference run on the case's inputs (hidden
checks, library oracles). These builders cover both so that check modules stay declarative.
"""

import inspect
import re

from vlmkit.grading.checking import compare

# How a message names a known mistake: "what: what is wrong — the mistake" (the class report
# groups failures by the part after HINT), then each()'s "(on k of n unseen inputs)" count.
HINT = " — "
INPUT_COUNT = re.compile(r" \(on \d+ of \d+ [^()]*\)$")
# A message that says only that values differ, not which property failed nor the likely mistake.
BARE = re.compile(r"^[^\n]*: (wrong values \(beyond tolerance [^()]*\)|wrong result)$")


def bare_message(message) -> bool:
    """True for "what: wrong values (beyond tolerance …)" or "what: wrong result" with nothing after."""
    return bool(message) and BARE.match(INPUT_COUNT.sub("", message)) is not None


def _with_hint(message, hint):
    return message and (f"{message}{HINT}{hint}" if hint else message)


def diagnose(output, candidates, atol=1e-5, rtol=1e-4):
    """HINT and the name of the first candidate (a known mistake's value, {name: value}) that the
    output matches (numbers within tolerance, anything else, strings included, exactly), else "":
    append it to a failing message."""
    for hint, value in candidates.items():
        if _matches(output, value, atol, rtol):
            return f"{HINT}{hint}"
    return ""


def _matches(output, value, atol, rtol):
    if compare.close(output, value, "", atol, rtol) is None:
        return True
    try:
        return compare.equal(output, value, "") is None
    except (ValueError, TypeError):  # a structure == cannot compare (arrays inside lists): no match
        return False


def diagnosed(judge, explain):
    """`judge` whose bare failing message (bare_message) ends with explain(case, output): HINT and
    the likely mistake (diagnose) or where the values differ, or "". explain runs only once the
    judge has failed, so a diagnosis never changes whether a check passes."""

    def judge_diagnosed(case, output):
        message = judge(case, output)
        if not bare_message(message):
            return message
        try:
            return message + explain(case, output)
        except (ValueError, TypeError, IndexError, KeyError, AttributeError):
            return message  # an output too far from the expected structure to say more of

    return judge_diagnosed


def expect_equal(expected, what, hint=None):
    """Literal expectation. The message names what differs (type, shape, length or values) and adds
    the hint; like every message from compare.py it quotes neither the answer nor the learner's value."""
    return lambda case, output: _with_hint(compare.equal(output, expected, what), hint)


def expect_close(expected, what, atol=1e-5, rtol=1e-4, hint=None):
    return lambda case, output: _with_hint(compare.close(output, expected, what, atol, rtol), hint)


def call_reference(reference, case):
    return reference(*case.get("args", []), **case.get("kwargs", {}))


def reference_arguments(reference, case):
    """The case's arguments by name, the reference's defaults filled in (the learner's signature):
    what a diagnosis needs to compute a known mistake's value on the same call."""
    bound = inspect.signature(reference).bind(*case.get("args", []), **case.get("kwargs", {}))
    bound.apply_defaults()
    return bound.arguments


def match_reference(reference, what, exact=True, atol=1e-5, rtol=1e-4):
    """Compare with `reference(*case['args'], **case['kwargs'])`; the answer is never shown."""

    def judge(case, output):
        expected = call_reference(reference, case)
        if exact:
            return compare.equal(output, expected, what)
        return compare.close(output, expected, what, atol, rtol)

    return judge


def each(judge, what=None, key="calls", unit="unseen inputs"):
    """`judge` applied to every entry of case[key] and the matching output (probes `call_each` and
    the like: one check, many seeded inputs). The message is the first failure's, with a count;
    it never shows an input or a value."""

    def judge_each(case, output):
        items = case[key]
        if not isinstance(output, list) or len(output) != len(items):
            return f"{what + ': ' if what else ''}expected one result per input"
        failures = [m for m in (judge(item, out) for item, out in zip(items, output)) if m]
        if not failures:
            return None
        return f"{failures[0]} (on {len(failures)} of {len(items)} {unit})"

    return judge_each


def match_reference_each(reference, what, explain, exact=True, atol=1e-5, rtol=1e-4):
    """For the `call_each` probe: every call compared with the reference on the same inputs, a
    failure explained by explain(call, output) (see diagnosed)."""
    return each(diagnosed(match_reference(reference, what, exact, atol, rtol), explain), what)
