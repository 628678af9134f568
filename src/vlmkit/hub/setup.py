"""Everything a course hub needs on disk, made (or brought up to date) by `vlmkit hub`.

    layout = prepare(Path("roster.csv"), Path("/srv/vlmkit-hub"), course_id="vlm-checkpoint")

Idempotent: run it again after editing the roster and new members get accounts, everyone's
settings are rewritten, and nothing a learner or instructor made (homes, submissions, grades)
is touched. Every account must reach the kit's environment, so an environment under a private
folder (the default Python under /root) is refused with what to do instead.
"""

import dataclasses
import os
import sys
from pathlib import Path

from vlmkit import paths
from vlmkit.errors import KitError
from vlmkit.grading.nbgrader_io.formgrader import config_text
from vlmkit.grading.nbgrader_io.jupyter_env import KIT_BIN, LEARNER_HIDDEN, write_config_folder
from vlmkit.grading.sandbox.accounts import reachable_by
from vlmkit.hub.layout import HubLayout, HubSettings
from vlmkit.hub.roster import read_roster
from vlmkit.hub.system_users import ensure_accounts

NOBODY = 65534  # an account with no rights of its own: what it reaches, every account reaches
# nbgrader's pages hidden per role (the Nbgrader menu lists only what is left): learners keep
# Assignment List and Validate; instructors keep
# the Course List, which links to the course's formgrader service; the grader account serves it.
HIDDEN = {
    "learner": ("course-list", "formgrader", "create-assignment"),
    "instructor": ("formgrader", "create-assignment"),
    "grader": ("assignment-list", "course-list"),
}
assert all(set(pages) <= set(LEARNER_HIDDEN) for pages in HIDDEN.values())
COMMON_CONFIG = '''\
"""Written by `vlmkit hub`: the course every server of this hub belongs to, and its exchange."""
c = get_config()  # noqa: F821 (provided by traitlets when this file is loaded)
c.CourseDirectory.course_id = {course_id!r}
c.Exchange.root = {exchange!r}
# a full exchange is one clear line for the learner, and leaves no partial submission behind
c.ExchangeFactory.submit = "vlmkit.hub.clear_submit.ClearSubmit"
'''
HUB_CONFIG = '''\
"""Written by `vlmkit hub` (rewritten at each start): JupyterHub for the course in this folder."""
from vlmkit.hub.hub_config import configure

configure(c, {root!r})  # noqa: F821 (c is provided by JupyterHub when this file is loaded)
'''


def check_environment() -> None:
    """Every account must run the kit's Python and read the kit: refuse a private environment."""
    for needed in (Path(sys.executable), KIT_BIN / "jupyterhub-singleuser", paths.ROOT / "src", paths.DATA):
        if not reachable_by(NOBODY, needed) or not os.access(needed.resolve(), os.F_OK):
            raise KitError(f"other accounts cannot reach {needed} (a folder above it is private or it is "
                           "missing); build the kit's environment from the system Python in a readable "
                           "place: make install PYTHON=/usr/bin/python3.11")


def prepare(roster: Path, root: Path, **settings) -> HubLayout:
    """Accounts from the roster, the hub folder, its configs and exchange; returns its layout.
    `settings`: HubSettings fields to set (course_id, port, due, ...); others keep their value."""
    if os.geteuid() != 0:
        raise KitError("vlmkit hub makes system accounts and runs servers as them: run it as root")
    check_environment()
    root = Path(root).resolve()
    members = [dataclasses.asdict(m) for m in read_roster(roster)]
    try:
        old = HubLayout.open(root).settings
    except KitError:
        old = HubSettings()
    layout = HubLayout(root, dataclasses.replace(old, members=members, **settings))
    root.mkdir(mode=0o755, parents=True, exist_ok=True)
    if not reachable_by(NOBODY, root / "x"):
        raise KitError(f"{root} is inside a private folder; learners' servers could not reach the exchange: "
                       "choose a folder such as /srv/vlmkit-hub")
    layout.save()
    for folder, mode in ((layout.state, 0o700), (layout.jupyter, 0o755), (layout.exchange, 0o777),
                         (layout.course, 0o2770)):
        folder.mkdir(exist_ok=True)
        os.chmod(folder, mode)  # mkdir's mode is masked by the umask; nbgrader wants 0777 exactly
    ensure_accounts(layout)
    _write_jupyter_configs(layout)
    (layout.course / "nbgrader_config.py").write_text(config_text(layout.course))
    layout.hub_config.write_text(HUB_CONFIG.format(root=str(root)))
    layout.hand_over_course()
    return layout


def write_role_configs(folder: Path) -> list[Path]:
    """FOLDER/<role>/...: each role's Jupyter pages and terminal set-up; returns the files written
    (also what deploy/kubernetes/jupyter_roles.py writes into the single-user image)."""
    return [path for role, hidden in HIDDEN.items() for path in write_config_folder(hidden, folder / role)]


def _write_jupyter_configs(layout: HubLayout) -> None:
    common = layout.jupyter / "common"
    common.mkdir(exist_ok=True)
    (common / "nbgrader_config.py").write_text(COMMON_CONFIG.format(
        course_id=layout.settings.course_id, exchange=str(layout.exchange)))
    write_role_configs(layout.jupyter)
    for dirpath, dirs, files in os.walk(layout.jupyter):  # world-readable: every server reads them
        for name in dirs:
            os.chmod(os.path.join(dirpath, name), 0o755)
        for name in files:
            os.chmod(os.path.join(dirpath, name), 0o644)
