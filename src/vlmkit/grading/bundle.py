"""`vlmkit release --bundle OUT.zip`: exactly what a learner should get, and nothing more.

In: the learner notebooks, the `vlmkit` package, the data the notebooks use, the question
manifest (self-check needs it), the install files and the README. Out: `solutions/`, hidden
checks, example submissions (one of them is the solutions), wrong answers, tests, gradebooks.
A folder is written when OUT does not end in `.zip`.
"""

import shutil
import zipfile
from pathlib import Path

from vlmkit import paths
from vlmkit.errors import KitError

INCLUDE = ["notebooks", "src/vlmkit", "data", "autograder/manifest.json", "pyproject.toml",
           "environment.yml", "Makefile", "README.md"]
SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints"}


def bundle_files() -> list[Path]:
    """Paths relative to the kit's root that go into the bundle."""
    files = []
    for entry in INCLUDE:
        path = paths.ROOT / entry
        if path.is_file():
            files.append(Path(entry))
        elif path.is_dir():
            files += [p.relative_to(paths.ROOT) for p in sorted(path.rglob("*"))
                      if p.is_file() and not SKIP_PARTS & set(p.parts)]
    return files


def make_bundle(out: Path) -> Path:
    out = Path(out)
    if out.exists() and (out.is_file() or any(out.iterdir())):
        raise KitError(f"{out} already exists; remove it or choose another name")
    files = bundle_files()
    if out.suffix == ".zip":
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for rel in files:
                archive.write(paths.ROOT / rel, rel.as_posix())
    else:
        for rel in files:
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(paths.ROOT / rel, out / rel)
    return out
