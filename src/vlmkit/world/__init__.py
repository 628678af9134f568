"""The procedural scene world: deterministic images with their ground truth, and the test set.

    from vlmkit.world import generate_scene, scene_seed, load_samples
    scene = generate_scene(scene_seed("train", 0))     # .image (PIL), .scene, .objects
    samples = load_samples()                           # the bundled held-out test set

Modules: `spec` (names), `draw` (painters), `scene` (generator), `language` (captions and
questions), `boxes` (IoU and matching), `dataset` (the bundled test set).

May import: errors, paths. Nothing else of the kit: the world knows no model.
"""

from vlmkit.world.dataset import TEST_DIR, build_test_set, load_samples
from vlmkit.world.language import ANSWERS, VOCAB, caption, make_question
from vlmkit.world.scene import Scene, generate_scene, scene_seed
from vlmkit.world.spec import CATEGORIES, COLORS, IMAGE_SIZE, QUESTION_TYPES, SCENES

__all__ = [
    "ANSWERS",
    "CATEGORIES",
    "COLORS",
    "IMAGE_SIZE",
    "QUESTION_TYPES",
    "SCENES",
    "TEST_DIR",
    "VOCAB",
    "Scene",
    "build_test_set",
    "caption",
    "generate_scene",
    "load_samples",
    "make_question",
    "scene_seed",
]
