"""`vlmkit lab`: open JupyterLab on your notebooks, set up for the course.

    vlmkit lab                       # the kit's notebooks/ folder
    vlmkit lab notebooks/capstone --port 8890 --no-browser

nbgrader's exchange pages (Assignment List, Course List), which need a course hub's exchange, are
hidden, and the terminals inside JupyterLab find the `vlmkit` command (`vlmkit selfcheck`).
"""

from vlmkit.commands.defaults import default_of
from vlmkit.grading.nbgrader_io.jupyter_env import start_lab


def register(subparsers):
    parser = subparsers.add_parser("lab", help="open JupyterLab on your notebooks (nbgrader's exchange pages hidden)")
    parser.add_argument("folder", nargs="?", help="folder to open (default: the kit's notebooks/)")
    parser.add_argument("--port", type=int, default=default_of(start_lab, "port"),
                        help="port to serve on (default: %(default)s)")
    parser.add_argument("--no-browser", dest="open_browser", action="store_false",
                        help="do not open a browser; print the address to open")
    parser.set_defaults(func=run)


def run(args) -> int:
    return start_lab(args.folder, port=args.port, open_browser=args.open_browser)
