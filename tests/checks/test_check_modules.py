"""The shape of each question's check module (src/vlmkit/checks/qN.py, capstone.py).

Every one reads the same way: probes (run in the learner's kernel) · judges and references (run
in the grader's process) · visible cases, under the same three headers. A judge that only hidden
checks use lives next to them in autograder/hidden/, so that it does not ship to learners.

Run: pytest tests/checks/test_check_modules.py
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ROOT / "src" / "vlmkit" / "checks"
HIDDEN = ROOT / "autograder" / "hidden"
QUESTIONS = ["q1", "q2", "q3", "q4", "q5", "q6", "capstone"]
RULE = "# " + "-" * 64 + " "
SECTIONS = ["probes (learner's kernel)", "judges and references (grader's process)", "visible cases"]


def section_problems(source: str) -> list[str]:
    """What keeps `source` from the three sections in order, PROBES in the first, CHECKS in the last."""
    lines = source.splitlines()
    headers = [(i, line[len(RULE):]) for i, line in enumerate(lines, 1) if line.startswith(RULE)]
    if [title for _, title in headers] != SECTIONS:
        return [f"section headers {[title for _, title in headers]}, expected {SECTIONS}"]
    starts = [i for i, _ in headers]
    assigned = {target.id: node.lineno for node in ast.parse(source).body if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}
    problems = []
    if not starts[0] < assigned.get("PROBES", 0) < starts[1]:
        problems.append("PROBES is not in the probes section")
    if not starts[2] < assigned.get("CHECKS", 0):
        problems.append("CHECKS is not in the visible cases section")
    return problems


def judges_defined(source: str) -> list[str]:
    """Top-level functions and the judges built by a call or a lambda (`back_to_input = diagnosed(...)`)."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign) and isinstance(node.value, (ast.Call, ast.Lambda)):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def used_only_hidden(name: str, own: str, kit: list[str], hidden: list[str]) -> bool:
    """True when `name`, defined in `own`, is used by hidden checks and by nothing else of the kit."""
    word = re.compile(rf"\b{re.escape(name)}\b")
    in_own = len(word.findall(own)) > 1  # more than its definition
    return not in_own and not any(word.search(text) for text in kit) and any(word.search(text) for text in hidden)


@pytest.mark.parametrize("question", QUESTIONS)
def test_each_check_module_has_the_three_sections_in_order(question):
    assert section_problems((CHECKS / f"{question}.py").read_text()) == []


def test_judges_only_hidden_checks_use_live_next_to_them():
    kit = {path: path.read_text() for path in sorted((ROOT / "src" / "vlmkit").rglob("*.py"))}
    hidden = [path.read_text() for path in sorted(HIDDEN.glob("*.py"))]
    misplaced = [f"{path.name}: {name}" for path in sorted(CHECKS.glob("*.py"))
                 for name in judges_defined(kit[path])
                 if used_only_hidden(name, kit[path], [t for p, t in kit.items() if p != path], hidden)]
    assert misplaced == [], "move these next to the hidden checks that use them (autograder/hidden/)"


def test_the_checkers_catch_a_misplaced_section_and_judge():
    body = "PROBES = {}\n\ndef judge(case, output):\n    return None\n\nCHECKS = []\n"
    shuffled = RULE + SECTIONS[1] + "\n" + RULE + SECTIONS[0] + "\n" + body + RULE + SECTIONS[2] + "\n"
    assert section_problems(shuffled) != []
    ordered = (RULE + SECTIONS[0] + "\nPROBES = {}\n" + RULE + SECTIONS[1] + "\n"
               + RULE + SECTIONS[2] + "\nCHECKS = []\n")
    assert section_problems(ordered) == []
    assert section_problems(ordered.replace("PROBES = {}\n", "") + "PROBES = {}\n") == [
        "PROBES is not in the probes section"]
    assert judges_defined(body) == ["judge"]
    assert used_only_hidden("judge", body, kit=["x = 1"], hidden=["from m import judge"])
    assert not used_only_hidden("judge", body, kit=["judge(case, output)"], hidden=["from m import judge"])
