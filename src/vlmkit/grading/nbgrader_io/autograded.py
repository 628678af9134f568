"""nbgrader's autograded notebooks: what formgrader shows an instructor for each submission.

    GRADES/autograded/<student>/<assignment>/<notebook>.ipynb

Formgrader lists a submission under Manual Grading only when this file exists, and renders it.
`vlmkit autograde` writes it from the notebook that was graded: the trusted cells (test cells
whole: the instructor wrote them), the learner's answers, and under each test cell the kit's
verdicts as plain text. The learner's own outputs are left out: they may hold anything, and
formgrader would render their HTML in the instructor's browser.
"""

import copy

import nbformat

from vlmkit.grading.checking.points import points_text
from vlmkit.grading.nbgrader_io.cells import nbgrader_meta


def verdict_text(cell_result: dict) -> str:
    """`[score/max points]` then one ✓ or ✗ line per check: how the kit reports a test cell."""
    lines = [f"[{points_text(cell_result['score'], cell_result['max_score'])}]"]
    for v in cell_result["verdicts"]:
        lines.append(f"✓ {v['check']}" if v["passed"] else f"✗ {v['check']}: {v['message']}")
    return "\n".join(lines)


def autograded_notebook(merged, result: dict) -> str:
    """The graded notebook as formgrader should show it (JSON text). result: QuestionResult.to_json()."""
    by_id = {c["grade_id"]: c for c in result.get("cells", [])}
    notes = list(result.get("notes", []))
    notebook = copy.deepcopy(merged)
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id not in by_id:
            continue
        text = verdict_text(by_id[grade_id])
        if notes:  # timeouts, restored cells: shown once, with the first test cell
            text = "grading notes:\n" + "\n".join(f"  {n}" for n in notes) + "\n\n" + text
            notes = []
        cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text=text + "\n"))
    return nbformat.writes(notebook)
