"""Progress of a grading batch: a live line on a terminal, plain log lines elsewhere.

    with Progress(total=40, label="checkpoint") as progress:
        progress.done("alice/q3", "graded")        # once per notebook, as each one finishes

Everything goes through `logging` (logger `vlmkit.grading.workflows.progress`), so `vlmkit autograde -q`
silences it and `-v` adds a line per notebook. With INFO enabled and stderr a terminal, a tqdm
bar shows notebooks done/total, elapsed time, ETA and the failures so far; otherwise (CI,
cluster logs) an INFO line says the same every LOG_EVERY_S seconds and at the end. Library
callers that configure no logging see nothing.
"""

import logging
import sys
import time

from tqdm import tqdm

log = logging.getLogger(__name__)
LOG_EVERY_S = 30
NOT_FAILED = {"graded", "missing"}  # a missing notebook is the student's gap, not a grading failure


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    def __init__(self, total: int, label: str = "grading"):
        self.total, self.label, self.count, self.failures = total, label, 0, 0
        self.start = self.last_log = time.monotonic()
        self.bar = None

    def __enter__(self):
        log.info("%s: grading %d notebooks", self.label, self.total)
        if log.isEnabledFor(logging.INFO) and sys.stderr.isatty():
            self.bar = tqdm(total=self.total, desc=self.label, unit="notebook", file=sys.stderr)
        return self

    def done(self, what: str, status: str) -> None:
        self.count += 1
        self.failures += status not in NOT_FAILED
        log.debug("%s: %s %s", self.label, what, status)
        if self.bar is not None:
            self.bar.set_postfix_str(f"failures {self.failures}", refresh=False)
            self.bar.update()
        elif time.monotonic() - self.last_log >= LOG_EVERY_S or self.count == self.total:
            self.last_log = time.monotonic()
            log.info(self.line())

    def line(self) -> str:
        elapsed = time.monotonic() - self.start
        eta = elapsed / self.count * (self.total - self.count) if self.count else 0.0
        return (f"{self.label}: {self.count}/{self.total} notebooks, elapsed {_clock(elapsed)}, "
                f"ETA {_clock(eta)}, failures {self.failures}")

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
