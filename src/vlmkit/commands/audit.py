"""`vlmkit audit`: mutation-test the autograder on the solutions (maintainer).

    vlmkit audit                       # every question, every mutant
    vlmkit audit q5 q6 --jobs 2        # some questions
    vlmkit audit --sample 20 --seed 0  # 20 seeded mutants per question
    vlmkit audit q3 --kind semantic    # only the semantic mutants (classes of bugs)

Exit status 1 when a mutant survives that autograder/equivalent_mutants/ does not list.
"""

import json
import sys
import time
from pathlib import Path

from vlmkit.commands.defaults import default_of
from vlmkit.course import load_course
from vlmkit.grading.authoring.audit import KINDS, audit, format_report


def register(subparsers):
    parser = subparsers.add_parser("audit", help="mutation-test the autograder on the solutions (maintainer)")
    parser.add_argument("questions", nargs="*", help="question ids (default: all)")
    parser.add_argument("--sample", type=int, help="grade this many seeded mutants per question")
    parser.add_argument("--seed", type=int, default=default_of(audit, "seed"), help="seed for --sample")
    parser.add_argument("--jobs", type=int, default=default_of(audit, "jobs"), help="mutants graded at once")
    parser.add_argument("--match", metavar="TEXT", help="only mutants whose id contains TEXT (e.g. a cell)")
    parser.add_argument("--kind", choices=list(KINDS), help="only mutants of this kind (default: every kind)")
    parser.add_argument("--json", metavar="FILE", help="write every mutant's outcome to FILE")
    parser.set_defaults(func=run)


def run(args) -> int:
    course = load_course()
    questions = args.questions or [q.id for a in course.values() for q in a.questions]
    start = time.monotonic()

    def progress(done, total, outcome):
        if sys.stderr.isatty():
            print(f"\r{done}/{total} mutants graded", end="", file=sys.stderr, flush=True)

    kinds = [args.kind] if args.kind else default_of(audit, "kinds")
    report = audit(questions, args.sample, args.seed, args.jobs, progress, args.match, kinds)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    print(format_report(report, time.monotonic() - start))
    return 1 if any(r["gaps"] for r in report.values()) else 0
