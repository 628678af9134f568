"""What `vlmkit demo` shows of the example learners' written answers (graded by hand, apart).

    print(grade_written_examples(Path("out/demo/grading")))

After autograding, each written answer either awaits a grader in formgrader or, left empty
(the blank learner's), is already scored 0 automatically. The demo then plays the instructor for
the `mistakes` learner, whose answers are their own and partly right: it stores the marks and
comments of autograder/written_answers/<question>.py as formgrader would, and rebuilds grades.csv,
report.json and the feedback pages. The complete learner's answers stay unscored, for whoever
opens formgrader on the demo's folder. The text returned says, per learner and assignment, where
the written answers stand and the `written` points they make in grades.csv, beside an autograded
total that they never change.
"""

import textwrap
from pathlib import Path

from vlmkit.course import load_course
from vlmkit.grading.authoring.answer_banks import written_answers
from vlmkit.grading.checking.points import points_text
from vlmkit.grading.nbgrader_io.gradebook import EMPTY_ANSWER, grade_by_hand, manual_marks
from vlmkit.grading.nbgrader_io.written import NOT_GRADED, written_total
from vlmkit.grading.outputs.grade_files import written_column
from vlmkit.grading.outputs.rebuild import refresh
from vlmkit.grading.outputs.score_table import TABLE_WIDTH

GRADED_BY_DEMO = "mistakes"  # the example learner whose written answers the demo scores


def grade_written_examples(out: Path) -> str:
    """Score the mistakes learner's written answers in OUT (every assignment graded there), bring
    OUT's outputs up to date and say where every example learner's written answers stand."""
    out = Path(out)
    course = load_course()
    db = out / "gradebook.db"
    assignments = [name for name in course if manual_marks(db, name)]
    for name in assignments:
        marks = {grade_id: (score, comment) for q in course[name].questions
                 for _, grade_id, _, score, comment in written_answers(q.id)[:1]}
        grade_by_hand(db, name, GRADED_BY_DEMO, marks)
    refresh(out)
    lines = ["Written answers (scored by hand in formgrader, reported apart from the autograded points):"]
    marks = {name: manual_marks(db, name) for name in assignments}
    for student in sorted({s for by_student in marks.values() for s in by_student}):
        for name in assignments:
            if student in marks[name]:
                label = student if name == assignments[0] else ""
                lines += _written_lines(f"  {label:10s}{name}", marks[name][student])
    note = (f"The demo scored the {GRADED_BY_DEMO} learner's answers as an instructor would, with the marks "
            f"and comments of autograder/written_answers/. Their feedback pages show each answer with its "
            f"score, the comment and the key points: {out / 'feedback' / GRADED_BY_DEMO}/<assignment>/*.html. "
            f"In grades.csv, {' and '.join(written_column(name) for name in assignments)} hold the written points "
            f"once every answer is scored ({NOT_GRADED!r} until then); total and band stay the autograded ones.")
    lines += textwrap.wrap(note, TABLE_WIDTH, break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines)


def _written_lines(heading: str, marks: dict) -> list[str]:
    """One learner's written answers in one assignment: their points and state, then each answer
    scored by hand with the first sentence of its comment."""
    scores, comments = marks["scores"], marks["comments"]
    points = written_total(scores)
    maximum = sum(s["max_score"] for s in scores.values())
    empty = [g for g, s in scores.items() if s["score"] == 0 and comments.get(g) == EMPTY_ANSWER]
    awaiting = [g for g, s in scores.items() if s["score"] is None]
    by_hand = sorted(set(scores) - set(empty) - set(awaiting))
    states = [f"{len(ids)} {state}" for ids, state in ((by_hand, "scored by hand"), (awaiting, "awaiting a grader"),
                                                       (empty, "empty: scored 0 automatically")) if ids]
    value = NOT_GRADED if points is None else points_text(points, maximum)
    lines = [f"{heading}: written {value} ({', '.join(states)})"]
    for grade_id in by_hand:
        first = (comments.get(grade_id) or "").split(". ")[0].rstrip(".")
        score = points_text(scores[grade_id]["score"], scores[grade_id]["max_score"])
        lines += textwrap.wrap(f"{grade_id} {score}: {first}", TABLE_WIDTH, initial_indent=" " * 14,
                               subsequent_indent=" " * 16)
    return lines
