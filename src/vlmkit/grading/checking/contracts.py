"""Behavioural contracts on every learner function a check calls, watched inside the kernel.

    watch = contracts.CheckWatch(batchwise, replayed_once)  # learner_api._run_probe, once per check
    result = probe(case, *watch.wrap(subjects))
    record["contracts"] = watch.facts()

`wrap` hands the probe watched stand-ins: a function becomes a proxy that forwards its
attributes (`__globals__`, `__name__`, its signature); a class becomes a subclass of itself
whose construction and calls are watched (isinstance, issubclass and parameter names keep
working); an instance (the capstone's `pipeline`) becomes a view of the same object, sharing its
attributes, whose public methods are watched. For every watched call it records, as plain data:
- an argument that the call changed (contract_values.digest before and after);
- the parameters bound away from their default (the kit's tests want each one exercised);
- replays, each with the first answer and the replayed one (contract_values.summary): the
  callable's first call in the notebook replayed once per check, after a call on another input
  in its own check, after the first call in each later check (state kept between calls; only the
  first of these for the functions a question declares too costly to call again and again,
  `REPLAYED_ONCE` in checks/<q>.py); once per
  callable, a call with 2-D arrays or tensors replayed on non-contiguous copies (layouts); and,
  for the functions a question declares batch-wise (`BATCHWISE` in checks/<q>.py: name ->
  positions of the batched arguments), once, a call replayed on the first item of its batch.
A replay restores the global random generators of the first call, then the notebook's own.
The grader judges these facts (contract_judge.py); nothing here decides a verdict. Stdlib only
at import; the learner's libraries are used only when their values are met.
"""

import functools
import inspect
import types

from vlmkit.grading.checking import contract_values as values
from vlmkit.grading.checking.contract_calls import Call, Target


class _Notebook:
    """What the kernel keeps from check to check: stand-ins, first calls, replays done."""

    def __init__(self):
        self.check = None  # the CheckWatch running now, None between checks
        self.replaying = False
        self.stand_ins = {}  # id(learner object) -> (the object, kept alive; its stand-in)
        self.first_calls = {}  # target key -> Call kept from its first check
        self.once_done = set()  # (target key, "layout" | "batch" | "state")


NOTEBOOK = _Notebook()


def watched_call(target, perform, self_object, args, kwargs):
    """Run one call of a stand-in: watched while a check runs, as it is otherwise."""
    check = NOTEBOOK.check
    if check is None or NOTEBOOK.replaying:
        return perform(*args, **kwargs)
    return check.call(target, perform, self_object, args, kwargs)


class WatchedFunction:
    """A learner function as the probe sees it: called through the watch, otherwise the same."""

    def __init__(self, target, function):
        functools.update_wrapper(self, function)
        self._target, self._function = target, function

    def __call__(self, *args, **kwargs):
        return watched_call(self._target, self._function, None, args, kwargs)

    def __getattr__(self, name):
        return getattr(self._function, name)


def _public_methods(cls) -> dict:
    return {name: member for name in dir(cls) if not name.startswith("_")
            and isinstance(member := inspect.getattr_static(cls, name), types.FunctionType)}


def _method(target, function):
    def method(self, *args, **kwargs):
        return watched_call(target, functools.partial(function, self), self, args, kwargs)
    return functools.update_wrapper(method, function)


def _watched_class(cls):
    """A subclass of cls whose construction and calls go through the watch."""
    meta = type(cls)
    build = Target.build(cls)

    def construct(sub, *args, **kwargs):
        return watched_call(build, functools.partial(meta.__call__, sub), None, args, kwargs)

    namespace = {"__module__": cls.__module__, "__qualname__": cls.__qualname__, "__doc__": cls.__doc__}
    if any("__call__" in vars(k) for k in cls.__mro__):
        call = Target.calls(cls)
        namespace["__call__"] = lambda self, *a, **k: watched_call(
            call, functools.partial(cls.__call__, self), self, a, k)
    # On the metaclass, so that inspect.signature(stand-in) reads the constructor's parameters
    # while an instance's own signature stays its __call__'s.
    signature = property(lambda sub: inspect.signature(cls))
    watching_meta = type("Watched" + meta.__name__, (meta,), {"__call__": construct, "__signature__": signature})
    return watching_meta(cls.__name__, (cls,), namespace)


def _watched_instance(obj):
    """A view of obj (the same attributes, a subclass of its class) whose public methods are watched."""
    cls = type(obj)
    methods = _public_methods(cls)
    if not methods or not hasattr(obj, "__dict__") or cls.__new__ is not object.__new__:
        return None
    namespace = {name: _method(Target.method(obj, name, function), function)
                 for name, function in methods.items()}
    namespace.update(__module__=cls.__module__, __qualname__=cls.__qualname__, __doc__=cls.__doc__)
    view = object.__new__(type(cls)(cls.__name__, (cls,), namespace))
    view.__dict__ = obj.__dict__
    return view


def _stand_in(subject):
    known = NOTEBOOK.stand_ins.get(id(subject))
    if known is not None and known[0] is subject:
        return known[1]
    try:
        if isinstance(subject, type):
            stand_in = _watched_class(subject)
        elif isinstance(subject, (types.FunctionType, types.BuiltinFunctionType, functools.partial)):
            stand_in = WatchedFunction(Target.function(subject), subject)
        else:
            stand_in = _watched_instance(subject)
    except Exception:  # a class the kit cannot subclass: unwatched (the coverage test says so)
        stand_in = None
    NOTEBOOK.stand_ins[id(subject)] = (subject, stand_in)
    return stand_in


