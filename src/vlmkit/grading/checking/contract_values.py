"""Values as the behavioural contracts see them, inside the learner's kernel (contracts.py).

- `digest(value)`: a hash of everything a caller could see change in a value: lists, tuples,
  dicts, strings, numbers, numpy arrays, torch tensors (requires_grad too), PIL images,
  nn.Modules (parameters, buffers, requires_grad and train/eval flags), dataclasses. Any other
  object counts by its type alone: its inner state is its own business.
- `summary(value)`: an output as plain data the grader compares with a tolerance
  (contract_judge.py): small arrays by every value, large ones by sums and a strided sample.
- `fresh_copy(value)`: a copy to replay a call with; `NotReplayable` for a value a replay must
  not share with the first call (a closure or a bound method that records what it is given)
  or that costs too much to copy (a large model).
- `transposed_layout(value)`: the same values with every array or tensor of 2+ dimensions
  non-contiguous (a transposed copy, transposed back).
- `first_of_batch(value)`: `[:1]` of every array and tensor in the value.

numpy, torch and PIL are looked up in sys.modules, never imported: a kernel that has not
imported them holds none of their values, and the learner's kernel pays nothing for them.
"""

import copy
import dataclasses
import hashlib
import sys
import types

MAX_DEPTH = 20
EXACT_ELEMENTS = 64  # an array of up to this many elements is summarised by all its values
LONG_TEXT = 200  # a longer string is summarised by its hash
# A model with more submodules is not copied for a replay: deep-copying a transformers model costs
# more than the checks that use it (q4's tiny LLaVA: a fifth of a second per copy).
MAX_COPIED_MODULES = 50


SCALARS = (type(None), bool, int, float, str)


def _flat(items) -> bool:
    """True for a list or tuple of plain scalars only: handled in one step (most case inputs are)."""
    return all(type(v) in SCALARS for v in items)


class NotReplayable(Exception):
    """A value that a replayed call must not receive (a copy would share its state)."""


def _library(name):
    return sys.modules.get(name)


