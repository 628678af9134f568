"""Where the kit's folders are. One place, so that no module guesses a path.

The kit is installed editable (`pip install -e .`), so the repository root is two levels
above this package; `VLMKIT_HOME` overrides it (e.g. for a learner bundle unpacked elsewhere).
"""

import os
from pathlib import Path


def kit_root() -> Path:
    return Path(os.environ.get("VLMKIT_HOME") or Path(__file__).resolve().parents[2])


ROOT = kit_root()
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"
AUTOGRADER = ROOT / "autograder"
HIDDEN_CHECKS = AUTOGRADER / "hidden"
MANIFEST = AUTOGRADER / "manifest.json"
EXAMPLES = AUTOGRADER / "examples"
DATA = ROOT / "data"


def cache_dir() -> Path:
    """Where the kit keeps what it can rebuild (e.g. seeded gradebooks): $XDG_CACHE_HOME/vlmkit."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "vlmkit"
