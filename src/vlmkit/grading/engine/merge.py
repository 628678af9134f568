"""The notebook that is actually executed: the trusted source's skeleton with the learner's answers.

    merged, notes = merge(source_nb, learner_nb)

Every locked or test cell comes from the source (so a deleted, edited or duplicated test cell
changes nothing), every answer cell comes from the learner, and the learner's own extra cells
stay where they were, after the answer or test cell they followed.
"""

import nbformat

from vlmkit.grading.nbgrader_io.cells import nbgrader_meta

MISSING_ANSWER = 'raise NotImplementedError("this answer cell was deleted from the notebook")'


def _is_answer(meta) -> bool:
    return bool(meta.get("solution"))


def merge(source_nb, learner_nb):
    """(notebook to execute, notes about what was restored) from the source and the learner's copy."""
    source_ids = {nbgrader_meta(c).get("grade_id") for c in source_nb.cells} - {None}
    answers, attached, notes = {}, {None: []}, []
    anchor = None
    for cell in learner_nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in source_ids and grade_id not in answers:
            answers[grade_id] = cell
            anchor = grade_id
            attached.setdefault(anchor, [])
        elif grade_id in source_ids:
            notes.append(f"duplicate of cell {grade_id} ignored")
        elif cell.get("cell_type") in ("code", "markdown"):
            attached.setdefault(anchor, []).append(_clean(cell, cell, keep_metadata=False))

    merged = nbformat.v4.new_notebook(metadata=source_nb.metadata)
    merged.cells.extend(attached[None])
    for cell in source_nb.cells:
        meta = nbgrader_meta(cell)
        grade_id = meta.get("grade_id")
        if grade_id is None:
            continue  # the learner's copy of ordinary cells arrives through `attached`
        mine = answers.get(grade_id)
        if _is_answer(meta):
            if mine is None:
                notes.append(f"answer cell {grade_id} was deleted")
                mine = nbformat.v4.new_code_cell(MISSING_ANSWER, metadata=cell.metadata)
            merged.cells.append(_clean(mine, cell))
        else:
            if mine is None:
                notes.append(f"cell {grade_id} was deleted and has been restored")
            elif mine.get("source") != cell.source and not meta.get("grade"):
                notes.append(f"locked cell {grade_id} was edited and has been restored")
            merged.cells.append(_clean(cell, cell))
        merged.cells.extend(attached.get(grade_id, []))
    return merged, notes


def _clean(cell, trusted, keep_metadata=True):
    """A fresh cell of the trusted cell's type with this cell's source, no outputs."""
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    metadata = trusted.get("metadata", {}) if keep_metadata else {}
    if trusted.get("cell_type") == "markdown":
        return nbformat.v4.new_markdown_cell(source, metadata=metadata)
    return nbformat.v4.new_code_cell(source, metadata=metadata)