def is_tensor(value) -> bool:
    torch = _library("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def is_array(value) -> bool:
    np = _library("numpy")
    return np is not None and isinstance(value, np.ndarray)


def is_module(value) -> bool:
    torch = _library("torch")
    return torch is not None and isinstance(value, torch.nn.Module)


def _is_image(value) -> bool:
    image = _library("PIL.Image")
    return image is not None and isinstance(value, image.Image)


def _is_dataclass_instance(value) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def kind_of(value) -> str:
    """What the learner would call the value: list, dict, array, tensor, model, image, ..."""
    for test, name in ((is_tensor, "tensor"), (is_array, "array"), (is_module, "model"), (_is_image, "image")):
        if test(value):
            return name
    return type(value).__name__


# ---------------------------------------------------------------- digest (inputs unchanged)

def digest(value) -> str:
    h = hashlib.blake2b(digest_size=16)
    _feed(h, value, 0)
    return h.hexdigest()


def _feed(h, value, depth):
    h.update(type(value).__qualname__.encode())
    if depth > MAX_DEPTH:
        return
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        h.update(repr(value).encode())
    elif isinstance(value, (list, tuple)):
        h.update(str(len(value)).encode())
        if _flat(value):
            h.update(repr(value).encode())
            return
        for item in value:
            _feed(h, item, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            _feed(h, key, depth + 1)
            _feed(h, item, depth + 1)
    elif isinstance(value, (set, frozenset)):
        h.update(repr(sorted(map(repr, value))).encode())
    elif is_tensor(value):
        _feed_tensor(h, value)
    elif is_array(value):
        h.update(f"{value.dtype}{value.shape}".encode())
        if value.dtype == object:
            _feed(h, value.tolist(), depth + 1)
        else:
            h.update(_library("numpy").ascontiguousarray(value).tobytes())
    elif is_module(value):
        for name, tensor in [*value.named_parameters(), *value.named_buffers()]:
            h.update(name.encode())
            _feed_tensor(h, tensor)
        h.update(bytes(m.training for m in value.modules()))
    elif _is_image(value):
        h.update(f"{value.mode}{value.size}".encode())
        h.update(value.tobytes())
    elif _is_dataclass_instance(value):
        for f in dataclasses.fields(value):
            _feed(h, getattr(value, f.name, None), depth + 1)
    elif type(value).__module__ == "numpy":  # a numpy scalar
        h.update(repr(value).encode())


def _feed_tensor(h, tensor):
    torch = _library("torch")
    h.update(f"{tensor.dtype}{tuple(tensor.shape)}{tensor.requires_grad}".encode())
    if tensor.is_meta:  # no values to read (checked first: a failed read costs more than the rest)
        h.update(b"?")
        return
    try:
        flat = tensor.detach().cpu().resolve_conj().contiguous().reshape(-1)
        h.update(flat.view(torch.uint8).numpy().tobytes())
    except (RuntimeError, TypeError, NotImplementedError):  # meta, sparse, quantized: shape only
        h.update(b"?")


# ---------------------------------------------------------------- summary (outputs compared)

def summary(value, depth=0):
    """Plain data (JSON-safe apart from NaN and infinities, which json writes and reads)."""
    if depth > MAX_DEPTH:
        return {"type": type(value).__qualname__}
    if value is None or type(value) in (bool, int, float):
        return value
    if isinstance(value, str):
        return value if len(value) <= LONG_TEXT else {"text": digest(value)}
    if isinstance(value, (list, tuple)):
        if _flat(value) and all(type(v) is not str or len(v) <= LONG_TEXT for v in value):
            return {"seq": list(value)}
        return {"seq": [summary(v, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[summary(k, depth + 1), summary(v, depth + 1)] for k, v in value.items()]}
    if is_tensor(value):
        return _numbers(_tensor_as_numpy(value))
    if is_array(value):
        return _numbers(value)
    if is_module(value):
        return {"module": [[name, _numbers(_tensor_as_numpy(t))]
                           for name, t in [*value.named_parameters(), *value.named_buffers()]]}
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return summary(value.item(), depth + 1)
    if _is_dataclass_instance(value):
        return {"fields": [[f.name, summary(getattr(value, f.name, None), depth + 1)]
                           for f in dataclasses.fields(value)]}
    return {"type": type(value).__qualname__, "digest": digest(value)}


def _tensor_as_numpy(tensor):
    torch = _library("torch")
    tensor = tensor.detach().cpu()
    if tensor.device.type == "meta" or tensor.is_sparse:
        return _library("numpy").zeros(tuple(tensor.shape))
    if tensor.dtype in (torch.bfloat16, torch.float16):
        tensor = tensor.float()
    return tensor.resolve_conj().numpy()


def _numbers(array):
    np = _library("numpy")
    head = {"shape": list(array.shape), "dtype": array.dtype.kind}
    if array.dtype.kind not in "biuf":
        return {**head, "digest": digest(array)}
    flat = array.astype(np.float64).reshape(-1)
    if flat.size <= EXACT_ELEMENTS:
        return {**head, "values": flat.tolist()}
    weights = np.sin(np.arange(flat.size) * 0.7 + 0.3)
    step = flat.size // EXACT_ELEMENTS
    return {**head, "stats": [float(flat.sum()), float(np.abs(flat).sum()), float((flat * flat).sum()),
                              float((flat * weights).sum())],
            "values": flat[::step][:EXACT_ELEMENTS].tolist()}


# ---------------------------------------------------------------- copies for replays

def fresh_copy(value, depth=0):
    if depth > MAX_DEPTH:
        raise NotReplayable("nested too deeply")
    if isinstance(value, types.FunctionType):
        if value.__closure__:  # may record what it is given (the probes' stand-ins do)
            raise NotReplayable("a closure")
        return value
    if isinstance(value, (types.MethodType, types.BuiltinMethodType)) and getattr(value, "__self__", None) is not None \
            and not isinstance(value.__self__, types.ModuleType):
        raise NotReplayable("a bound method")
    if type(value) in (list, tuple):
        return type(value)(value if _flat(value) else (fresh_copy(v, depth + 1) for v in value))
    if type(value) is dict:
        return {k: fresh_copy(v, depth + 1) for k, v in value.items()}
    if is_tensor(value):
        copied = value.detach().clone()
        return copied.requires_grad_() if value.requires_grad else copied
    if is_module(value) and sum(1 for _ in value.modules()) > MAX_COPIED_MODULES:
        raise NotReplayable("a large model")
    try:
        return copy.deepcopy(value)
    except Exception as err:  # anything a deep copy cannot take (non-leaf tensors inside, locks)
        raise NotReplayable(type(err).__name__) from None


def _map_arrays(value, change, depth=0):
    """value with change(x) for every array and tensor in its lists, tuples and dicts."""
    if depth > MAX_DEPTH:
        return value
    if type(value) in (list, tuple):
        return type(value)(_map_arrays(v, change, depth + 1) for v in value)
    if type(value) is dict:
        return {k: _map_arrays(v, change, depth + 1) for k, v in value.items()}
    if is_tensor(value) or is_array(value):
        return change(value)
    return value


def arrays_in(value, depth=0) -> list:
    """Every array and tensor in value's lists, tuples and dicts."""
    if depth > MAX_DEPTH:
        return []
    if type(value) in (list, tuple):
        return [] if _flat(value) else [x for v in value for x in arrays_in(v, depth + 1)]
    if type(value) is dict:
        return [x for v in value.values() for x in arrays_in(v, depth + 1)]
    return [value] if is_tensor(value) or is_array(value) else []


def has_matrix(value) -> bool:
    """True when value holds an array or tensor of 2+ dimensions whose last two have size > 1."""
    return any(x.ndim >= 2 and x.shape[-1] > 1 and x.shape[-2] > 1 for x in arrays_in(value))


def _transposed(x):
    if x.ndim < 2:
        return x
    if is_array(x):
        return _library("numpy").asfortranarray(x)
    moved = x.detach().mT.contiguous().mT
    return moved.requires_grad_() if x.requires_grad else moved


def transposed_layout(value):
    return _map_arrays(value, _transposed)


def first_of_batch(value):
    return _map_arrays(value, lambda x: x[:1] if x.ndim >= 1 else x)
