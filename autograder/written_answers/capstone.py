"""A learner's own analysis for the capstone, partly right, and the mark an instructor gives it.

Each entry: (name, written cell grade_id, the learner's Markdown, the instructor's score, the
instructor's comment). The first entry is the one put in the `mistakes` example submission (whose
evaluate() counts an answer right when one answer contains the other: wrong_answers/capstone.py);
`vlmkit demo` scores it with that mark and comment, as an instructor would in formgrader.
"""

WRITTEN = [
    ("small objects and the change to try right; answers and legacy harness trusted", "capstone_written", '''\
**Detection is the weakest part.** Almost every object is found, but the ones the detector misses
are all small (a fish, a person, a couple of trees), and two of them are in night scenes where a
dark tree is nearly invisible against the sky. The hallucinations I looked at are a tree and a
person taken for each other, which makes sense: at that scale both are just thin vertical shapes.

The VQA model is basically perfect: my evaluation counts almost every answer right, so the
failures come from the detector, not from the VQA model or the wiring.

The legacy harness's numbers agree with mine almost exactly, so both measure the right thing and
the pipeline is validated.

First I would try a finer detection grid for the small objects: `detection_recall` should go up.
''', 1.0, '''\
Sound on detection, too trusting of your numbers. The misses are small, dark objects, and a finer
grid with recall as the metric to watch is a sound first change (say also that precision must not
fall). But your evaluate() counts an answer as right when one answer contains the other: compare
with the kit's harness, and look at the spatial and colour questions again. And the legacy harness
agreeing is no validation: try it on a pipeline that outputs nothing.'''),
]
