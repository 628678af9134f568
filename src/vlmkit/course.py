"""The course: assignments and their questions (from autograder/manifest.json) and the score table.

`vlmkit course` prints the question table and the score bands.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from vlmkit import paths
from vlmkit.errors import KitError

DAYS = {
    59: "CLIP", 60: "CLIP + SigLIP", 61: "Flamingo + BLIP-2", 62: "LLaVA", 63: "PaLI + CoCa",
    64: "open VLMs", 65: "grounding", 66: "reflection / VLAs", 67: "capstone", 68: "capstone",
}

# (lowest total, band) from the top; a total at or above `lowest` falls in the band.
SCORE_BANDS = [
    (6, "6/6: ready for VLM fine-tuning and Phase VI"),
    (4, "4-5/6: strong, review gaps"),
    (2, "2-3/6: revisit CLIP (Day 59) through grounding (Day 65)"),
    (0, "0-1/6: redo the phase"),
]


@dataclass(frozen=True)
class Question:
    id: str
    notebook: str
    topic: str
    days: tuple
    points: float
    references: tuple = ()  # what the learner must not delegate to (dotted prefixes)

    def revisit(self) -> str:
        return ", ".join(f"Day {d} ({DAYS.get(d, '?')})" for d in self.days)


@dataclass(frozen=True)
class Assignment:
    name: str
    title: str
    total: float
    questions: tuple

    def by_notebook(self, notebook_name: str):
        return next((q for q in self.questions if q.notebook == notebook_name), None)


def load_course(manifest: Path = None) -> dict:
    """All assignments, by name, from the manifest."""
    manifest = Path(manifest or paths.MANIFEST)
    try:
        raw = json.loads(manifest.read_text())
    except FileNotFoundError:
        raise KitError(f"no question manifest at {manifest}; run from the kit or set VLMKIT_HOME") from None
    except json.JSONDecodeError as err:
        raise KitError(f"{manifest} is not valid JSON ({err}); restore it from git") from None
    return {
        name: Assignment(name, spec.get("title", name), spec["total"], tuple(
            Question(q["id"], q["notebook"], q["topic"], tuple(q["days"]), q["points"],
                     tuple(q.get("references", ())))
            for q in spec["questions"]))
        for name, spec in raw.items()
    }


def question_by_id(question_id: str):
    """The course's question with this id, or None."""
    return next((q for a in load_course().values() for q in a.questions if q.id == question_id), None)


def band(total: float) -> str:
    # Round first so 5.999999 from summed quarter points is a 6, not a 5.
    total = round(total, 6)
    return next(text for lowest, text in SCORE_BANDS if total >= lowest)
