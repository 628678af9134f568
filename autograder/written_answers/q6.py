"""A learner's own written answer to Q6 (VLA actions), partly right, and the mark an instructor
gives it.

Each entry: (name, written cell grade_id, the learner's Markdown, the instructor's score, the
instructor's comment). The first entry is the one put in the `mistakes` example submission;
`vlmkit demo` scores it with that mark and comment, as an instructor would in formgrader.
"""

WRITTEN = [
    ("binning like coordinates right; min/max scaling, nothing lost", "q6_written", '''\
Robot actions are continuous numbers, just like box coordinates, so the same trick works. Each
action dimension is scaled into [-1, 1] with the minimum and maximum of that dimension in the
training data, cut into 256 bins, and each bin becomes a token, so a step with 7 dimensions is 7
tokens. The VLM then predicts actions the way it predicts words, and to get the action back you
take the bin centre and scale it back up.

The nice part is that the model is trained exactly like for text, so nothing is lost.
''', 0.5, '''\
The binning is right; the range and what is lost are not. The range comes from robust quantiles
(the 1st and 99th percentiles), not the minimum and maximum, so that a few outliers do not stretch
every bin. And something is lost: half a bin of precision per dimension, every value beyond that
range (clipped), the order of the bins in the loss, and the vocabulary tokens taken over.'''),
]
