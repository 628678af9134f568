"""A learner's own written answer to Q3 (bridges), partly right, and the mark an instructor gives it.

Each entry: (name, written cell grade_id, the learner's Markdown, the instructor's score, the
instructor's comment). The first entry is the one put in the `mistakes` example submission;
`vlmkit demo` scores it with that mark and comment, as an instructor would in formgrader.
"""

WRITTEN = [
    ("MLP right; Q-Former without its number; the gate said to start open", "q3_written", '''\
- **MLP projector (LLaVA):** the simplest, just two linear layers with a GELU in between, so it
  has by far the fewest parameters and is cheap to train, and it keeps every image patch.
- **Q-Former (BLIP-2):** it compresses the image into a few learned query tokens, so it is more
  efficient.
- **Perceiver + gated cross-attention (Flamingo):** the gates start open, so the language model
  can use the image features from the very first training step instead of having to learn to
  attend to them.
''', 0.5, '''\
Right for the MLP, not for the gates. For the Q-Former give the number: a fixed, small count of
tokens whatever the resolution, against one token per patch for the MLP. The gate is the other way
round: it starts closed (tanh of zero), so the frozen language model is untouched at the start of
training. That is its advantage, and the price is many new parameters.'''),
]
