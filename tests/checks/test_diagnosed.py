"""judges.diagnosed and judges.diagnose: a diagnosis is appended to a bare failing message only.

A diagnosis must never change whether a check passes, nor hide a message that already says what is
wrong (a wrong type, shape or length); an output too far from the expected structure keeps the
plain message. diagnose matches numbers within tolerance and anything else (token strings, lists of
labels) exactly.
"""

from vlmkit.grading.checking import compare
from vlmkit.grading.checking.judges import HINT, diagnose, diagnosed, reference_arguments


def _judge(case, output):
    return compare.equal(output, case["expected"], "f")


def _explain(case, output):
    return diagnose(output, {"it adds one": [v + 1 for v in case["expected"]]})


def test_a_passing_check_stays_passing():
    assert diagnosed(_judge, _explain)({"expected": [1, 2]}, [1, 2]) is None


def test_a_bare_failure_gets_the_mistake():
    assert diagnosed(_judge, _explain)({"expected": [1, 2]}, [2, 3]) == f"f: wrong result{HINT}it adds one"


def test_a_bare_failure_no_mistake_explains_stays_as_it_was():
    assert diagnosed(_judge, _explain)({"expected": [1, 2]}, [5, 5]) == "f: wrong result"


def test_a_message_that_names_the_property_is_left_alone():
    assert diagnosed(_judge, lambda case, output: 1 / 0)({"expected": [1, 2]}, [1]) == (
        "f: wrong length, expected 2 items")


def test_an_output_the_explanation_cannot_read_keeps_the_plain_message():
    def explain(case, output):
        return HINT + output["missing"]

    assert diagnosed(_judge, explain)({"expected": [1, 2]}, [5, 5]) == "f: wrong result"


def test_diagnose_matches_strings_exactly_and_numbers_within_tolerance():
    assert diagnose("<loc_1>", {"off by one": "<loc_1>"}) == f"{HINT}off by one"
    assert diagnose("<loc_1>", {"off by one": "<loc_2>"}) == ""
    assert diagnose([0.5 + 1e-7], {"half": [0.5]}) == f"{HINT}half"
    assert diagnose([{"box": [1]}], {"boxes": [{"box": [2]}]}) == ""


def test_reference_arguments_fill_in_the_defaults():
    def reference(values, num_bins=1000):
        return values

    assert dict(reference_arguments(reference, {"args": [[0.5]]})) == {"values": [0.5], "num_bins": 1000}
    assert dict(reference_arguments(reference, {"args": [[0.5]], "kwargs": {"num_bins": 7}}))["num_bins"] == 7
