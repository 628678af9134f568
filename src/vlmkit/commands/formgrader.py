"""`vlmkit formgrader GRADES`: open nbgrader's formgrader on a grades folder (instructor).

    vlmkit formgrader grades/ [--port 8890]

Serves formgrader for the folder `vlmkit autograde --out GRADES` wrote: every submission appears
under Manual Grading and written answers are graded there. Runs until Ctrl-C (or SIGTERM, or
SIGHUP when its terminal closes), stops the server with everything it started, then brings
GRADES/grades.csv, report.json and the feedback pages up to date with the manual grades, as
`vlmkit feedback GRADES` does (no notebook runs again). Works offline.
"""

import secrets
from pathlib import Path

from vlmkit.commands.defaults import default_of
from vlmkit.grading.nbgrader_io.formgrader import formgrader_server
from vlmkit.grading.nbgrader_io.jupyter_process import serve
from vlmkit.grading.outputs.rebuild import refresh


def register(subparsers):
    parser = subparsers.add_parser("formgrader", help="grade written answers in nbgrader's formgrader (instructor)")
    parser.add_argument("grades", help="the folder `vlmkit autograde --out` wrote")
    parser.add_argument("--port", type=int, default=default_of(formgrader_server, "port"),
                        help="port on 127.0.0.1 (default: %(default)s)")
    parser.add_argument("--token", help="the server's access token (default: a new random one)")
    parser.set_defaults(func=run)


def run(args) -> int:
    grades = Path(args.grades).resolve()
    token = args.token or secrets.token_hex(16)
    argv, env = formgrader_server(grades, port=args.port, token=token)
    print(f"formgrader: http://127.0.0.1:{args.port}/formgrader?token={token}  (Ctrl-C stops it)", flush=True)
    status = serve(argv, env, grades)  # 0 when stopped by Ctrl-C, SIGTERM or SIGHUP
    pages = refresh(grades)
    print(f"manual grades written to {grades / 'grades.csv'}, {grades / 'report.json'} "
          f"and {len(pages)} feedback pages")
    return status
