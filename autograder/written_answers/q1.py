"""A learner's own written answer to Q1 (CLIP loss), partly right, and the mark an instructor gives it.

Each entry: (name, written cell grade_id, the learner's Markdown, the instructor's score, the
instructor's comment). The first entry is the one put in the `mistakes` example submission;
`vlmkit demo` scores it with that mark and comment, as an instructor would in formgrader.
"""

WRITTEN = [
    ("temperature right; symmetry put down to stability", "q1_written", '''\
I think the loss is symmetric mostly to make training more stable: averaging two cross-entropies
gives a smoother loss than just one of them, and since both directions use the same similarity
matrix they should push the encoders in about the same way anyway.

The temperature divides the similarities before the softmax. A small temperature (so a big scale)
makes the softmax sharper and the model more confident about the right pair, a big temperature
makes it flatter. It is a learned parameter, so the model chooses it by itself.
''', 0.5, '''\
Right about the temperature, not about the symmetry. A larger scale does give a peakier softmax;
say also how it moves during training (it starts soft and rises as the pairs separate, with a cap)
and why it is learned through its log. The symmetry is not about stability: a row and a column are
normalised over different sets, so one direction alone leaves the other retrieval untrained.'''),
]
