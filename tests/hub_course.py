"""A throwaway course hub for tests: its own accounts, folder, ports and course id, all removed after.

    with course_hub(learners=2) as (layout, members):   # members: {id: password}, instructor first
        ...

Runs as root only (it makes system accounts). The folder is made under /tmp with mode 0755:
pytest's own tmp_path lies in a private folder that learners' servers could not reach.
"""

import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from vlmkit.hub.exchange import release_to_exchange
from vlmkit.hub.run import free_ports, start_hub, stop_hub
from vlmkit.hub.setup import prepare
from vlmkit.hub.system_users import read_passwords


@contextlib.contextmanager
def course_hub(learners: int = 2, instructors: int = 1, **settings):
    tag = secrets.token_hex(2)
    ids = [f"vk{tag}-ins{i + 1}" for i in range(instructors)] + [f"vk{tag}-l{i + 1}" for i in range(learners)]
    root = Path(tempfile.mkdtemp(prefix=f"vlmkit-hub-{tag}-", dir="/tmp"))
    os.chmod(root, 0o755)
    roster = root / "roster.csv"
    roster.write_text("id,name,role\n" + "".join(
        f"{member},Test {member},{'instructor' if '-ins' in member else 'learner'}\n" for member in ids))
    layout, hub = None, None
    try:
        layout = prepare(roster, root / "hub", course_id=f"test-{tag}", port=free_ports(), **settings)
        release_to_exchange(layout)
        hub = start_hub(layout, root / "hub.log")
        passwords = read_passwords(layout.passwords)
        yield layout, {member: passwords[member] for member in ids}
    finally:
        if hub is not None:
            stop_hub(hub)
        accounts = ids + ([layout.grader] if layout else [])
        for name in accounts:
            subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
            subprocess.run(["userdel", "-r", name], capture_output=True)
        if layout:
            subprocess.run(["groupdel", layout.instructors_group], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
