"""An ipywidgets browser for an evaluation's failures: pick a category, step through its samples.

In a notebook:

    from vlmkit.evaluation.widgets import ErrorBrowser
    ErrorBrowser(samples, predictions)          # errors default to error_analysis(...)

Each step shows the image with gt (green), predicted (red, dashed) and the error's own boxes
(yellow), plus the question, the answer and the ground truth. Worst failures come first.
"""

import html

import ipywidgets as widgets

from vlmkit.evaluation.harness import ERROR_CATEGORIES, error_analysis
from vlmkit.evaluation.pictures import describe_error, fig_to_png, plot_sample, sample_caption, worst_first


class ErrorBrowser(widgets.VBox):
    """The controls are public (`category`, `prev_button`, `next_button`) so code can drive them."""

    def __init__(self, samples, predictions, errors=None):
        self.samples, self.predictions = samples, predictions
        self.errors = error_analysis(samples, predictions) if errors is None else errors
        self.position = 0
        self.category = widgets.Dropdown(
            options=[(f"{c} ({len(self.errors[c])})", c) for c in ERROR_CATEGORIES],
            description="category")
        self.prev_button = widgets.Button(description="previous", icon="arrow-left")
        self.next_button = widgets.Button(description="next", icon="arrow-right")
        self.counter = widgets.Label()
        self.image = widgets.Image(format="png", width=360)
        self.info = widgets.HTML()
        self.category.observe(lambda _: self.go(0), names="value")
        self.prev_button.on_click(lambda _: self.go(self.position - 1))
        self.next_button.on_click(lambda _: self.go(self.position + 1))
        super().__init__([
            widgets.HBox([self.category, self.prev_button, self.next_button, self.counter]),
            widgets.HBox([self.image, self.info]),
        ])
        self.go(0)

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
        if not entries:
            self.counter.value, self.image.value = "0 / 0", b""
            self.info.value = "<i>no errors in this category</i>"
            return
        e = entries[self.position]
        sample, prediction = self.samples[e["index"]], self.predictions[e["index"]]
        self.counter.value = f"{self.position + 1} / {len(entries)}"
        self.image.value = fig_to_png(plot_sample(sample, prediction, focus=e), dpi=80)
        lines = [describe_error(self.category.value, e),
                 *sample_caption(sample, prediction).splitlines()]
        self.info.value = f"<b>sample #{e['index']}</b><br>" + "<br>".join(map(html.escape, lines))
