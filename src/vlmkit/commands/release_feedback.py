"""`vlmkit release-feedback --hub DIR`: return the feedback pages to learners (instructor).

    vlmkit release-feedback --hub /srv/vlmkit-hub [--student ID]

Puts the kit's feedback pages (what `vlmkit autograde --hub DIR` and, after manual grading,
`vlmkit feedback DIR/course` wrote) into nbgrader's exchange with `release_feedback`: each
learner's Assignment List then shows "Fetch Feedback" for the submission it belongs to.
"""

from pathlib import Path

from vlmkit.hub.exchange import release_feedback
from vlmkit.hub.layout import HubLayout


def register(subparsers):
    parser = subparsers.add_parser("release-feedback", help="return feedback pages through the hub's exchange")
    parser.add_argument("--hub", required=True, metavar="DIR", help="the course hub folder (`vlmkit hub --dir`)")
    parser.add_argument("--student", help="only this learner (default: every graded learner)")
    parser.set_defaults(func=run)


def run(args) -> int:
    released = release_feedback(HubLayout.open(Path(args.hub)), student=args.student)
    for item in released:
        print(f"released feedback: {item}")
    print(f"{len(released)} submissions' feedback released" if released else
          "no feedback to release: run `vlmkit autograde --hub DIR` first")
    return 0
