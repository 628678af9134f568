"""nbgrader's generate_assignment on the course's solutions/: the one place the kit runs it.

    generate("checkpoint", dest)                      # learner versions into dest
    generate("checkpoint", dest, db_url="sqlite:///...")  # and the assignment into that gradebook

It runs in a scratch course folder with a scratch gradebook (unless one is named), configured by
autograder/nbgrader_config.py. Used by `vlmkit release`, by the gradebook autograde fills and by
a hub course's exchange.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

from vlmkit import paths
from vlmkit.errors import KitError


def assignments() -> list[str]:
    if not paths.SOLUTIONS.is_dir():
        raise KitError(f"no solutions/ folder at {paths.SOLUTIONS}: release runs in the instructor's kit")
    return sorted(p.name for p in paths.SOLUTIONS.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def generate(assignment: str, dest: Path, db_url: str = None) -> None:
    """Run nbgrader generate_assignment on solutions/<assignment> and put the result in dest.

    The gradebook is a scratch one unless `db_url` names one to fill with the assignment's
    notebooks and grade cells (what `vlmkit autograde` records grades in).
    """
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    _put_alembic_on_path()
    with tempfile.TemporaryDirectory(prefix="vlmkit-release-") as tmp:
        course = Path(tmp)
        shutil.copytree(paths.SOLUTIONS / assignment, course / "source" / assignment,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        config = PyFileConfigLoader("nbgrader_config.py", str(paths.AUTOGRADER)).load_config()
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.source_directory = "source"
        config.CourseDirectory.release_directory = "release"
        config.CourseDirectory.db_url = db_url or f"sqlite:///{course}/gradebook.db"
        config.Exchange.root = str(course / "exchange")  # unused; avoids a warning about /usr/local
        result = NbGraderAPI(config=config).generate_assignment(assignment, force=True, create=True)
        if not result["success"]:
            errors = [line for line in result.get("log", "").splitlines() if "Error" in line]
            raise KitError(f"nbgrader could not release {assignment}: "
                           f"{errors[-1].strip() if errors else 'see nbgrader log'}")
        shutil.copytree(course / "release" / assignment, dest, dirs_exist_ok=True)


def _put_alembic_on_path() -> None:
    """nbgrader runs `alembic` by name with this process's PATH (api.get_alembic_version), and it
    lives next to this interpreter: put that folder first on PATH, once (not once per call)."""
    here = os.path.dirname(sys.executable)
    path = os.environ.get("PATH", "")
    if path.split(os.pathsep)[0] != here:
        os.environ["PATH"] = here + os.pathsep + path
