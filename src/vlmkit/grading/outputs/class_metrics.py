"""The class's measured metrics: how the learners' capstone pipelines score, next to the kit's own.

    from vlmkit.grading.outputs.class_metrics import metric_distributions
    entries = metric_distributions(graded)   # graded: results.load_graded(GRADES)

A check with a `measure` (the capstone's pipeline runs on test samples: scene accuracy, VQA
accuracy overall and per question kind, detection precision and recall, grounding mIoU) stores,
with its verdict, the numbers the learner's pipeline reached and those the kit's own pipeline
reaches on the same samples. This module turns them into one distribution per metric across the
class: count, mean, quartiles, a histogram over [0, 1], and how many learners fall short of the
kit's pipeline. Part of the class report (class_report.summarise); built only from stored results.
"""

import statistics
from collections import Counter, defaultdict

BINS = 10  # histogram bins over [0, 1]: every measured metric is a share or a mean IoU
# A learner's metric this far below the kit's counts as short of it; closer is float noise
# (a re-implemented pipeline's grounding mIoU differs from the kit's in the fourth digit).
SHORT_OF_KIT = 0.01


def _distribution(values: list, reference) -> dict:
    values = sorted(values)
    quartiles = statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1 else values * 3
    histogram = Counter(min(int(max(v, 0.0) * BINS), BINS - 1) for v in values)
    return {"learners": len(values), "kit": reference, "mean": statistics.fmean(values),
            "min": values[0], "q1": quartiles[0], "median": quartiles[1], "q3": quartiles[2],
            "max": values[-1], "histogram": [histogram[i] for i in range(BINS)],
            "short_of_kit": sum(v < reference - SHORT_OF_KIT for v in values) if reference is not None else None}


def metric_distributions(graded: dict) -> list:
    """One entry per check that stored measures: its assignment, how many finished learners it
    measured, and per metric (in the check's own order) the class's distribution and the kit's value.

    A learner whose pipeline did not run (a stub, an error, a malformed output) has no measures for
    that check; a metric with nothing to measure in a learner's output (precision when it predicted
    no object) leaves that learner out of that metric only. The kit's value is the one most of the
    class was graded against: the same samples and models give every learner the same one.
    """
    found = {}
    for assignment, finished, verdict in _measured_verdicts(graded):
        entry = found.setdefault(verdict["check"], {
            "assignment": assignment, "learners": finished, "measured": 0,
            "values": defaultdict(list), "reference": defaultdict(Counter)})
        entry["measured"] += 1
        for name, value in verdict["measures"]["reached"].items():
            entry["values"][name].append(value)
        for name, value in verdict["measures"]["reference"].items():
            entry["reference"][name][value] += 1
    return [{"check": check, "assignment": e["assignment"], "learners": e["learners"], "measured": e["measured"],
             "metrics": [{"metric": name, **_distribution(e["values"][name], _most_common(e["reference"][name]))}
                         for name in _names(e) if e["values"][name]]}
            for check, e in found.items()]


def _measured_verdicts(graded: dict):
    """(assignment, how many learners finished it, verdict) for every stored verdict with measures."""
    for assignment, by_student in graded.items():
        finished = [results for results in by_student.values() if results is not None]
        for results in finished:
            for result in results.values():
                for cell in result.get("cells", []):
                    yield from ((assignment, len(finished), v) for v in cell["verdicts"] if v.get("measures"))


def _names(entry: dict) -> list:
    """The metrics in the check's own order (the kit's pipeline measures them all), then any other."""
    return list(entry["reference"]) + [name for name in entry["values"] if name not in entry["reference"]]


def _most_common(counts: Counter):
    return counts.most_common(1)[0][0] if counts else None
