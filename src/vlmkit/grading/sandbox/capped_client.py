"""The runner's notebook client: nbclient's, keeping at most so much output per cell.

    client = CappedClient(nb, km=kernel, timeout=..., allow_errors=True)

Output is capped per cell so that a print loop cannot produce an executed copy (and a
feedback page) of hundreds of MB; the cell's later output is dropped after one TRUNCATED note.
"""

import nbformat
from nbclient import NotebookClient

MAX_OUTPUT_CHARS_PER_CELL = 20_000
TRUNCATED = "\n[... output truncated by the grader ...]\n"


class CappedClient(NotebookClient):
    """NotebookClient that keeps at most MAX_OUTPUT_CHARS_PER_CELL characters of output per cell."""

    def output(self, outs, msg, display_id, cell_index):
        size = sum(len(str(o.get("text", ""))) + len(str(o.get("data", ""))) for o in outs)
        if size > MAX_OUTPUT_CHARS_PER_CELL:
            if not (outs and outs[-1].get("text") == TRUNCATED):
                outs.append(nbformat.v4.new_output("stream", name="stderr", text=TRUNCATED))
            return None
        return super().output(outs, msg, display_id, cell_index)
