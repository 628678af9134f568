"""`vlmkit doctor`: the isolation this host gives learner code, each limit in force, and what to add.

    vlmkit doctor [--timeout S] [--cell-timeout S] [--limit NAME=VALUE ...]

Prints bubblewrap (yes/no, version), the cgroup hierarchy (v1/v2/none, writable?), the uid
learner code runs as, what caps a run's processes, every limit with autograder/limits.toml and
the flags applied, and what to install or enable for the rest. Exit status 1 where autograde
would refuse to start (neither bubblewrap nor a process cap).
"""

from vlmkit.commands.limit_flags import add_limit_flags, limits_from
from vlmkit.grading.sandbox.isolation import describe, format_report


def register(subparsers):
    parser = subparsers.add_parser("doctor", help="the isolation and limits learner code gets on this host")
    add_limit_flags(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    report = describe(limits_from(args))
    print(format_report(report))
    return 0 if report.isolated else 1
