"""A learner's own written answer to Q2 (SigLIP), partly right, and the mark an instructor gives it.

Each entry: (name, written cell grade_id, the learner's Markdown, the instructor's score, the
instructor's comment). The first entry is the one put in the `mistakes` example submission;
`vlmkit demo` scores it with that mark and comment, as an instructor would in formgrader.
"""

WRITTEN = [
    ("per-pair sigmoid and bias right; scaling put down to the sigmoid's cost", "q2_written", '''\
SigLIP replaces the softmax by a sigmoid on every image-text pair, so each pair becomes its own
yes/no question: is this the right caption for this image or not. The bias starts very negative
so that at the beginning the model answers "no" for almost every pair, which makes sense because
nearly all pairs in a batch are not matches.

It does not need the all-gather because a sigmoid is much cheaper to compute than a softmax (no
sum of exponentials), so every device can work out its part of the loss faster. That is why it
scales better to big batches.
''', 0.5, '''\
The loss is right, the reason it scales is not. The per-pair binary loss and the negative bias are
well explained. But it is not the cost of the sigmoid: no term needs a normaliser over the whole
batch, so the loss is a sum of blocks. Devices pass text chunks around a ring and each holds one
small block at a time, while CLIP's softmax needs every row normalised over all the texts, hence
its all-gather.'''),
]
