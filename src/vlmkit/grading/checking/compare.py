"""Comparisons for judges: each returns None when fine, else a message for the learner.

Judges run on plain data (see plain.py) in the grader's process, so nothing here can be
monkeypatched by a learner's kernel. Messages say what is wrong (shape, type, values) but
never quote the expected value nor the learner's own output: the output of a hostile
submission could carry hidden inputs into its feedback.
"""

import numpy as np


def _as_array(value):
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def close(actual, expected, what, atol=1e-5, rtol=1e-4):
    """Numbers/arrays equal within tolerance, same shape."""
    a, e = _as_array(actual), _as_array(expected)
    if a is None:
        return f"{what}: expected numbers"
    if a.shape != e.shape:
        return f"{what}: wrong shape, expected {tuple(e.shape)}"
    if not np.all(np.isfinite(a)):
        return f"{what}: contains NaN or inf"
    if not np.allclose(a, e, atol=atol, rtol=rtol):
        return f"{what}: wrong values (beyond tolerance {atol:g})"
    return None


def _kind(value) -> str:
    """The kind of a plain value as a learner would name it (ints and floats are both numbers)."""
    if isinstance(value, np.ndarray):
        return "an array"
    if isinstance(value, bool) or value is None or isinstance(value, (str, dict)):
        return {bool: "True or False", str: "a string", dict: "a dict"}.get(type(value), "None")
    if isinstance(value, (int, float)):
        return "a number"
    return "a list" if isinstance(value, (list, tuple)) else type(value).__name__


def equal(actual, expected, what):
    """Exact equality of plain data (ints, strings, lists); numpy arrays compared elementwise.

    The message names the first property that differs: kind (number, string, list...), shape
    or length, then values.
    """
    if isinstance(actual, np.ndarray) or isinstance(expected, np.ndarray):
        a, e = np.asarray(actual), np.asarray(expected)
        if a.shape != e.shape:
            return f"{what}: wrong shape, expected {tuple(e.shape)}"
        same = bool(np.all(a == e))
    else:
        if _kind(actual) != _kind(expected):
            return f"{what}: wrong type, expected {_kind(expected)}"
        if isinstance(expected, (list, tuple)) and len(actual) != len(expected):
            return f"{what}: wrong length, expected {len(expected)} items"
        same = actual == expected
    return None if same else f"{what}: wrong result"


def first(*messages):
    """The first failure among several comparisons (None if all passed)."""
    return next((m for m in messages if m), None)
