"""The course roster: `roster.csv` with columns id,name,role (role: learner or instructor).

    members = read_roster(Path("roster.csv"))

Each id becomes a system account (`useradd`), so it must be a portable user name: lower-case
letters, digits, `_` and `-`, starting with a letter, at most 32 characters.
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from vlmkit.errors import KitError

ROLES = ("learner", "instructor")
ALIASES = {"student": "learner", "teacher": "instructor", "grader": "instructor"}
USER_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
COLUMNS = ("id", "name", "role")


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    role: str  # one of ROLES


def read_roster(path: Path) -> list[Member]:
    """Every member of the roster, in file order; any bad row is a one-line error naming it."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
            header = tuple(name.strip().lower() for name in reader.fieldnames or ())
    except FileNotFoundError:
        raise KitError(f"no roster at {path}; write a CSV with the columns id,name,role") from None
    except UnicodeDecodeError:
        raise KitError(f"{path} is not UTF-8 text; save the roster as CSV (UTF-8)") from None
    if not set(COLUMNS) <= set(header):
        raise KitError(f"{path} has columns {list(header)}; it needs id,name,role")
    members, seen = [], set()
    for line, row in enumerate(rows, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        member_id, role = row["id"], ALIASES.get(row["role"].lower(), row["role"].lower())
        if not USER_NAME.fullmatch(member_id):
            raise KitError(f"{path}:{line}: id {member_id!r} is not a user name (lower-case letters, "
                           "digits, _ and -, starting with a letter, at most 32 characters)")
        if role not in ROLES:
            raise KitError(f"{path}:{line}: role {row['role']!r} for {member_id}; use learner or instructor")
        if member_id in seen:
            raise KitError(f"{path}:{line}: {member_id} is listed twice; keep one row per person")
        seen.add(member_id)
        members.append(Member(member_id, row["name"] or member_id, role))
    if not any(m.role == "instructor" for m in members):
        raise KitError(f"{path} lists no instructor; add a row with role instructor")
    return members
