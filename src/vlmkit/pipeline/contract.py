"""`Pipeline.process()`: the capstone contract, one call from pixels to scene, objects, grounding
and an answer. The backends (tiny.py, pretrained.py) do the work; this module checks the inputs
and shapes the output.

    from vlmkit.pipeline import Pipeline
    pipe = Pipeline()                                    # tiny backend: bundled weights, CPU, offline
    out = pipe.process("beach.png", question="how many boats are there?", ground_objects=["boat"])
    # {'scene_type': 'beach', 'objects': [{'name', 'box', 'score'}, ...],
    #  'grounded': {'boat': {'found': True, 'boxes': [[x1, y1, x2, y2]], 'scores': [0.93]}},
    #  'answer': '1'}

    Pipeline(backend="pretrained")                       # open_clip + OWLv2 + ViLT from the local cache
    Pipeline(backend="pretrained", clip="ViT-B-32:openai", detector="google/owlv2-base-patch16-ensemble",
             vqa="Salesforce/blip-vqa-base")             # choose the pretrained models by name
    Pipeline(vqa="template")                             # tiny models, template VQA baseline

The output contract (the capstone notebook states the same): the four keys are always there.
- `answer` is None when no question is asked (question=None), else a string;
- `grounded` is {} when no names are given (ground_objects None or []), else one entry per name,
  keyed by the name as given; a name the models cannot find, one outside the tiny detector's
  categories included ('zebra'), is {'found': False, 'boxes': [], 'scores': []}.

Images may be a path, a PIL image or an (H, W[, C]) array; grey-scale and RGBA are converted
to RGB. Boxes are [x1, y1, x2, y2] in pixels of the image as given. Problems a user can fix
(missing file, not an image, empty question, a name that is not a non-empty string) raise KitError.
"""

from vlmkit.errors import KitError
from vlmkit.pipeline.images import load_image
from vlmkit.pipeline.tiny import TinyBackend


def _check_question(question):
    if question is None:
        return None
    if not isinstance(question, str):
        raise KitError(f"question must be a string or None, got {type(question).__name__}")
    if not question.strip():
        raise KitError("question is empty: pass a question, or question=None for no answer")
    return question


def _names(ground_objects) -> list:
    if ground_objects is None:
        return None
    if isinstance(ground_objects, str):
        ground_objects = [ground_objects]
    names = list(ground_objects)
    for n in names:
        if not isinstance(n, str) or not n.strip():
            raise KitError(f"ground_objects must be non-empty names, got {n!r}")
    return names


class Pipeline:
    """`process(image, question=None, ground_objects=None)` with the output contract above."""

    def __init__(self, backend: str = "tiny", models_dir=None, vqa: str = "learned", **model_names):
        if backend == "tiny":
            if model_names:
                raise KitError(f"the tiny backend takes no model names (got {', '.join(model_names)})")
            self.backend = TinyBackend(models_dir, vqa)
        elif backend == "pretrained":
            from vlmkit.pipeline.pretrained import PretrainedBackend  # heavy imports only when asked for

            self.backend = PretrainedBackend.from_names(**model_names)
        elif hasattr(backend, "run"):  # a backend object built by hand (tests, custom models)
            self.backend = backend
        else:
            raise KitError(f"unknown backend {backend!r}: use 'tiny' or 'pretrained'")

    def process(self, image, question=None, ground_objects=None) -> dict:
        return self.process_batch([image], [question], [ground_objects])[0]

    def process_batch(self, images, questions=None, ground_objects=None, batch_size: int = 64) -> list:
        """Many images at once. questions: None or one per image; ground_objects: None, one list of
        names for every image, or one list per image."""
        images = list(images)
        questions = [None] * len(images) if questions is None else list(questions)
        if ground_objects is None or all(isinstance(n, str) for n in ground_objects):
            ground_objects = [ground_objects] * len(images)
        ground_objects = list(ground_objects)
        if not (len(questions) == len(ground_objects) == len(images)):
            raise KitError(
                f"got {len(images)} images but {len(questions)} questions and "
                f"{len(ground_objects)} ground_objects lists: give one per image"
            )
        questions = [_check_question(q) for q in questions]
        names = [_names(g) for g in ground_objects]
        results = []
        for start in range(0, len(images), batch_size):
            stop = start + batch_size
            pil = [load_image(im) for im in images[start:stop]]
            results += [_format(r) for r in self.backend.run(pil, questions[start:stop], names[start:stop])]
        return results


def _format(r) -> dict:
    """A backend's raw result -> the course's contract (plain floats, rounded)."""

    def obj(d):
        return {"name": d["name"], "box": [round(float(v), 1) for v in d["box"]], "score": round(float(d["score"]), 4)}

    return {
        "scene_type": r["scene_type"],
        "objects": [obj(d) for d in r["detections"]],
        "grounded": {
            name: {"found": bool(ds), "boxes": [obj(d)["box"] for d in ds], "scores": [obj(d)["score"] for d in ds]}
            for name, ds in (r["grounded"] or {}).items()
        },
        "answer": r["answer"],
    }
