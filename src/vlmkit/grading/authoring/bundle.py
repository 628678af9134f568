"""`vlmkit release --bundle OUT.zip`: exactly what a learner should get, and nothing more.

In: the learner notebooks, the `vlmkit` package, the data the notebooks use, the question
manifest (self-check needs it), the install files, and a README and Makefile of its own, written
for learners (`bundle_files/`: `make check-install`, `make lab`, `make selfcheck`, `make
submission`). Out: `solutions/`, hidden checks, example submissions (one of them is the
solutions), wrong answers, tests, gradebooks, the instructor's README and Makefile.
A folder is written when OUT does not end in `.zip`.
"""

import shutil
import zipfile
from pathlib import Path

from vlmkit import paths
from vlmkit.errors import KitError

INCLUDE = ["notebooks", "src/vlmkit", "data", "autograder/manifest.json", "pyproject.toml", "environment.yml"]
LEARNER_FILES = Path(__file__).parent / "bundle_files"  # the bundle's own README.md and Makefile
SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", LEARNER_FILES.name}


def bundle_files() -> dict[Path, Path]:
    """Each file of the bundle (relative path) → where it comes from."""
    files = {}
    for entry in INCLUDE:
        path = paths.ROOT / entry
        if path.is_file():
            files[Path(entry)] = path
        elif path.is_dir():
            files.update({p.relative_to(paths.ROOT): p for p in sorted(path.rglob("*"))
                          if p.is_file() and not SKIP_PARTS & set(p.relative_to(paths.ROOT).parts)})
    files.update({Path(p.name): p for p in sorted(LEARNER_FILES.iterdir())})
    return files


def make_bundle(out: Path) -> Path:
    out = Path(out)
    if out.exists() and (out.is_file() or any(out.iterdir())):
        raise KitError(f"{out} already exists; remove it or choose another name")
    files = bundle_files()
    if out.suffix == ".zip":
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for rel, source in files.items():
                archive.write(source, rel.as_posix())
    else:
        for rel, source in files.items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, out / rel)
    return out
