"""Probes and helpers shared by several questions."""


def call(case, function):
    """The plainest probe: call the learner's function with the case's args and kwargs."""
    return function(*case.get("args", []), **case.get("kwargs", {}))


def call_each(case, function):
    """Call the learner's function once per entry of case["calls"] (each with args and kwargs):
    one check covers many seeded inputs, so no parameter keeps a single value."""
    return [call(c, function) for c in case["calls"]]


def as_float(x) -> float:
    """A Python float from a number, 0-dim/1-element tensor or array (detached from autograd)."""
    import torch  # here, not above: q5 and q6 check without torch, in the kernel and the grader

    return float(torch.as_tensor(x).detach())


def each_caught(probe):
    """`probe` run once per entry of case["calls"], each result recorded as {"returned": output} or,
    when the learner's code raises, {"raised": the exception's type name}: one crash on a generated
    input fails that input, not the whole run (grading/checking/generated.py names the smallest)."""

    def run(case, *functions):
        results = []
        for c in case["calls"]:
            try:
                results.append({"returned": probe(c, *functions)})
            except Exception as err:
                results.append({"raised": type(err).__name__})
        return results

    return run
