"""Plain data: the only thing that crosses from a learner's kernel to the grader.

`to_plain` turns numbers, strings, lists, dicts, numpy arrays and torch tensors into JSON-safe
data and refuses everything else, so an object with a rigged `__eq__` can never reach a
comparison in the grader. `from_plain` rebuilds numpy arrays on the grader's side.

Arrays travel as the base64 of their little-endian bytes (float64, int64 or one byte per bool):
exact, NaN and infinities included, and a module's weights and gradients (megabytes for a
Q-Former) cost a copy instead of a float's text per element both ways. A list of numbers is
still read as an array's data (records written before).
"""

import base64
import math

ARRAY_TAG = "__array__"
FLOAT_TAG = "__float__"
MAX_ELEMENTS = 1_000_000  # a record is evidence for a check, never a data dump
WIRE_DTYPES = {"b": "|u1", "i": "<i8", "u": "<i8", "f": "<f8"}  # array kind -> the bytes sent


class NotPlain(TypeError):
    """The value is not plain data (or is too large to be a check's output)."""


def _array_to_plain(array):
    import numpy as np

    array = np.asarray(array)
    kind = array.dtype.kind
    if array.dtype == object or array.size > MAX_ELEMENTS:
        raise NotPlain(f"array of dtype {array.dtype} and size {array.size} is not plain data")
    if kind not in WIRE_DTYPES:
        raise NotPlain(f"array of dtype {array.dtype} is not plain data")
    if array.dtype == np.uint64 and array.size and array.max() > np.iinfo(np.int64).max:
        data = array.ravel().tolist()  # beyond int64: Python ints (the grader refuses them too)
    else:
        data = base64.b64encode(array.astype(WIRE_DTYPES[kind]).tobytes()).decode("ascii")
    return {ARRAY_TAG: data, "shape": list(array.shape), "kind": kind}


def _float(x):
    # JSON has no NaN/inf: tag them so a learner's string "nan" stays a string.
    return x if math.isfinite(x) else {FLOAT_TAG: repr(x)}


def to_plain(value, _depth=0):
    """Convert `value` to JSON-safe data; raise NotPlain for anything else."""
    if _depth > 20:
        raise NotPlain("structure nested too deeply")
    # Exact type checks on purpose: subclasses of int/str/list can override comparisons.
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if kind is int:
        return value
    if kind is float:
        return _float(value)
    if kind in (list, tuple):
        return [to_plain(v, _depth + 1) for v in value]
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise NotPlain("dict keys must be strings")
        return {k: to_plain(v, _depth + 1) for k, v in value.items()}
    module = getattr(kind, "__module__", "") or ""
    if module.startswith("numpy"):
        import numpy as np

        if kind is np.ndarray:
            return _array_to_plain(value)
        if isinstance(value, np.generic):
            return to_plain(value.item(), _depth + 1)
    if module.startswith("torch"):
        import torch

        if kind is torch.Tensor or kind is torch.nn.Parameter:
            return _array_to_plain(value.detach().cpu().numpy())
    raise NotPlain(f"a value of type {kind.__name__} is not plain data")


def from_plain(value):
    """Inverse of `to_plain`: tagged dicts become numpy arrays, the rest is returned as is."""
    if isinstance(value, dict):
        if ARRAY_TAG in value:
            import numpy as np

            data, kind = value[ARRAY_TAG], value.get("kind")
            wire = WIRE_DTYPES.get(kind, "<f8")
            dtype = bool if kind == "b" else wire
            if isinstance(data, str):
                return np.frombuffer(base64.b64decode(data, validate=True), wire).astype(dtype).reshape(value["shape"])
            return np.asarray([from_plain(x) for x in data], dtype=dtype).reshape(value["shape"])
        if FLOAT_TAG in value:
            return float(value[FLOAT_TAG])
        return {k: from_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_plain(v) for v in value]
    return value
