"""Grading is deterministic: the same notebooks graded concurrently get the same grades, every time.

Judges import heavy libraries on first use and may seed torch's global generator; with several
threads judging at once (`autograde --jobs N`) this once raced (a correct q4 answer lost a cell to
an ImportError inside transformers). Each round is a fresh process, so the first imports happen
under concurrency: three copies of the complete example graded with --jobs 4. Notebooks run on
the fast path (the race is in the judging, which the sandboxed run shares).
"""

import json
import shutil
import subprocess
import sys

import pytest

from vlmkit import paths

pytestmark = pytest.mark.slow  # copies of a class graded concurrently, in fresh processes

ROUNDS = 2
STUDENTS = ("s1", "s2", "s3")
SCRIPT = """
import json, sys
from pathlib import Path
from vlmkit.grading.workflows.autograde import autograde
from vlmkit.grading.engine.fast_path import run_forked
graded = autograde(Path(sys.argv[1]), Path(sys.argv[2]), "checkpoint", jobs=4, execute=run_forked)
print(json.dumps({student: {q: [r["score"], r["status"], r["notes"],
                                [[v["check"], v["passed"], v["message"]] for c in r["cells"] for v in c["verdicts"]]]
                            for q, r in questions.items()} for student, questions in graded.items()}))
"""


def test_concurrent_grading_gives_identical_grades_every_round(tmp_path):
    subs = tmp_path / "subs"
    for student in STUDENTS:
        shutil.copytree(paths.EXAMPLES / "complete" / "checkpoint", subs / student / "checkpoint")
    rounds = []
    for k in range(ROUNDS):
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(subs), str(tmp_path / f"out{k}")],
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]
        rounds.append(json.loads(done.stdout.strip().splitlines()[-1]))
    first = rounds[0]["s1"]
    failing = {q: (status, notes, [v for v in verdicts if not v[1]])
               for q, (score, status, notes, verdicts) in first.items() if score < 1}
    assert not failing, failing
    for graded in rounds:
        for student in STUDENTS:
            differing = {q: (graded[student][q], first[q]) for q in first if graded[student][q] != first[q]}
            assert not differing, (student, differing)
