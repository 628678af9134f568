"""The learner's submission.zip (`vlmkit submission`, the bundle's `make submission`).

    written = zip_submission(paths.NOTEBOOKS, Path("submission.zip"))

Only the course's notebooks go in, at the paths `vlmkit collect` reads them from
(`checkpoint/q1_clip_loss.ipynb` ... `capstone/capstone.ipynb`): nothing else JupyterLab leaves
beside them (`.ipynb_checkpoints/`, dotfiles, scratch files). A notebook the learner has not got
is left out and named; a folder holding none of them is an error.
"""

import zipfile
from pathlib import Path

from vlmkit.course import load_course
from vlmkit.errors import KitError


def course_notebooks() -> list[str]:
    """`<assignment>/<notebook>` of every notebook of the course, in the manifest's order."""
    return [f"{name}/{q.notebook}" for name, spec in load_course().items() for q in spec.questions]


def zip_submission(notebooks: Path, out: Path) -> tuple[list[str], list[str]]:
    """Zip the course's notebooks found in `notebooks` into `out`; ([written], [missing])."""
    notebooks = Path(notebooks)
    wanted = course_notebooks()
    present = [rel for rel in wanted if (notebooks / rel).is_file()]
    missing = [rel for rel in wanted if rel not in present]
    if not present:
        raise KitError(f"{notebooks} holds none of the course's notebooks (e.g. {missing[0]}); "
                       f"give the folder `vlmkit lab` opens")
    partial = Path(out).with_name(Path(out).name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel in present:
            archive.write(notebooks / rel, rel)
    partial.replace(out)  # a zip cut short never stands as the learner's submission
    return present, missing
