"""Class report render time for a large synthetic class (no notebook runs).

    python benchmarks/bench_class_report.py [--students 10000]

Stores results for every student as `vlmkit autograde` does (checkpoint and capstone; a mix of
solutions, blanks, the wrong answers of autograder/wrong_answers, timeouts and missing
notebooks: tests/synthetic_class.py), then prints the seconds `vlmkit class-report` takes in
all (wall clock and CPU: on a busy machine the two differ) and per phase: reading the results,
the class figures, the page with its figures, the CSV.
"""

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from synthetic_class import COURSE, question_result, wrong  # noqa: E402

from vlmkit.grading.authoring.answer_banks import wrong_answers  # noqa: E402
from vlmkit.grading.nbgrader_io.gradebook import written_cell_counts
from vlmkit.grading.outputs.class_report import (  # noqa: E402
    summarise,
    tidy_csv,
    write_class_report,
)
from vlmkit.grading.outputs.class_report_page import render_page  # noqa: E402
from vlmkit.grading.outputs.results import load_graded  # noqa: E402

OUTCOMES = ["solution"] * 6 + ["blank", "timeout", "missing"]


def question_outcomes(question: str) -> list:
    """Every outcome a question can have here: its wrong answers' lost cells besides the plain ones."""
    return OUTCOMES + [wrong(question, k) for k in range(len(wrong_answers(question)))]


def store_class(grades: Path, students: int, seed: int = 0) -> None:
    """One results file per student and assignment; each question's outcome drawn at random."""
    rng = random.Random(seed)
    results = {q.id: [question_result(q.id, o) for o in question_outcomes(q.id)]
               for a in COURSE.values() for q in a.questions}
    for name, assignment in COURSE.items():
        (grades / "results" / name).mkdir(parents=True)
        for i in range(students):
            student = f"student{i:05d}"
            record = {"student": student, "assignment": name, "status": "complete",
                      "questions": {q.id: rng.choice(results[q.id]) for q in assignment.questions}}
            (grades / "results" / name / f"{student}.json").write_text(json.dumps(record, indent=1))


def timed(fn, *args):
    start = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        grades = Path(tmp)
        _, stored = timed(store_class, grades, args.students)
        print(f"stored results for {args.students} students in {stored:.1f} s "
              f"({sum(p.stat().st_size for p in grades.rglob('*.json')) / 1e6:.0f} MB)")
        cpu = time.process_time()
        _, total = timed(write_class_report, grades)
        cpu = time.process_time() - cpu
        graded, load_s = timed(load_graded, grades)
        figures, figures_s = timed(summarise, COURSE, graded, written_cell_counts(grades / "gradebook.db"))
        _, page_s = timed(render_page, figures, [], False)
        names = {s: s for by_student in graded.values() for s in by_student}
        csv_text, csv_s = timed(tidy_csv, COURSE, graded, names)
        print(f"class report for {args.students} students: {total:.1f} s in all, {cpu:.1f} s of CPU "
              f"(read results {load_s:.1f} s, class figures {figures_s:.1f} s, page {page_s:.1f} s, "
              f"tidy CSV {csv_s:.1f} s: {csv_text.count(chr(10)) - 1} rows)")
        print(f"class_report.html: {(grades / 'class_report.html').stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
