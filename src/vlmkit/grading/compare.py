"""Comparisons for judges: each returns None when fine, else a message for the learner.

Judges run on plain data (see plain.py) in the grader's process, so nothing here can be
monkeypatched by a learner's kernel. Messages say what is wrong without printing the answer
unless the caller asks (`show_expected=True`, for visible checks with literal examples).
"""

import numpy as np


def _as_array(value):
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return array


def close(actual, expected, what, atol=1e-5, rtol=1e-4, show_expected=False):
    """Numbers/arrays equal within tolerance, same shape."""
    a, e = _as_array(actual), _as_array(expected)
    if a is None:
        return f"{what}: expected numbers, got {type(actual).__name__}"
    if a.shape != e.shape:
        return f"{what}: expected shape {tuple(e.shape)}, got {tuple(a.shape)}"
    if not np.all(np.isfinite(a)):
        return f"{what}: contains NaN or inf"
    if not np.allclose(a, e, atol=atol, rtol=rtol):
        worst = float(np.max(np.abs(a - e)))
        hint = f" (expected {np.round(e, 4).tolist()})" if show_expected else ""
        return f"{what}: wrong values, off by up to {worst:.4g}{hint}"
    return None


def equal(actual, expected, what, show_expected=False):
    """Exact equality of plain data (ints, strings, lists); numpy arrays compared elementwise."""
    if isinstance(actual, np.ndarray) or isinstance(expected, np.ndarray):
        a, e = np.asarray(actual), np.asarray(expected)
        same = a.shape == e.shape and bool(np.all(a == e))
    else:
        same = type(actual) is type(expected) and actual == expected
        if not same and isinstance(actual, (int, float)) and isinstance(expected, (int, float)):
            same = actual == expected and not isinstance(actual, bool)
    if same:
        return None
    hint = f": expected {expected!r}, got {actual!r}" if show_expected else f", got {_short(actual)}"
    return f"{what}: wrong result{hint}"


def _short(value, limit=80):
    text = repr(value.tolist() if isinstance(value, np.ndarray) else value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def first(*messages):
    """The first failure among several comparisons (None if all passed)."""
    return next((m for m in messages if m), None)
