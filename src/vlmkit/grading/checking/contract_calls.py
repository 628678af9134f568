"""One watched callable (`Target`) and one watched call of it (`Call`), for contracts.py.

A Target is what the learner wrote: a function, a class's construction, a class's calls (an
nn.Module's forward), an instance's method; it binds arguments to its parameter names. A Call
holds what the contracts need of one call: the arguments' digests before (and, asked later,
after) it, the parameters it set away from their defaults, and, for a call kept for replaying,
fresh copies of its arguments, the random generators' states, the grad mode and its answer.
Runs in the learner's kernel; stdlib only at import.
"""

import contextlib
import inspect
import io
import random
import sys

from vlmkit.grading.checking import contract_values as values


class Target:
    def __init__(self, key, name, display, owner, signature, perform):
        # owner: id() of the object handed to check(...) that this callable belongs to
        self.key, self.name, self.display, self.owner = key, name, display, owner
        self.signature = signature  # None where inspect cannot read one
        self.defaults = {} if signature is None else {
            p.name: p.default for p in signature.parameters.values() if p.default is not inspect.Parameter.empty}
        self.perform = perform  # perform(self_object) -> the unwatched callable, for replays

    @classmethod
    def function(cls, function):
        name = getattr(function, "__name__", type(function).__name__)
        return cls((id(function), "call"), name, name, id(function), _signature(function), lambda _: function)

    @classmethod
    def build(cls, klass):
        return cls((id(klass), "build"), klass.__name__, f"{klass.__name__}(...)", id(klass),
                   _signature(klass), lambda _: klass)

    @classmethod
    def calls(cls, klass):
        torch = sys.modules.get("torch")
        method = klass.forward if torch and issubclass(klass, torch.nn.Module) else klass.__call__
        what = "forward" if method is not klass.__call__ else "__call__"
        return cls((id(klass), "calls"), f"{klass.__name__}.{what}", f"{klass.__name__}'s {what}", id(klass),
                   _without_self(method), lambda self: (lambda *a, **k: klass.__call__(self, *a, **k)))

    @classmethod
    def method(cls, instance, name, function):
        klass = type(instance)
        return cls((id(klass), name), f"{klass.__name__}.{name}", f"{klass.__name__}.{name}", id(instance),
                   _without_self(function), lambda self: (lambda *a, **k: function(self, *a, **k)))

    def bind(self, args, kwargs):
        """{parameter name: value} for this call (defaults not filled), or None if it does not bind."""
        try:
            return dict(self.signature.bind(*args, **kwargs).arguments) if self.signature else None
        except TypeError:
            return None

    def unbind(self, arguments):
        bound = inspect.BoundArguments(self.signature, arguments)
        return bound.args, bound.kwargs


def _signature(callable_):
    try:
        return inspect.signature(callable_)
    except (TypeError, ValueError):
        return None


def _without_self(function):
    signature = _signature(function)
    if signature is None or not signature.parameters:
        return None
    return signature.replace(parameters=list(signature.parameters.values())[1:])


def _same(value, default) -> bool:
    if value is default:
        return True
    try:
        return type(value) is type(default) and bool(value == default) is True
    except Exception:  # arrays and the like: == is not one answer, so the value is not the default
        return False


class Call:
    def __init__(self, target, check, self_object, args, kwargs):
        self.target, self.check, self.self_object = target, check, self_object
        self.args, self.kwargs = args, kwargs
        bound = target.bind(args, kwargs)
        self.named = bound if bound is not None else {
            **{f"#{i + 1}": a for i, a in enumerate(args)}, **kwargs}
        self.before = {name: values.digest(v) for name, v in self.named.items()}
        self.inputs = values.digest(sorted(self.before.items()))
        self.defaulted = set(target.defaults) if bound is not None else set()
        self.off_default = {name for name in self.defaulted
                            if name in self.named and not _same(self.named[name], target.defaults[name])}
        self.kept = self.answered = False
        self.copies = self.randomness = self.self_digest = self.output = None
        self.layout, self.batch = False, ()

    @classmethod
    def start(cls, target, self_object, args, kwargs, keep, check):
        call = cls(target, check, self_object, args, kwargs)
        if keep:
            call.kept = True
            try:
                call.copies = values.fresh_copy((list(args), dict(kwargs)))
            except values.NotReplayable:
                call.copies = None
            call.randomness = _modes()
            call.self_digest = values.digest(self_object)
        return call

    def changed_arguments(self) -> list:
        return [{"callable": self.target.display, "argument": name.lstrip("#"),
                 "kind": values.kind_of(self.named[name])}
                for name, before in self.before.items() if values.digest(self.named[name]) != before]

    def unchanged_self(self) -> bool:
        return self.self_object is None or values.digest(self.self_object) == self.self_digest

    def replay(self, notebook, transform=None):
        """(summary of the answer, None) or (None, the exception's name); None if not replayable."""
        if self.copies is None:
            return None
        args, kwargs = values.fresh_copy(self.copies)
        if transform is not None:
            args, kwargs = transform(args, kwargs)
        now = _modes()
        buffers = _buffers(self.self_object)
        notebook.replaying = True
        try:
            _set_modes(self.randomness)
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                    _grad_modes(self.randomness):
                return values.summary(self.target.perform(self.self_object)(*args, **kwargs)), None
        except Exception as err:  # the learner's code failing on the replay is the evidence
            return None, type(err).__name__
        finally:
            notebook.replaying = False
            _set_modes(now)
            _restore(buffers)


def _modes():
    """The global random generators (random, numpy's, torch's) and torch's grad modes."""
    np, torch = sys.modules.get("numpy"), sys.modules.get("torch")
    # The bit generator's own state: a third cheaper to read and write than get_state()'s tuple.
    return {"random": random.getstate(), "numpy": np.random.mtrand._rand._bit_generator.state if np else None,
            "torch": torch.get_rng_state() if torch else None,
            "grad": torch.is_grad_enabled() if torch else None,
            "inference": torch.is_inference_mode_enabled() if torch else None}


def _set_modes(modes):
    random.setstate(modes["random"])
    if modes["numpy"] is not None:
        sys.modules["numpy"].random.mtrand._rand._bit_generator.state = modes["numpy"]
    if modes["torch"] is not None:
        sys.modules["torch"].set_rng_state(modes["torch"])


def _grad_modes(modes):
    torch = sys.modules.get("torch")
    if torch is None or modes["grad"] is None:
        return contextlib.nullcontext()
    stack = contextlib.ExitStack()
    stack.enter_context(torch.set_grad_enabled(modes["grad"]))
    if modes["inference"]:
        stack.enter_context(torch.inference_mode())
    return stack


def _buffers(self_object):
    """A module's buffers and copies of them: a replay in training mode may update running stats."""
    if not values.is_module(self_object):
        return []
    return [(b, b.detach().clone()) for b in self_object.buffers()]


def _restore(buffers):
    torch = sys.modules.get("torch")
    if buffers:
        with torch.no_grad():
            for buffer, saved in buffers:
                buffer.copy_(saved)
