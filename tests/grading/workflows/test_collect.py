"""`vlmkit collect`: learners' submission.zip files (a folder, one zip, an LMS zip of zips) into
nbgrader's submitted layout, with one line for everything not collected. No notebook runs.
Run: .venv/bin/pytest tests/grading/workflows/test_collect.py
"""

import io
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import pytest

from vlmkit import paths
from vlmkit.commands import main
from vlmkit.course import load_course
from vlmkit.errors import KitError
from vlmkit.grading.workflows.autograde import assignments_present, find_students
from vlmkit.grading.workflows.collect import collect_zips, learner_id

COURSE = load_course()
NOTEBOOKS = {f"{a}/{q.notebook}" for a, spec in COURSE.items() for q in spec.questions}
DATE = (2026, 12, 6, 18, 0, 0)


@pytest.fixture(scope="session")
def made_zip(tmp_path_factory) -> bytes:
    """submission.zip as a learner's own zip tool makes it from the released notebooks (as the
    bundle's `make submission` did before `vlmkit submission`), with the .ipynb_checkpoints/ copy
    that Jupyter leaves beside them: collect must still ignore it."""
    root = tmp_path_factory.mktemp("learner")
    shutil.copytree(paths.NOTEBOOKS, root / "notebooks")
    hidden = root / "notebooks" / "checkpoint" / ".ipynb_checkpoints"
    hidden.mkdir()
    (hidden / "q1_clip_loss-checkpoint.ipynb").write_text("{ an autosave }")
    subprocess.run([sys.executable, "-m", "zipfile", "-c", "../submission.zip", "checkpoint", "capstone"],
                   cwd=root / "notebooks", check=True)
    return (root / "submission.zip").read_bytes()


