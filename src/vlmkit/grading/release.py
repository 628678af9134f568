"""Release (`vlmkit release`): make `notebooks/` (learner versions) from `solutions/` with nbgrader.

    vlmkit release            # regenerate notebooks/<assignment>/ and autograder/examples/
    vlmkit release --check    # exit 1 and list what differs, change nothing

The learner notebooks are exactly what `nbgrader generate_assignment` writes (it is
deterministic, so no normalisation is needed). It runs in a scratch course folder with a
scratch gradebook, configured by autograder/nbgrader_config.py.
"""

import filecmp
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

    # nbgrader shells out to `alembic`, which lives next to this interpreter.
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
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


def differences(generated: Path, current: Path) -> list[str]:
    names = {p.name for p in generated.glob("*.ipynb")} | {p.name for p in current.glob("*.ipynb")}
    return sorted(n for n in names if not (generated / n).exists() or not (current / n).exists()
                  or not filecmp.cmp(generated / n, current / n, shallow=False))


def release(check: bool = False) -> list[str]:
    """Regenerate (or with check=True only compare) every assignment; returns differing paths."""
    from vlmkit.grading.examples import build_examples

    differing = []
    with tempfile.TemporaryDirectory(prefix="vlmkit-generated-") as tmp:
        for assignment in assignments():
            generated, current = Path(tmp) / assignment, paths.NOTEBOOKS / assignment
            generate(assignment, generated)
            current.mkdir(parents=True, exist_ok=True)
            diff = differences(generated, current)
            differing += [f"notebooks/{assignment}/{name}" for name in diff]
            if diff and not check:
                for stale in current.glob("*.ipynb"):
                    stale.unlink()
                shutil.copytree(generated, current, dirs_exist_ok=True)
        differing += build_examples(check=check)
    return differing
