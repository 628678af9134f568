"""`vlmkit release`: make the learner notebooks from solutions/ with nbgrader (maintainer).

    vlmkit release            # regenerate notebooks/<assignment>/ and autograder/examples/
    vlmkit release --check    # exit 1 and list what differs, change nothing
    vlmkit release --bundle learner.zip   # the learner bundle
    vlmkit release --hub DIR  # into the course hub's exchange: learners' Assignment List shows it
"""

from pathlib import Path

from vlmkit.grading.authoring.bundle import make_bundle
from vlmkit.grading.authoring.release import release
from vlmkit.hub.exchange import release_to_exchange
from vlmkit.hub.layout import HubLayout


def register(subparsers):
    parser = subparsers.add_parser("release", help="make learner notebooks from solutions/ (maintainer)")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if out of date")
    parser.add_argument("--bundle", metavar="OUT", help="write the learner bundle (a .zip or a folder)")
    parser.add_argument("--hub", metavar="DIR", help="release every assignment into this course hub's exchange")
    parser.set_defaults(func=run)


def run(args) -> int:
    if args.hub:
        for assignment in release_to_exchange(HubLayout.open(Path(args.hub))):
            print(f"released {assignment} to the exchange: learners fetch it from their Assignment List")
        return 0
    if args.bundle:
        print(f"learner bundle written to {make_bundle(Path(args.bundle))}")
        return 0
    differing = release(check=args.check)
    if args.check:
        if differing:
            print("out of date (run `vlmkit release`):\n  " + "\n  ".join(differing))
            return 1
        print("release is in sync with solutions/")
        return 0
    print("updated:\n  " + "\n  ".join(differing) if differing else "nothing to update")
    return 0
