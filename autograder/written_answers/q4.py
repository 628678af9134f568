"""A learner's own written answer to Q4 (LLaVA), partly right, and the mark an instructor gives it.

Each entry: (name, written cell grade_id, the learner's Markdown, the instructor's score, the
instructor's comment). The first entry is the one put in the `mistakes` example submission;
`vlmkit demo` scores it with that mark and comment, as an instructor would in formgrader.
"""

WRITTEN = [
    ("the text-only teacher right; the vision encoder said to train in stage 1", "q4_written", '''\
Nobody writes LLaVA's instruction data by hand. GPT-4 gets the captions of an image and the
bounding boxes of its objects as text (it never sees the picture itself) and is asked to write
question-and-answer dialogues, long descriptions and harder questions that need reasoning about
the scene; these become the training examples.

In stage 1 they train the projector together with the CLIP vision encoder on image-caption pairs,
so that the image features line up with the LLM's word embeddings; the LLM is frozen so that it is
not damaged. In stage 2 they train the LLM on the generated conversations.
''', 0.5, '''\
The data part is right, the freezing is not. The vision encoder is frozen in both stages (its
features are already aligned with language, and training it would cost memory and could lose that).
Stage 1 trains the projector alone; stage 2 trains the projector and the LLM. Say why: following
instructions about an image is a skill of the language model.'''),
]