def zip_bytes(members: dict, date=DATE, links=()) -> bytes:
    """A zip of name → bytes or str; names in `links` are stored as symbolic links."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=date)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = ((stat.S_IFLNK | 0o777) if name in links else (stat.S_IFREG | 0o644)) << 16
            zf.writestr(info, data)
    return buffer.getvalue()


def released(changes: dict = None) -> dict:
    """The released notebooks by zip member name, with changes: name → bytes or str, None drops it."""
    members = {name: (paths.NOTEBOOKS / name).read_bytes() for name in sorted(NOTEBOOKS)}
    members.update(changes or {})
    return {name: data for name, data in members.items() if data is not None}


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def notebooks_of(submissions: Path, student: str, assignment: str) -> set:
    return {p.name for p in (submissions / student / assignment).iterdir()}


def reasons(report) -> dict:
    return {s.item: s.reason for s in report.skipped}


@pytest.mark.parametrize("name, student", [
    ("ada.zip", "ada"), ("ada_submission.zip", "ada"), ("ada-submission.zip", "ada"),
    ("ada_submission-1.zip", "ada"), ("a.lovelace@uni.edu.zip", "a.lovelace@uni.edu"),
    ("lovelaceada_12345_67890_submission.zip", "lovelaceada"),
    ("lovelaceada_LATE_12345_67890_submission-1.zip", "lovelaceada"),
    ("Ada Lovelace_123456_assignsubmission_file_submission.zip", "Ada_Lovelace"),
    ("Ada Lovelace_123456_assignsubmission_file_/submission.zip", "Ada_Lovelace"),
    ("ada/submission.zip", "ada"), ("submission.zip", None), ("submission-2.zip", None),
])
def test_learner_ids_from_lms_file_names(name, student):
    assert learner_id(PurePosixPath(name)) == student


def test_a_folder_of_zips_becomes_a_gradeable_submissions_folder(tmp_path, made_zip):
    source, out = tmp_path / "download", tmp_path / "submissions"
    write(source / "ada_submission.zip", made_zip)
    write(source / "turingalan_late_123_456_submission.zip", made_zip)
    write(source / "Grace Hopper_987_assignsubmission_file_submission.zip", made_zip)
    write(source / ".DS_Store", b"\0")
    report = collect_zips(source, out)
    assert report.skipped == []
    assert {(c.student, c.assignment) for c in report.collected} == {
        (s, a) for s in ("ada", "turingalan", "Grace_Hopper") for a in COURSE}
    for assignment, spec in COURSE.items():
        assert notebooks_of(out, "ada", assignment) == {q.notebook for q in spec.questions} | {"timestamp.txt"}
        for q in spec.questions:  # the learner's bytes, untouched
            assert (out / "ada" / assignment / q.notebook).read_bytes() == (
                paths.NOTEBOOKS / assignment / q.notebook).read_bytes()
    newest = max(i.date_time for i in zipfile.ZipFile(io.BytesIO(made_zip)).infolist())
    stamp = (out / "ada" / "checkpoint" / "timestamp.txt").read_text().strip()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} UTC", stamp)
    assert stamp.startswith("{}-{:02}-{:02} {:02}:{:02}:{:02}".format(*newest))
    assert not list(out.rglob(".*"))  # neither .ipynb_checkpoints nor a leftover temporary folder
    assert find_students(out) == ["Grace_Hopper", "ada", "turingalan"]
    assert assignments_present(out, COURSE) == list(COURSE)


def test_a_single_learner_zip_and_a_bare_submission_zip(tmp_path, made_zip):
    report = collect_zips(write(tmp_path / "ada.zip", made_zip), tmp_path / "out")
    assert {c.student for c in report.collected} == {"ada"} and report.skipped == []
    report = collect_zips(write(tmp_path / "submission.zip", made_zip), tmp_path / "out2")
    assert report.collected == [] and "--map" in reasons(report)["submission.zip"]


def test_an_lms_zip_of_learner_zips(tmp_path, made_zip):
    nested = zip_bytes({"ada_submission.zip": made_zip,
                        "Grace Hopper_987_assignsubmission_file_/submission.zip": made_zip,
                        "notebooks/checkpoint/extra.zip": zip_bytes(released(), date=(2026, 12, 7, 9, 0, 0)),
                        "index.html": "<html>", "__MACOSX/._ada_submission.zip": b"\0"})
    report = collect_zips(write(tmp_path / "download_all.zip", nested), tmp_path / "out")
    assert {c.student for c in report.collected} == {"ada", "Grace_Hopper", "extra"}
    assert list(reasons(report)) == ["index.html"] and "not a zip" in reasons(report)["index.html"]


def test_a_mapping_names_the_learners(tmp_path, made_zip):
    for name in ("a.zip", "b.zip", "c.zip"):
        write(tmp_path / "in" / name, made_zip)
    mapping = tmp_path / "map.csv"
    mapping.write_text("\ufefffile,student\na.zip,s1001\nb.zip,s1002\n")
    report = collect_zips(tmp_path / "in", tmp_path / "out", mapping)
    assert {c.student for c in report.collected} == {"s1001", "s1002"}
    assert "add a row `c.zip,<student>`" in reasons(report)["c.zip"]
    mapping.write_text("zip,id\na.zip,s1\n")
    with pytest.raises(KitError, match="file,student"):
        collect_zips(tmp_path / "in", tmp_path / "out", mapping)
    mapping.write_text("file,student\na.zip,../escape\n")
    with pytest.raises(KitError, match="not a student id"):
        collect_zips(tmp_path / "in", tmp_path / "out", mapping)


def test_what_is_not_a_submission_is_one_line_each_and_the_rest_is_collected(tmp_path, made_zip):
    source = tmp_path / "in"
    write(source / "ada.zip", made_zip)
    write(source / "notes.txt", b"hello")
    write(source / "bob.zip", made_zip[: len(made_zip) // 2])  # a download cut short
    write(source / "cy.zip", zip_bytes({"README.md": "my work", "checkpoint/answers.py": "x = 1"}))
    write(source / "Émile.zip", made_zip)
    report = collect_zips(source, tmp_path / "out")
    assert {c.student for c in report.collected} == {"ada"}
    why = reasons(report)
    assert set(why) == {"notes.txt", "bob.zip", "cy.zip", "Émile.zip"}
    assert "not a zip file" in why["notes.txt"] and "damaged zip" in why["bob.zip"]
    assert "not a submission" in why["cy.zip"] and "--map" in why["Émile.zip"]


def test_a_duplicate_learner_keeps_the_newer_zip(tmp_path):
    source = tmp_path / "in"
    write(source / "ada_submission.zip", zip_bytes(released(), date=(2026, 12, 7, 9, 0, 0)))
    write(source / "ada.zip", zip_bytes(released({"capstone/capstone.ipynb": None}), date=(2026, 12, 1, 9, 0, 0)))
    write(source / "bob.zip", zip_bytes(released()))
    write(source / "bob-submission.zip", zip_bytes(released()))  # same dates: the later name
    report = collect_zips(source, tmp_path / "out")
    why = reasons(report)
    assert set(why) == {"ada.zip", "bob-submission.zip"}
    assert "kept ada_submission.zip (its contents are newer)" in why["ada.zip"]
    assert "kept bob.zip (same date, its name sorts later)" in why["bob-submission.zip"]
    assert (tmp_path / "out" / "ada" / "capstone" / "capstone.ipynb").exists()
    assert (tmp_path / "out" / "ada" / "checkpoint" / "timestamp.txt").read_text().startswith("2026-12-07 09:00:00")


def test_misplaced_unknown_and_damaged_notebooks_are_skipped_and_the_rest_kept(tmp_path):
    members = released({"checkpoint/q2_siglip.ipynb": "{ not json", "capstone/q1_clip_loss.ipynb": b"{}",
                        "checkpoint/q7_extra.ipynb": b"{}", "checkpoint/q3_bridges.ipynb": b'{"cells": 3}'})
    members = {f"submission/{name}": data for name, data in members.items()}  # one extra top folder
    members["submission/checkpoint/.ipynb_checkpoints/q1_clip_loss-checkpoint.ipynb"] = b"{}"
    members["submission/checkpoint/plot.png"] = b"\x89PNG"
    report = collect_zips(write(tmp_path / "ada.zip", zip_bytes(members)), tmp_path / "out")
    why = {item.split(": ", 1)[1]: reason for item, reason in reasons(report).items()}
    assert set(why) == {"submission/checkpoint/q2_siglip.ipynb", "submission/capstone/q1_clip_loss.ipynb",
                        "submission/checkpoint/q7_extra.ipynb", "submission/checkpoint/q3_bridges.ipynb"}
    assert "not valid JSON" in why["submission/checkpoint/q2_siglip.ipynb"]
    assert "a notebook of checkpoint, not of capstone" in why["submission/capstone/q1_clip_loss.ipynb"]
    assert "no such notebook in checkpoint" in why["submission/checkpoint/q7_extra.ipynb"]
    assert "not a readable notebook" in why["submission/checkpoint/q3_bridges.ipynb"]
    assert notebooks_of(tmp_path / "out", "ada", "checkpoint") == {
        "q1_clip_loss.ipynb", "q4_llava.ipynb", "q5_coordinate_tokens.ipynb", "q6_vla_actions.ipynb",
        "timestamp.txt"}
    assert notebooks_of(tmp_path / "out", "ada", "capstone") == {"capstone.ipynb", "timestamp.txt"}


def test_unsafe_and_oversized_members_are_refused(tmp_path):
    members = released({"../checkpoint/q1_clip_loss.ipynb": b"{}", "/tmp/checkpoint/q1_clip_loss.ipynb": b"{}",
                    "checkpoint/q3_bridges.ipynb": "/etc/passwd",
                    "checkpoint/q4_llava.ipynb": b"{" + b" " * (21 << 20) + b"}"})  # a bomb: 21 MB of blanks
    source = write(tmp_path / "ada.zip", zip_bytes(members, links={"checkpoint/q3_bridges.ipynb"}))
    report = collect_zips(source, tmp_path / "sub" / "out")
    why = {item.split(": ", 1)[1]: reason for item, reason in reasons(report).items()}
    assert "absolute or `..`" in why["../checkpoint/q1_clip_loss.ipynb"]
    assert "absolute or `..`" in why["/tmp/checkpoint/q1_clip_loss.ipynb"]
    assert "symbolic link" in why["checkpoint/q3_bridges.ipynb"]
    assert "over the grader's 20 MB cap" in why["checkpoint/q4_llava.ipynb"]
    assert not (tmp_path / "sub" / "checkpoint").exists()
    assert notebooks_of(tmp_path / "sub" / "out", "ada", "checkpoint") == {
        "q1_clip_loss.ipynb", "q2_siglip.ipynb", "q5_coordinate_tokens.ipynb", "q6_vla_actions.ipynb",
        "timestamp.txt"}


def test_collecting_again_replaces_only_that_learners_assignment_folders(tmp_path, made_zip):
    out = tmp_path / "out"
    write(tmp_path / "first" / "ada.zip", made_zip)
    write(tmp_path / "first" / "bob.zip", made_zip)
    collect_zips(tmp_path / "first", out)
    (out / "ada" / "checkpoint" / "stale.ipynb").write_text("{}")
    bob_before = {p: p.read_bytes() for p in (out / "bob").rglob("*") if p.is_file()}
    answered = (paths.NOTEBOOKS / "checkpoint" / "q1_clip_loss.ipynb").read_text().replace("YOUR CODE", "my answer")
    resubmitted = released({"capstone/capstone.ipynb": None, "checkpoint/q1_clip_loss.ipynb": answered})
    report = collect_zips(write(tmp_path / "again" / "ada.zip", zip_bytes(resubmitted)), out)
    assert [(c.student, c.assignment) for c in report.collected] == [("ada", "checkpoint")]
    assert "stale.ipynb" not in notebooks_of(out, "ada", "checkpoint")
    assert "my answer" in (out / "ada" / "checkpoint" / "q1_clip_loss.ipynb").read_text()
    assert (out / "ada" / "capstone" / "capstone.ipynb").exists()  # not in the new zip: left as it was
    assert {p: p.read_bytes() for p in (out / "bob").rglob("*") if p.is_file()} == bob_before
    assert not list(out.rglob(".*"))


def test_an_out_folder_inside_the_source_is_not_collected_again(tmp_path, made_zip):
    write(tmp_path / "in" / "ada.zip", made_zip)
    for _ in range(2):
        report = collect_zips(tmp_path / "in", tmp_path / "in" / "submissions")
        assert len(report.collected) == 2 and report.skipped == []


def test_the_command_prints_a_line_per_item_and_a_summary(tmp_path, made_zip, capsys):
    source = tmp_path / "in"
    write(source / "ada.zip", made_zip)
    write(source / "notes.txt", b"hello")
    write(source / "submission.zip", made_zip)
    assert main(["collect", "--from", str(source), "--out", str(tmp_path / "out")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if line.startswith("collected ada/")] == [
        "collected ada/checkpoint: 6 notebooks from ada.zip", "collected ada/capstone: 1 notebook from ada.zip"]
    skipped = [line for line in lines if line.startswith("skipped ")]
    assert len(skipped) == 2 and skipped[0].startswith("skipped notes.txt: not a zip file")
    assert lines[-2] == f"collected 2 assignment folders of 1 student into {tmp_path / 'out'}; skipped 2 items"
    assert main(["collect", "--from", str(tmp_path / "missing"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("vlmkit collect: error: no folder or zip at")
