"""The capstone pipeline: `Pipeline().process(image, question=..., ground_objects=[...])`.

- contract.py    `Pipeline`: input checks, batching, the output contract
- images.py      `load_image`: any path, PIL image or array -> RGB, or a clear KitError
- tiny.py        the kit's own models (bundled weights, CPU, offline)
- pretrained.py  open_clip + OWLv2 + ViLT/BLIP from the local cache (never downloads)

May import: models, world, errors, paths. Never evaluation, grading or checks.
"""

from vlmkit.pipeline.contract import Pipeline
from vlmkit.pipeline.images import load_image

__all__ = ["Pipeline", "load_image"]
