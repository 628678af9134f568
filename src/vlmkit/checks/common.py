"""Probes shared by several questions."""


def call(case, function):
    """The plainest probe: call the learner's function with the case's args and kwargs."""
    return function(*case.get("args", []), **case.get("kwargs", {}))
