"""The instructor's view of a grades folder in nbgrader's formgrader (`vlmkit formgrader GRADES`).

    argv, env = formgrader_server(Path("grades"), port=8890, token="...")

`vlmkit autograde` leaves in GRADES what formgrader reads: gradebook.db,
autograded/<student>/<assignment>/*.ipynb and GRADES/nbgrader_config.py (this module's
write_config, run again by `vlmkit formgrader`), which points nbgrader at that folder and at the
kit's solutions (so it works from anywhere and writes nothing into the kit's tree). It also builds
the Jupyter server command that serves formgrader with MathJax from the local
jupyter-server-mathjax package (no network needed) and the kit's changes to its pages
(formgrader_pages).

From GRADES, nbgrader's own CLI then sees the same course: `cd GRADES && nbgrader export` writes
nbgrader_grades.csv (never the kit's grades.csv, which nbgrader's default `grades.csv` would
overwrite: hence autograde writes the config, not only formgrader).
"""

import os
from pathlib import Path

from vlmkit import paths
from vlmkit.errors import KitError
from vlmkit.grading.checking.files import atomic_write
from vlmkit.grading.nbgrader_io.jupyter_env import FORMGRADER_PAGES, jupyter_argv

EXPORT_FILE = "nbgrader_grades.csv"
# Searched before Jupyter's own data: holds the kit's offline `mathjax` macro for nbconvert.
JUPYTER_DATA = Path(__file__).parent / "jupyter_data"

CONFIG = '''\
"""Written by `vlmkit autograde` and `vlmkit formgrader` (each run rewrites it): nbgrader's view of GRADES."""
import warnings

import sqlalchemy.exc

# SQLAlchemy 2.x warns about every new student with nbgrader 0.9; it is harmless noise.
warnings.filterwarnings("ignore", category=sqlalchemy.exc.SAWarning)

c = get_config()  # noqa: F821 (provided by traitlets when this file is loaded)
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db_url!r}
c.CourseDirectory.source_directory = {source!r}
c.CourseDirectory.release_directory = "release"  # formgrader's Generate button writes here, not into the kit
c.CsvExportPlugin.to = {export!r}
'''


def write_config(grades: Path) -> Path:
    """GRADES/nbgrader_config.py for this grades folder."""
    grades = Path(grades).resolve()
    config = grades / "nbgrader_config.py"
    atomic_write(config, config_text(grades))
    return config


def require_graded(grades: Path) -> None:
    """A folder formgrader can serve; one never autograded is an error."""
    grades = Path(grades).resolve()
    if not (grades / "gradebook.db").is_file():
        raise KitError(f"{grades} has no gradebook.db; run `vlmkit autograde SUBMISSIONS --out {grades}` first")
    if not (grades / "autograded").is_dir():
        raise KitError(f"{grades} has no autograded/ notebooks (graded by an older kit); "
                       f"run `vlmkit autograde` again")


def config_text(grades: Path) -> str:
    """nbgrader's view of the grades folder GRADES (an absolute path) as a config file."""
    return CONFIG.format(root=str(grades), db_url=f"sqlite:///{grades / 'gradebook.db'}",
                         source=str(paths.SOLUTIONS), export=EXPORT_FILE)


def formgrader_server(grades: Path, port: int = 8890, token: str = "", ip: str = "127.0.0.1"):
    """(argv, env) of a Jupyter server serving formgrader on GRADES; run it with cwd=GRADES."""
    require_graded(grades)
    write_config(grades)  # rewritten: the folder may have moved since autograde wrote it
    argv = jupyter_argv("jupyter_server", Path(grades).resolve(), port) + [
        "--no-browser", f"--ip={ip}", "--port-retries=0", f"--ServerApp.token={token}",
        f"--ServerApp.jpserver_extensions={FORMGRADER_PAGES}=True"]
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(JUPYTER_DATA), env.get("JUPYTER_PATH")]))
    return argv, env
