"""An ipywidgets browser for an evaluation's failures: pick a category, step through its samples.

In a notebook:

    from vlmkit.evaluation.widgets import ErrorBrowser
    ErrorBrowser(samples, predictions)          # errors default to error_analysis(...)

Each step shows the image with gt (green), predicted (red, dashed) and the error's own boxes
(yellow), plus the question, the answer and the ground truth. Worst failures come first.

Displayed in a notebook, it also leaves a static snapshot of the sample on screen (a plain
HTML/PNG output, kept up to date as you step). A widget needs its live kernel: reopened later,
its cell says "Error displaying widget: model not found", and the snapshot is what remains.
While the widget is live, a style inside it hides the snapshot, so nothing shows twice.
"""

import base64
import html
import uuid

import ipywidgets as widgets
from IPython.display import display, update_display

from vlmkit.evaluation.harness import ERROR_CATEGORIES, error_analysis
from vlmkit.evaluation.pictures import describe_error, fig_to_png, plot_sample, sample_caption, worst_first

# The info panel's caption already states the answer and the scene next to their truths.
CAPTIONED_CATEGORIES = {"wrong_answer", "wrong_scene"}


class ErrorBrowser(widgets.VBox):
    """The controls are public (`category`, `prev_button`, `next_button`) so code can drive them."""

    def __init__(self, samples, predictions, errors=None):
        self.samples, self.predictions = samples, predictions
        self.errors = error_analysis(samples, predictions) if errors is None else errors
        self.position = 0
        self.displayed = False  # whether the snapshot output exists to be updated
        self.category = widgets.Dropdown(
            options=[(f"{c} ({len(self.errors[c])})", c) for c in ERROR_CATEGORIES],
            description="category")
        self.prev_button = widgets.Button(description="previous", icon="arrow-left")
        self.next_button = widgets.Button(description="next", icon="arrow-right")
        self.counter = widgets.Label()
        self.image = widgets.Image(format="png", width=360)
        self.info = widgets.HTML()
        self.snapshot_id = f"vlmkit-snapshot-{uuid.uuid4().hex}"
        hide_snapshot = widgets.HTML(f"<style>.{self.snapshot_id}{{display:none}}</style>",
                                     layout=widgets.Layout(display="none"))  # a style, no space
        self.category.observe(lambda _: self.go(0), names="value")
        self.prev_button.on_click(lambda _: self.go(self.position - 1))
        self.next_button.on_click(lambda _: self.go(self.position + 1))
        super().__init__([
            widgets.HBox([self.category, self.prev_button, self.next_button, self.counter]),
            widgets.HBox([self.image, self.info]),
            hide_snapshot,
        ])
        self.go(0)

    def _ipython_display_(self):
        display(super()._repr_mimebundle_(), raw=True)
        display(self.snapshot(), raw=True, display_id=self.snapshot_id)
        self.displayed = True

    def snapshot(self) -> dict:
        """A static view of what the widget shows: HTML with the PNG inline, and plain text."""
        png = base64.b64encode(bytes(self.image.value)).decode()
        image = f"<img src='data:image/png;base64,{png}' width='360'>" if png else ""
        page = (f"<div class='{self.snapshot_id}'><p>{html.escape(self.counter.value)} · "
                f"{html.escape(self.category.value)} (snapshot; run the cell to browse)</p>"
                f"<div style='display:flex;gap:1em'>{image}<div>{self.info.value}</div></div></div>")
        return {"text/html": page,
                "text/plain": f"ErrorBrowser snapshot: {self.counter.value} {self.category.value}"}

    @property
    def entries(self) -> list:
        return worst_first(self.errors[self.category.value])

    @property
    def current(self):
        """The error entry on screen, or None when the category is empty."""
        entries = self.entries
        return entries[self.position] if entries else None

    def go(self, position):
        """Show entry `position` of the current category (clamped to the valid range)."""
        entries = self.entries
        self.position = max(0, min(position, len(entries) - 1))
        self.prev_button.disabled = self.position == 0
        self.next_button.disabled = self.position >= len(entries) - 1
        if entries:
            self.show(entries[self.position], len(entries))
        else:
            self.counter.value, self.image.value = "0 / 0", b""
            self.info.value = "<i>no errors in this category</i>"
        if self.displayed:
            update_display(self.snapshot(), raw=True, display_id=self.snapshot_id)

    def show(self, entry, count):
        sample, prediction = self.samples[entry["index"]], self.predictions[entry["index"]]
        self.counter.value = f"{self.position + 1} / {count}"
        self.image.value = fig_to_png(plot_sample(sample, prediction, focus=entry), dpi=80)
        described = [] if self.category.value in CAPTIONED_CATEGORIES else [
            describe_error(self.category.value, entry)]
        lines = [*described, *sample_caption(sample, prediction).splitlines()]
        self.info.value = f"<b>sample #{entry['index']}</b><br>" + "<br>".join(map(html.escape, lines))
