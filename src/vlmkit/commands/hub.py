"""`vlmkit hub ROSTER`: a JupyterHub for the course on this machine (instructor, as root).

    vlmkit hub roster.csv --dir /srv/vlmkit-hub [--course-id vlm-checkpoint] [--port 8000]
                          [--due checkpoint=2026-12-20T23:59 ...] [--setup-only]

Makes an account for each roster member (id,name,role; initial passwords in
DIR/state/initial-passwords.csv), nbgrader's exchange and course folder, and starts JupyterHub
on 127.0.0.1:PORT (PAM login; each member's JupyterLab as their own uid). Then, from another
shell: `vlmkit release --hub DIR`, `vlmkit collect --hub DIR`, `vlmkit autograde --hub DIR`,
`vlmkit release-feedback --hub DIR`. Run it again after editing the roster.
"""

import os

from vlmkit.errors import KitError
from vlmkit.hub.layout import DEFAULT_ROOT, HubSettings, parse_due
from vlmkit.hub.run import hub_command
from vlmkit.hub.setup import prepare

DEFAULTS = HubSettings()


def register(subparsers):
    parser = subparsers.add_parser("hub", help="run a JupyterHub for the course from a roster (instructor, root)")
    parser.add_argument("roster", help="CSV with the columns id,name,role (learner or instructor)")
    parser.add_argument("--dir", default=str(DEFAULT_ROOT), help="the hub folder (default: %(default)s)")
    parser.add_argument("--course-id", help=f"nbgrader's course id (default: {DEFAULTS.course_id})")
    parser.add_argument("--port", type=int, help=f"the hub's port on 127.0.0.1 (default: {DEFAULTS.port}; "
                                                 "the next three ports are used too)")
    parser.add_argument("--due", action="append", metavar="ASSIGNMENT=WHEN", default=[],
                        help="a due date (ISO, UTC unless a zone is given); later submissions are flagged late")
    parser.add_argument("--setup-only", action="store_true", help="prepare accounts and folders, start nothing")
    parser.set_defaults(func=run)


def run(args) -> int:
    settings = {"course_id": args.course_id, "port": args.port}
    settings = {k: v for k, v in settings.items() if v is not None}
    if args.due:
        settings["due"] = dict(_due(text) for text in args.due)
    layout = prepare(args.roster, args.dir, **settings)
    print(f"course {layout.settings.course_id}: {len(layout.settings.members)} members in {layout.root}; "
          f"initial passwords: {layout.passwords}")
    print(f"hub: http://127.0.0.1:{layout.settings.port}/  formgrader: "
          f"http://127.0.0.1:{layout.settings.port}/services/{layout.settings.course_id}/formgrader")
    if args.setup_only:
        return 0
    argv, env = hub_command(layout)
    os.chdir(layout.state)
    os.execve(argv[0], argv, env)  # JupyterHub stops its proxy and servers on SIGTERM/SIGINT itself


def _due(text: str) -> tuple[str, str]:
    assignment, sep, when = text.partition("=")
    if not sep:
        raise KitError(f"--due {text!r}: write ASSIGNMENT=WHEN, e.g. checkpoint=2026-12-20T23:59")
    parse_due(when)  # a bad date is an error now, not at collect time
    return assignment, when