class CheckWatch:
    """The watch over one check's probe: the stand-ins it hands out and the facts it gathers."""

    def __init__(self, batchwise=None, replayed_once=()):
        self.batchwise = dict(batchwise or {})
        self.replayed_once = set(replayed_once)  # names of callables replayed for state only once
        self.subjects = []  # per subject: {"watched": kind or None, "calls": n}
        self.positions = {}  # id(subject) -> its position among the check's subjects
        self.changed, self.off_default, self.defaults, self.replays = [], {}, {}, []
        self.replayed = set()  # target keys replayed for state in this check
        self.broken = ""

    def wrap(self, subjects):
        NOTEBOOK.check = self
        wrapped = []
        for position, subject in enumerate(subjects):
            stand_in = _stand_in(subject)
            self.positions.setdefault(id(subject), position)
            kind = None if stand_in is None else "class" if isinstance(subject, type) else \
                "function" if isinstance(stand_in, WatchedFunction) else "instance"
            self.subjects.append({"watched": kind, "calls": 0})
            wrapped.append(subject if stand_in is None else stand_in)
        return wrapped

    def facts(self) -> dict:
        NOTEBOOK.check = None
        return {"subjects": self.subjects, "changed": self.changed, "replays": self.replays,
                "parameters": [{"callable": name, "defaults": sorted(self.defaults[name]),
                                "off_default": sorted(self.off_default[name])} for name in self.defaults],
                **({"broken": self.broken} if self.broken else {})}

    def call(self, target, perform, self_object, args, kwargs):
        try:
            call = self._before(target, self_object, args, kwargs)
        except Exception as err:  # the kit's own bookkeeping must never fail the learner's call
            self.broken = f"{type(err).__name__}: {err}"[:200]
            return perform(*args, **kwargs)
        output = perform(*args, **kwargs)
        try:
            self._after(call, output)
        except Exception as err:
            self.broken = f"{type(err).__name__}: {err}"[:200]
        return output

    def _before(self, target, self_object, args, kwargs):
        if target.owner in self.positions:  # else an object this check did not hand out
            self.subjects[self.positions[target.owner]]["calls"] += 1
        first_ever = target.key not in NOTEBOOK.first_calls
        layout = (target.key, "layout") not in NOTEBOOK.once_done and values.has_matrix((args, kwargs))
        batch = self._batch_candidate(target, args, kwargs)
        call = Call.start(target, self_object, args, kwargs,
                          keep=first_ever or layout or bool(batch), check=self)
        call.layout, call.batch = layout, batch
        if first_ever:
            NOTEBOOK.first_calls[target.key] = call
        return call

    def _batch_candidate(self, target, args, kwargs):
        """The batched arguments' names when this call can be replayed on a batch of one: the
        question declares their positions in the spec's signature, each holds a batch of 2+
        dimensions, all of one size > 1."""
        positions = self.batchwise.get(target.name)
        if not positions or (target.key, "batch") in NOTEBOOK.once_done or target.signature is None:
            return ()
        bound, parameters = target.bind(args, kwargs) or {}, list(target.signature.parameters)
        names = [parameters[i] for i in positions if i < len(parameters)]
        batched = [bound.get(n) for n in names]
        sizes = {len(x) if (values.is_tensor(x) or values.is_array(x)) and x.ndim >= 2 else None for x in batched}
        return tuple(names) if len(sizes) == 1 and None not in sizes and sizes.pop() > 1 else ()

    def _after(self, call, output):
        target = call.target
        self.changed += [c for c in call.changed_arguments() if c not in self.changed]
        self.defaults.setdefault(target.name, set()).update(call.defaulted)
        self.off_default.setdefault(target.name, set()).update(call.off_default)
        if call.kept:
            call.output, call.answered = values.summary(output), True
        if call.layout:
            NOTEBOOK.once_done.add((target.key, "layout"))
            matrices = [x for x in values.arrays_in((call.args, call.kwargs)) if x.ndim >= 2]
            self._record("layout", call, call.output, call.replay(NOTEBOOK, _transposed),
                         kind=values.kind_of(matrices[0]))
        if call.batch:
            NOTEBOOK.once_done.add((target.key, "batch"))
            one = functools.partial(_first_of_named, names=call.batch, target=target)
            self._record("batch", call, values.summary(values.first_of_batch(output)), call.replay(NOTEBOOK, one))
        self._replay_for_state(call)

    def _replay_for_state(self, call):
        """At most one replay per callable per check: its first call in the notebook, replayed
        after another input (in its own check) or after this check's first call (later checks)."""
        key = call.target.key
        earlier = NOTEBOOK.first_calls[key]
        if key in self.replayed or (earlier.check is self and call.inputs == earlier.inputs):
            return
        if call.target.name in self.replayed_once:
            if (key, "state") in NOTEBOOK.once_done:
                return
            NOTEBOOK.once_done.add((key, "state"))
        self.replayed.add(key)
        self._replay_kept(earlier)

    def _replay_kept(self, kept):
        if kept.answered and kept.unchanged_self():
            self._record("state", kept, kept.output, kept.replay(NOTEBOOK))

    def _record(self, contract, call, first, again, **more):
        if again is None:  # not replayable (a closure among the arguments)
            return
        output, raised = again
        self.replays.append({"contract": contract, "callable": call.target.display,
                             "first": first, "again": output, "raised": raised, **more})


def _transposed(args, kwargs):
    return values.transposed_layout(args), values.transposed_layout(kwargs)


def _first_of_named(args, kwargs, names, target):
    """args and kwargs with the named (batched) arguments cut to their first item."""
    bound = target.bind(args, kwargs)
    for name in names:
        bound[name] = values.first_of_batch(bound[name])
    return target.unbind(bound)
