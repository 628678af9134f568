"""Release (`vlmkit release`): make `notebooks/` (learner versions) from `solutions/` with nbgrader.

    vlmkit release            # regenerate notebooks/<assignment>/ and autograder/examples/
    vlmkit release --check    # exit 1 and list what differs, change nothing

The learner notebooks are exactly what `nbgrader generate_assignment` writes
(nbgrader_io/generate.py; it is deterministic, so no normalisation is needed).
"""

import filecmp
import shutil
import tempfile
from pathlib import Path

from vlmkit import paths
from vlmkit.grading.nbgrader_io.generate import assignments, generate


def differences(generated: Path, current: Path) -> list[str]:
    names = {p.name for p in generated.glob("*.ipynb")} | {p.name for p in current.glob("*.ipynb")}
    return sorted(n for n in names if not (generated / n).exists() or not (current / n).exists()
                  or not filecmp.cmp(generated / n, current / n, shallow=False))


def release(check: bool = False) -> list[str]:
    """Regenerate (or with check=True only compare) every assignment; returns differing paths."""
    from vlmkit.grading.authoring.examples import build_examples

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
