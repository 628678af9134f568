"""A learner's own written answer to Q5 (coordinate tokens), partly right, and the mark an
instructor gives it.

Each entry: (name, written cell grade_id, the learner's Markdown, the instructor's score, the
instructor's comment). The first entry is the one put in the `mistakes` example submission;
`vlmkit demo` scores it with that mark and comment, as an instructor would in formgrader.
"""

WRITTEN = [
    ("normalising and binning right; nothing said to be lost", "q5_written", '''\
Normalising divides x by the image width and y by the height, so every coordinate is between 0
and 1 and the same token means the same place in the picture whatever its resolution. Quantising
is needed because a language model can only output tokens from its vocabulary, not real numbers,
so each coordinate goes into one of 1000 bins and each bin has its own token like `<loc_500>`.

Not much is lost: with 1000 bins a bin is smaller than a pixel on our images, so after decoding the
boxes come back the same as before.
''', 0.5, '''\
Normalising and binning are right; more is lost than you say. Decoding gives the bin centre, so a
box comes back close but not the same (give the error in pixels from the notebook); the image size
has to be given again; the loss treats a neighbouring bin as just as wrong as a far one; and the
bins take extra vocabulary tokens that must be learned.'''),
]
