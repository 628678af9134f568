"""`vlmkit train`: reproduce the tiny models' weights from scratch; `--show` prints how a file was made.

    vlmkit train --all                     # clip -> detector -> vqa into data/models (~6 min, 2 idle cores)
    vlmkit train detector --out runs/x     # one model (the detector starts from CLIP in --out if there)
    vlmkit train --all --smoke --out /tmp/m   # a few tiny steps: checks the code path in seconds
    vlmkit train --show data/models/detector.safetensors   # the recipe stored in a weights file
"""

import json
from pathlib import Path

from vlmkit.errors import KitError
from vlmkit.models.io import MODELS_DIR, model_path, read_recipe
from vlmkit.models.train import MODELS, train


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help="train the tiny models from scratch (CPU, deterministic)", description=__doc__.splitlines()[0]
    )
    p.add_argument("model", nargs="?", choices=MODELS, help="one model to train")
    p.add_argument("--all", action="store_true", help="train clip, then detector, then vqa")
    p.add_argument("--out", default=str(MODELS_DIR), help="where to write the weights (default: %(default)s)")
    p.add_argument("--steps", type=int, help="override every model's number of steps")
    p.add_argument("--smoke", action="store_true", help="tiny batches and steps: a seconds-long code check")
    p.add_argument("--show", metavar="WEIGHTS", nargs="?", const="all",
                   help="print the recipe stored in a weights file (a path or a model name; "
                        "alone: every model in --out) and train nothing")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.show:
        names = MODELS if args.show == "all" else [args.show]
        for name in names:
            path = model_path(name, args.out) if name in MODELS else Path(name)
            print(format_recipe(path, read_recipe(path)))
        return 0
    if args.all == bool(args.model):
        raise KitError("name one model (clip, detector, vqa) or pass --all")
    train(MODELS if args.all else [args.model], args.out, args.steps, args.smoke)
    return 0


def format_recipe(path: Path, record: dict | None) -> str:
    if record is None:
        return f"{path}: no training recipe stored (saved before recipes were recorded); " \
               "retrain it with `vlmkit train` to record one"
    lines = [f"{path}: {record['model']}", f"  reproduce:   {record['command']}"
             f"   (vlmkit {record['vlmkit']}, torch {record['torch']}, {record['threads']} threads)"]
    lines.append("  recipe:      " + " ".join(f"{k}={v}" for k, v in record["recipe"].items()))
    for key in ("optimizer", "data", "starts_from"):
        lines.append(f"  {key + ':':12s} {record[key]}")
    lines.append("  validation:  " + json.dumps(record["validation"]))
    return "\n".join(lines)
