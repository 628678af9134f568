"""Generated inputs for the checks whose domain is a format (parsers, record builders, token decoders).

    calls = generated_calls("q4.parse_qa", strategy, count=40)   # in a hidden check module
    Check(id, "call_each_caught", smallest_failing(judge, "parse_qa"), {"calls": calls})

A hidden check module (grader's process only, never a learner's kernel) describes a format's
grammar as a Hypothesis strategy of calls ({"args": [...], "kwargs": {...}} or a probe's case);
`generated_calls` draws them with a fixed seed (`derandomize=True`) and no example database, so
the same inputs come out on every run and machine for the pinned Hypothesis version. The calls
go to the kernel as the case, like any seeded input.

Learner code never runs in the grader, so Hypothesis cannot shrink a failure. The calls are
sorted from simplest to richest instead (by the length of their JSON, then the JSON itself) and
`smallest_failing` reports the first one that fails: the smallest failing input of the set. It
is quoted in the message, inside the "(on k of n …)" aside that the class report drops when it
groups mistakes, so generators draw no parentheses.
"""

import json
import threading
from unittest import mock

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import providers

# Hypothesis runs one search at a time; hidden modules may load in several grading threads.
_DRAWING = threading.Lock()


def strings(alphabet: str, min_size: int, max_size: int):
    """A strategy of strings of those characters (st.text would load and cache Unicode tables on disk)."""
    return st.lists(st.sampled_from(alphabet), min_size=min_size, max_size=max_size).map("".join)


def size_order(call) -> tuple:
    """Simplest first: the shorter JSON, then the JSON text (a total, machine-independent order)."""
    text = json.dumps(call, sort_keys=True)
    return len(text), text


_DRAWN = {}  # (key, count) -> the calls, drawn once per process


def _draw(strategy, count: int) -> list:
    """Hypothesis also draws, now and then, a literal found in the source of whatever local modules
    the process has imported (and caches them under ./.hypothesis): the inputs would depend on the
    process (grader, audit, tests) and the folder it runs in. Drawing with no local literals (its
    internals, of the pinned version) keeps them the same everywhere."""
    found = {}

    @settings(derandomize=True, database=None, max_examples=count, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(strategy)
    def draw(call):
        found.setdefault(json.dumps(call, sort_keys=True), call)

    providers.CONSTANTS_CACHE.cache.clear()
    with mock.patch.object(providers, "_get_local_constants", providers.Constants):
        draw()
    providers.CONSTANTS_CACHE.cache.clear()
    return sorted(found.values(), key=size_order)


def generated_calls(key: str, strategy, count: int) -> list:
    """Up to `count` distinct calls drawn from `strategy`, simplest first; the same on every run.
    Drawn once per process for each key (every grading loads the hidden modules anew)."""
    with _DRAWING:
        if (key, count) not in _DRAWN:
            _DRAWN[key, count] = json.dumps(_draw(strategy, count))
        return json.loads(_DRAWN[key, count])  # a fresh copy for each case


def shown(call) -> str:
    """A call's inputs as the message quotes them: its args (and kwargs), or the probe's case."""
    if "args" in call:
        parts = [repr(a) for a in call["args"]] + [f"{k}={v!r}" for k, v in call.get("kwargs", {}).items()]
        return ", ".join(parts)
    return repr(call)


def smallest_failing(judge, what, show=shown):
    """Judge for a probe wrapped in checks.common.each_caught: `judge` applied to every call of
    case["calls"] (sorted by size_order) and what it returned; a call that raised fails. A failure
    is the first failing call's message, the count, and that call's inputs: the smallest failing
    input ("… (on 3 of 40 generated inputs, the smallest failing: 'Question: a')")."""

    def verdict(call, result):
        if not isinstance(result, dict) or set(result) not in ({"returned"}, {"raised"}):
            return f"{what}: the probe's record is damaged"
        if "raised" in result:
            return f"{what} raised {result['raised']}"
        return judge(call, result["returned"])

    def judge_generated(case, output):
        calls = case["calls"]
        if not isinstance(output, list) or len(output) != len(calls):
            return f"{what}: expected one result per input"
        failures = [(call, m) for call, m in ((call, verdict(call, out)) for call, out in zip(calls, output)) if m]
        if not failures:
            return None
        call, message = failures[0]
        return f"{message} (on {len(failures)} of {len(calls)} generated inputs, the smallest failing: {show(call)})"

    return judge_generated
