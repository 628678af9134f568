"""`vlmkit demo` (what `make demo` runs): the kit's main job on its bundled defaults.

Autogrades the three example submissions in autograder/examples/ (complete, blank, mistakes) for
every assignment (the checkpoint and the capstone), prints their score tables, scores the
mistakes learner's written answers as an instructor would and says where every learner's written
answers stand (grading.demo_written), and says where the CSV, JSON and feedback went; then
evaluates the kit's pipeline on the bundled test set and says where its report went.
"""

from pathlib import Path

from vlmkit import paths
from vlmkit.course import load_course
from vlmkit.evaluation.report import run_eval
from vlmkit.grading.authoring.demo_written import GRADED_BY_DEMO, grade_written_examples
from vlmkit.grading.outputs.class_report import HTML_NAME
from vlmkit.grading.workflows.autograde import assignments_present, autograde, print_summary


def run(args) -> int:
    out = Path(args.out)
    course = load_course()
    print(f"Autograding the example submissions in {paths.EXAMPLES} ...")
    graded = {a: autograde(paths.EXAMPLES, out / "grading", a, jobs=args.jobs)
              for a in assignments_present(paths.EXAMPLES, course)}
    print_summary(course, graded, heading="example submission: ")
    print("\n" + grade_written_examples(out / "grading"))
    print(f"\ngrades.csv:  {out / 'grading' / 'grades.csv'}")
    print(f"report.json: {out / 'grading' / 'report.json'}")
    print(f"feedback:    {out / 'grading' / 'feedback'}/<student>/<assignment>/*.html")
    print(f"class:       {out / 'grading' / HTML_NAME}")
    print(f"formgrader:  vlmkit formgrader {out / 'grading'}  (grade the written answers; the "
          f"{GRADED_BY_DEMO} learner's are done)")
    print("\nEvaluating the kit's pipeline on the bundled capstone test set ...")
    run_eval(out=out / "eval")
    return 0


def register(subparsers):
    parser = subparsers.add_parser("demo", help="grade the bundled example submissions")
    parser.add_argument("--out", default="out/demo", help="where the results go")
    parser.add_argument("--jobs", type=int, default=2,
                        help="notebooks graded at once (default: %(default)s, one per core)")
    parser.set_defaults(func=run)
