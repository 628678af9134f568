"""A new grades folder's gradebook: copied from the kit's cache, as nbgrader's release filled it."""

from nbgrader.api import Gradebook

from vlmkit.grading.nbgrader_io import gradebook
from vlmkit.grading.nbgrader_io.gradebook import record_grades


def _layout(db) -> list:
    with Gradebook(f"sqlite:///{db}") as gb:
        return sorted((nb.name, sorted((c.name, c.max_score) for c in nb.grade_cells))
                      for nb in gb.find_assignment("checkpoint").notebooks)


def test_nbgraders_release_runs_once_and_every_new_gradebook_gets_its_cells(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    releases = []
    release = gradebook.generate
    monkeypatch.setattr(gradebook, "generate", lambda *args, **kw: (releases.append(args), release(*args, **kw)))
    for folder in ("first", "second"):
        (tmp_path / folder).mkdir()
        record_grades(tmp_path / folder, "checkpoint", {"ada": {}})
    assert len(releases) == 1
    first, second = _layout(tmp_path / "first" / "gradebook.db"), _layout(tmp_path / "second" / "gradebook.db")
    assert first == second and len(first) == 6 and all(cells for _, cells in first)
    with Gradebook(f"sqlite:///{tmp_path / 'second' / 'gradebook.db'}") as gb:
        assert [s.id for s in gb.students] == ["ada"]  # the copy is the folder's own, not the cache's
    assert len(list((tmp_path / "cache" / "vlmkit" / "gradebooks").iterdir())) == 1
