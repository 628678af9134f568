"""Benchmark the tiny pipeline on the bundled test set (2 CPU threads); prints numbers, asserts nothing.

    python benchmarks/bench_pipeline.py [--repeats 3]

Reports: throughput in images/s, one image per call and batched (image decoding included);
peak resident memory; the wall time of the last full `vlmkit train --all` (read from the timing
file that train writes, so nothing is retrained); the weights' size; and VQA accuracy per
question kind for the learned model beside the template baseline, scored by vlmkit.evaluation.
"""

import argparse
import json
import resource
import time

import torch

from vlmkit.evaluation import format_summary, ground_names, summarize
from vlmkit.models.io import MODELS_DIR
from vlmkit.models.train import MODELS, TIMING_FILE
from vlmkit.pipeline import Pipeline
from vlmkit.world import QUESTION_TYPES, load_samples


def throughput(fn, n_images, repeats):
    """Best of `repeats` runs (the machine is shared: the best run is the least disturbed one)."""
    best = min(_timed(fn) for _ in range(repeats))
    return n_images / best


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args(argv)
    torch.set_num_threads(2)

    samples = load_samples()
    first = {}
    for s in samples:  # one record per image for throughput
        first.setdefault(s["image"], s)
    per_image = list(first.values())
    images, questions = [s["image"] for s in per_image], [s["question"] for s in per_image]
    names = [ground_names(s) for s in per_image]
    pipe = Pipeline()
    pipe.process_batch(images[:8], questions[:8], names[:8])  # warm-up

    single = throughput(
        lambda: [pipe.process(i, q, n) for i, q, n in zip(images[:100], questions[:100], names[:100], strict=True)],
        min(100, len(images)),
        args.repeats,
    )
    batched = throughput(
        lambda: pipe.process_batch(images, questions, names, batch_size=args.batch_size), len(images), args.repeats
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"torch threads: {torch.get_num_threads()}, test set: {len(images)} images, {len(samples)} questions")
    print(f"throughput, one image per call : {single:7.1f} images/s")
    print(f"throughput, batches of {args.batch_size:<3}     : {batched:7.1f} images/s")
    print(f"peak resident memory           : {peak_mb:7.1f} MB")

    files = sorted(MODELS_DIR.glob("*.safetensors"))
    size = sum(p.stat().st_size for p in files) / 1e6
    print(f"weights on disk                : {size:7.2f} MB ({', '.join(p.name for p in files)})")
    timing_file = MODELS_DIR / TIMING_FILE
    if timing_file.is_file():
        t = json.loads(timing_file.read_text())
        parts = ", ".join(f"{m} {t[m]['seconds']:.0f} s" for m in MODELS if m in t)
        print(f"last `vlmkit train`            : {t['total_seconds']:7.0f} s ({parts}; {t['threads']} threads)")
    else:
        print(f"last `vlmkit train`            : no {timing_file}")

    predictions = {}
    for vqa in ("learned", "template"):
        p = pipe if vqa == "learned" else Pipeline(vqa="template")
        predictions[vqa] = summarize(
            samples,
            p.process_batch(
                [s["image"] for s in samples], [s["question"] for s in samples], [ground_names(s) for s in samples]
            ),
        )
    print("\nfull summary (learned VQA):\n" + format_summary(predictions["learned"]))
    print(f"\n{'VQA accuracy':<14} {'learned':>8} {'template':>9} {'n':>5}")
    for kind in ("overall",) + QUESTION_TYPES:
        key = "vqa_accuracy" if kind == "overall" else f"vqa_accuracy/{kind}"
        a, b = predictions["learned"][key], predictions["template"][key]
        print(f"{kind:<14} {a['mean']:8.3f} {b['mean']:9.3f} {a['count']:5d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
