"""`vlmkit collect`: gather learners' submission.zip files into nbgrader's submitted layout (instructor).

    vlmkit collect --from FOLDER_OR_ZIP --out SUBMISSIONS [--map CSV]
    vlmkit collect --hub DIR [--student ID]

--hub: nbgrader's collect from the course hub's exchange into DIR/course/submitted/ (the newest
complete submission of each learner, its timestamp kept), late ones flagged against the due
dates of `vlmkit hub --due`, the list in DIR/course/collected.csv; then `vlmkit autograde --hub DIR`.

FOLDER_OR_ZIP: a folder of learners' zips, one learner's zip, or an LMS "download all" zip of
them (Canvas, Moodle). SUBMISSIONS receives <student>/<assignment>/*.ipynb and timestamp.txt, for
`vlmkit autograde SUBMISSIONS --out DIR`; see vlmkit.grading.workflows.collect. Prints a line per
student and assignment collected and per item skipped, then a summary.
"""

import argparse
import inspect
from pathlib import Path

from vlmkit.commands.defaults import default_of
from vlmkit.errors import KitError
from vlmkit.grading.workflows.collect import collect_zips, learner_id
from vlmkit.hub.exchange import collect
from vlmkit.hub.layout import HubLayout


def register(subparsers):
    parser = subparsers.add_parser(
        "collect", help="gather learners' submission.zip files (an LMS download) into SUBMISSIONS (instructor)",
        description=__doc__.split("\n\n", 1)[1], epilog=inspect.getdoc(learner_id).split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    origin = parser.add_mutually_exclusive_group(required=True)  # where submissions come from: one of them
    origin.add_argument("--from", dest="source", metavar="FOLDER_OR_ZIP",
                        help="a folder of learners' zips, one learner's zip, or an LMS zip of them")
    origin.add_argument("--hub", metavar="DIR", help="the course hub folder: collect from its exchange")
    parser.add_argument("--out", metavar="SUBMISSIONS",
                        help="with --from: the submissions folder, <student>/<assignment>/*.ipynb")
    parser.add_argument("--student", help="with --hub: only this learner")
    parser.add_argument("--map", metavar="CSV", default=default_of(collect_zips, "mapping"),
                        help="learner ids by file: a CSV with the columns file,student")
    parser.set_defaults(func=run)


def run(args) -> int:
    if args.hub:
        return _from_hub(HubLayout.open(Path(args.hub)), args.student)
    if not args.out:
        raise KitError("--from needs --out SUBMISSIONS (the folder to collect into)")
    out = Path(args.out)
    report = collect_zips(Path(args.source), out, Path(args.map) if args.map else None)
    for c in report.collected:
        print(f"collected {c.student}/{c.assignment}: {_count(len(c.notebooks), 'notebook')} from {c.source}")
    for s in report.skipped:
        print(f"skipped {s.item}: {s.reason}")
    students = {c.student for c in report.collected}
    print(f"collected {_count(len(report.collected), 'assignment folder')} of {_count(len(students), 'student')} "
          f"into {out}; skipped {_count(len(report.skipped), 'item')}")
    if report.collected:
        print(f"next: vlmkit autograde {out} --out grades")
    return 0


def _from_hub(layout: HubLayout, student) -> int:
    report = collect(layout, student)
    for c in report.collected:
        late = f"  LATE by {c.late_by_s / 3600:.1f} h" if c.late_by_s else ""
        print(f"collected {c.student}/{c.assignment}: submitted {c.timestamp:%Y-%m-%d %H:%M:%S} UTC{late}")
    for line in report.skipped:
        print(f"skipped {line}")
    late = sum(1 for c in report.collected if c.late_by_s)
    print(f"{_count(len(report.collected), 'submission')} in {layout.course / 'submitted'} ({late} late; "
          f"list: {layout.course / 'collected.csv'}); skipped {_count(len(report.skipped), 'item')}")
    if report.collected:
        print(f"next: vlmkit autograde --hub {layout.root}")
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"
