"""System accounts and groups for the course: one per roster member, and the grader account.

    created = ensure_accounts(members, layout)   # {id: initial password} of accounts made now

Accounts are made with `useradd -m` (a home of their own, mode 0750: one learner cannot read
another's files) and get a random initial password, written once to the root-only
state/initial-passwords.csv for the instructor to hand out (PAM checks it at the hub's login;
`passwd` changes it). Accounts that already exist are left as they are, password included.
"""

import csv
import grp
import os
import pwd
import secrets
import subprocess
from pathlib import Path

from vlmkit.errors import KitError

HOME_MODE = 0o750


def exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode:
        raise KitError(f"{' '.join(argv[:1])} failed for {argv[-1]}: {done.stderr.strip() or done.returncode}")


def ensure_group(name: str) -> None:
    try:
        grp.getgrnam(name)
    except KeyError:
        _run(["groupadd", name])


def ensure_user(name: str, full_name: str, system: bool = False) -> bool:
    """Make the account unless it exists; whether it was made now."""
    if exists(name):
        return False
    _run(["useradd", "-m", "-s", "/bin/bash", "-c", full_name.replace(":", " "), *(["-r"] if system else []),
          name])
    os.chmod(pwd.getpwnam(name).pw_dir, HOME_MODE)
    return True


def set_password(name: str, password: str) -> None:
    done = subprocess.run(["chpasswd"], input=f"{name}:{password}\n", capture_output=True, text=True)
    if done.returncode:
        raise KitError(f"chpasswd failed for {name}: {done.stderr.strip()}")


def add_to_group(name: str, group: str) -> None:
    if name not in grp.getgrnam(group).gr_mem:
        _run(["usermod", "-a", "-G", group, name])


def ensure_accounts(layout) -> dict:
    """Every roster member's account (instructors in the graders' group) and the grader account;
    returns {id: password} of the accounts made now, also appended to layout.passwords."""
    ensure_group(layout.instructors_group)
    ensure_user(layout.grader, f"grader of {layout.settings.course_id}", system=True)
    made = {}
    for member in layout.settings.members:
        if ensure_user(member["id"], member["name"]):
            made[member["id"]] = secrets.token_urlsafe(12)
            set_password(member["id"], made[member["id"]])
        if member["role"] == "instructor":
            add_to_group(member["id"], layout.instructors_group)
    add_to_group(layout.grader, layout.instructors_group)
    _record_passwords(layout.passwords, made)
    return made


def _record_passwords(path: Path, made: dict) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    new = not path.exists()
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a", newline="") as fh:
        writer = csv.writer(fh)
        if new:
            writer.writerow(["id", "initial_password"])
        writer.writerows(sorted(made.items()))


def read_passwords(path: Path) -> dict:
    """{id: initial password} from state/initial-passwords.csv (the latest row per id)."""
    with open(path, newline="") as fh:
        return {row["id"]: row["initial_password"] for row in csv.DictReader(fh)}


def hand_over(folder: Path, owner: str, group: str) -> None:
    """Give everything under `folder` to `owner` and `group` (a no-op unless run as root): what
    root wrote in the course folder must stay writable by the grader account formgrader runs as."""
    if os.geteuid() != 0:
        return
    uid, gid = pwd.getpwnam(owner).pw_uid, grp.getgrnam(group).gr_gid
    for dirpath, dirs, files in os.walk(folder):
        for name in [dirpath, *(os.path.join(dirpath, n) for n in dirs + files)]:
            os.lchown(name, uid, gid)
