"""`vlmkit testset`: build the held-out capstone test set (deterministic, the world's 'test' split).

    vlmkit testset                                   # data/capstone/test, 300 images
    vlmkit testset --out /tmp/test --n 50
"""

from vlmkit.commands.defaults import default_of
from vlmkit.world.dataset import TEST_DIR, build_test_set


def register(subparsers):
    parser = subparsers.add_parser("testset", help="build the capstone test set (maintainer)",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(TEST_DIR), help="folder to write (default: %(default)s)")
    parser.add_argument("--n", type=int, default=default_of(build_test_set, "n_images"),
                        help="number of images (default: %(default)s)")
    parser.set_defaults(func=run)


def run(args) -> int:
    records = build_test_set(args.out, args.n)
    print(f"wrote {len(records)} records for {args.n} images to {args.out}")
    return 0
