"""`vlmkit class-report`: what a whole class got wrong, by check and by course day (instructor).

    vlmkit class-report GRADES [--anonymise]

GRADES is a folder `vlmkit autograde --out` wrote (it writes this report too, at the end of every
run); see vlmkit.grading.outputs.class_report for what the report holds and where it goes.
"""

from vlmkit.grading.outputs.class_report import write_class_report


def register(subparsers):
    parser = subparsers.add_parser("class-report", help="the class's misconceptions and re-teaching plan "
                                   "from stored grades (instructor)", description=__doc__.splitlines()[0])
    parser.add_argument("grades", help="the folder `vlmkit autograde --out` wrote")
    parser.add_argument("--anonymise", "--anonymize", action="store_true",
                        help="show learners by stable pseudonyms instead of submission ids")
    parser.set_defaults(func=run)


def run(args) -> int:
    written = write_class_report(args.grades, anonymise=args.anonymise)
    print(f"class report: {written['html']}\ntidy CSV: {written['csv']}\nfigures: {written['json']} (\"#class\")")
    return 0
