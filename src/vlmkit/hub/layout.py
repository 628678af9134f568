"""The hub folder: where each part of a course hub lives, and the course's settings (hub.json).

    layout = HubLayout.open(Path("/srv/vlmkit-hub"))    # a folder `vlmkit hub` prepared
    layout.course, layout.exchange, layout.settings.course_id

    DIR/hub.json              the course's settings (course id, ports, due dates, limits, roster)
    DIR/jupyterhub_config.py  JupyterHub's config: loads vlmkit.hub.hub_config with this folder
    DIR/state/                root only: the hub's database, cookie secret, initial passwords
    DIR/jupyter/common/       nbgrader_config.py for every server: course id and exchange
    DIR/jupyter/<role>/       the Jupyter pages and terminal set-up of learners, instructors, grader
    DIR/exchange/             nbgrader's exchange (mode 0777, as nbgrader's docs set it up)
    DIR/course/               the course: nbgrader's course root and the kit's grades folder
                              (release/, submitted/, autograded/, feedback/, gradebook.db,
                              grades.csv, report.json), owned by the grader account
"""

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from vlmkit.errors import KitError
from vlmkit.hub.system_users import hand_over

SETTINGS_FILE = "hub.json"
DEFAULT_ROOT = Path("/srv/vlmkit-hub")


@dataclass(frozen=True)
class HubSettings:
    course_id: str = "vlm-checkpoint"
    port: int = 8000
    service_port: int = 8001  # formgrader's service, on 127.0.0.1 behind the hub
    due: dict = field(default_factory=dict)  # assignment → ISO date-time (UTC); later is late
    mem_limit: str = "8G"  # address space per process of a single-user server
    processes: int = 512  # tasks per account (RLIMIT_NPROC): kernels, threads, terminals
    idle_timeout_s: int = 3600  # stop a server idle this long (its files stay); 0: never
    members: list = field(default_factory=list)  # [{"id", "name", "role"}] from the roster

    def due_date(self, assignment: str):
        """The assignment's due date in UTC without a zone, as nbgrader keeps times, or None."""
        text = self.due.get(assignment)
        return parse_due(text).astimezone(timezone.utc).replace(tzinfo=None) if text else None


def parse_due(text: str) -> datetime:
    """An ISO date-time; without a zone it is UTC."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise KitError(f"due date {text!r} is not an ISO date-time; write e.g. 2026-12-20T23:59") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class HubLayout:
    root: Path
    settings: HubSettings

    @classmethod
    def open(cls, root: Path) -> "HubLayout":
        """The hub folder `vlmkit hub` prepared; anything else is a one-line error."""
        root = Path(root).resolve()
        try:
            raw = json.loads((root / SETTINGS_FILE).read_text())
        except FileNotFoundError:
            raise KitError(f"{root} is not a course hub folder (no {SETTINGS_FILE}); "
                           f"prepare it with `vlmkit hub ROSTER --dir {root}`") from None
        except json.JSONDecodeError as err:
            raise KitError(f"{root / SETTINGS_FILE} is damaged ({err}); run `vlmkit hub` again") from None
        known = {f.name for f in dataclasses.fields(HubSettings)}
        return cls(root, HubSettings(**{k: v for k, v in raw.items() if k in known}))

    def save(self) -> None:
        (self.root / SETTINGS_FILE).write_text(json.dumps(dataclasses.asdict(self.settings), indent=1) + "\n")

    @property
    def grader(self) -> str:
        """The account that owns the course folder and runs formgrader (nbgrader's demo naming)."""
        return f"grader-{self.settings.course_id}"

    @property
    def instructors_group(self) -> str:
        """JupyterHub's group of the course's graders: its name must start with formgrade-."""
        return f"formgrade-{self.settings.course_id}"

    def hand_over_course(self) -> None:
        """What root wrote in course/ goes to the grader account, which serves formgrader."""
        hand_over(self.course, self.grader, self.instructors_group)

    def members(self, role: str) -> list[str]:
        return [m["id"] for m in self.settings.members if m["role"] == role]

    state = property(lambda self: self.root / "state")
    exchange = property(lambda self: self.root / "exchange")
    course = property(lambda self: self.root / "course")
    jupyter = property(lambda self: self.root / "jupyter")
    hub_config = property(lambda self: self.root / "jupyterhub_config.py")
    passwords = property(lambda self: self.state / "initial-passwords.csv")

    def jupyter_config_path(self, role: str) -> str:
        """JUPYTER_CONFIG_PATH of a server for `role` (learner, instructor, grader)."""
        return f"{self.jupyter / role}:{self.jupyter / 'common'}"
