"""Collecting submissions without a hub (`vlmkit collect`): learners' submission.zip files, as an
LMS (Canvas, Moodle) hands them out, into nbgrader's submitted layout for `vlmkit autograde`.

    report = collect_zips(Path("download.zip"), Path("submissions"), mapping=None)

SOURCE: a folder of zips (subfolders too), one learner's zip, or a zip of learners' zips (an LMS
"download all"). A learner's zip is what `make submission` writes (`checkpoint/*.ipynb`,
`capstone/capstone.ipynb`; one extra top folder is tolerated; hidden files and `__MACOSX/` are
ignored); it becomes DEST/<student>/<assignment>/*.ipynb and nbgrader's timestamp.txt (the zip's
newest member date, as UTC). Each assignment folder is built aside and swapped in whole; other
students, and assignments a zip lacks, stay as they were. Learner ids: a mapping CSV (`file,student`)
or the zip's name (learner_id()). report.skipped says, a line each, what was not collected, why and
what to do: not a zip, damaged, not a submission, a learner's older second zip, a notebook that is
misplaced, unknown, unreadable, unsafe (absolute, `..`, symlink) or over the grader's size cap.
"""

import contextlib
import csv
import io
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from vlmkit.course import load_course
from vlmkit.errors import KitError
from vlmkit.grading.nbgrader_io.cells import MAX_NOTEBOOK_BYTES, BrokenNotebook, read_notebook
from vlmkit.grading.workflows.autograde import STUDENT_NAME

MAX_ZIP_BYTES = 512 << 20  # one learner's zip inside a download-all, uncompressed (usually ~1 MB)
MOODLE = re.compile(r"(.+?)_\d+_assignsubmission_", re.IGNORECASE)
CANVAS = re.compile(r"([^_]+)(?:_late)?_\d+_\d+_.+", re.IGNORECASE)
SUFFIX = re.compile(r"[_-]submission(?:-\d+)?$", re.IGNORECASE)
BARE = re.compile(r"submission(?:-\d+)?", re.IGNORECASE)
USE_MAP = "--map CSV (columns file,student)"
RESUBMIT = "ask the learner to run `make submission` and hand in that zip"


@dataclass(frozen=True)
class Collected:
    student: str
    assignment: str
    notebooks: tuple
    source: str  # the zip it came from, as named in SOURCE


@dataclass(frozen=True)
class Skipped:
    item: str  # a file of SOURCE, or "file: member"
    reason: str  # what is wrong and what to do


@dataclass
class CollectReport:
    collected: list = field(default_factory=list)  # Collected, one per student and assignment
    skipped: list = field(default_factory=list)  # Skipped, one per item or member


class _Refused(Exception):  # this item or member is not collected; the message says why and what to do
    pass


def learner_id(path: PurePosixPath) -> str | None:
    """The learner id a zip's name gives, or None where it names no learner.

    Learner ids, unless --map CSV (columns file,student; file: the zip's name, or its path inside
    the source) names them, come from the zip's name less `.zip`:
      Moodle `Full Name_123456_assignsubmission_file_...` → `Full_Name` (spaces become `_`);
      Canvas `login[_late]_<user id>_<file id>_<file name>` → `login`;
      any other name less a trailing `_submission`/`-submission` (and a `-1` resubmission mark):
      `ada_submission.zip` → `ada`; a bare `submission.zip` takes its folder's name by the same
      rules (Moodle's "download in folders").
    An id holds only letters, digits and _.@+- (nbgrader's folder names); a zip whose name gives
    none is skipped: name it with --map.
    """
    for name in (path.name, path.parent.name):
        stem = name[:-4] if name.lower().endswith(".zip") else name
        if moodle := MOODLE.match(stem):
            stem = moodle[1].strip().replace(" ", "_")
        elif canvas := CANVAS.fullmatch(stem):
            stem = canvas[1]
        else:
            stem = SUFFIX.sub("", stem)
        if stem and not BARE.fullmatch(stem):
            return stem
    return None


def is_student_id(name: str) -> bool:
    return bool(STUDENT_NAME.fullmatch(name)) and not name.startswith(".")  # no `..`, no hidden folder


def read_mapping(path: Path) -> dict:
    """file → student from a CSV with the columns file,student (a spreadsheet's BOM is fine)."""
    try:
        rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError) as err:
        raise KitError(f"cannot read the mapping {path} ({err})") from None
    if not rows or not {"file", "student"} <= set(rows[0]):
        raise KitError(f"{path} needs a header row `file,student`, then one row per learner's zip")
    mapping = {}
    for row in rows:
        file, student = (row["file"] or "").strip(), (row["student"] or "").strip()
        if not is_student_id(student):
            raise KitError(f"{path}: {student!r} (for {file!r}) is not a student id: "
                           f"letters, digits and _.@+- only")
        mapping[file] = student
    return mapping


def _hidden(parts) -> bool:
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    if info.file_size > cap:  # zipfile never inflates past file_size, so this bounds a zip bomb
        raise _Refused(f"{info.file_size >> 20} MB uncompressed, over the {cap >> 20} MB cap: refused")
    try:
        return zf.read(info)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, OSError, zlib.error) as err:
        raise _Refused(f"damaged inside the zip ({err}); {RESUBMIT}") from None


def _as_zip(data) -> zipfile.ZipFile:
    """data: a Path or bytes."""
    try:
        return zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise _Refused(f"damaged zip ({err}); download it again, or {RESUBMIT}") from None


def _plan(zf: zipfile.ZipFile, course: dict) -> tuple[dict, list]:
    """(assignment → notebook → member to collect, [(member, why it is not collected)])."""
    home = {q.notebook: a for a, spec in course.items() for q in spec.questions}
    placed, problems = {}, []
    for info in zf.infolist():
        name = info.filename.replace("\\", "/")
        parts = [p for p in name.split("/") if p]
        if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in parts:
            problems.append((info.filename, "an absolute or `..` path: refused"))
        elif info.is_dir() or not parts or _hidden(parts):
            continue  # .ipynb_checkpoints/, __MACOSX/, dotfiles: never part of a submission
        elif stat.S_ISLNK(info.external_attr >> 16):
            problems.append((info.filename, "a symbolic link: refused"))
        elif not parts[-1].endswith(".ipynb"):
            continue  # data, pictures: nbgrader grades the notebooks only
        else:
            if len(parts) == 3 and parts[0] not in course and parts[1] in course:
                parts = parts[1:]  # one extra top folder: notebooks/checkpoint/q1_clip_loss.ipynb
            problem = _misplaced(parts, course, home)
            if not problem and info.file_size > MAX_NOTEBOOK_BYTES:  # the grader's own cap
                problem = f"{info.file_size >> 20} MB, over the grader's {MAX_NOTEBOOK_BYTES >> 20} MB cap: refused"
            if problem:
                problems.append((info.filename, problem))
            else:
                placed.setdefault(parts[0], {})[parts[1]] = info
    return placed, problems


def _misplaced(parts: list, course: dict, home: dict) -> str | None:
    if len(parts) != 2 or parts[0] not in course:
        return f"outside the assignment folders ({', '.join(course)}): not collected; {RESUBMIT}"
    assignment, notebook = parts
    if home.get(notebook) == assignment:
        return None
    if notebook in home:
        return f"a notebook of {home[notebook]}, not of {assignment}: not collected; it belongs in {home[notebook]}/"
    expected = ", ".join(q.notebook for q in course[assignment].questions)
    return f"no such notebook in {assignment} (expected {expected}): not collected; keep the released names"


def _items(source: Path, dest: Path, course: dict, stack: contextlib.ExitStack) -> list:
    """[(its path inside SOURCE, () -> a Path or bytes)] for every would-be learner zip of SOURCE."""
    if source.is_dir():
        files = sorted(p for p in source.rglob("*") if p.is_file() and not _hidden(p.relative_to(source).parts)
                       and dest.resolve() not in p.resolve().parents)  # --out may lie inside --from
        if not files:
            raise KitError(f"{source} holds no files; put the learners' zips there")
        return [(p.relative_to(source).as_posix(), lambda p=p: p) for p in files]
    if not source.is_file():
        raise KitError(f"no folder or zip at {source}")
    try:
        zf = stack.enter_context(_as_zip(source))
    except _Refused as err:
        raise KitError(f"{source} is neither a folder nor a learner's or an LMS's zip: {err}") from None
    inner = [i for i in zf.infolist() if not i.is_dir() and not _hidden(i.filename.split("/"))]
    if _plan(zf, course)[0] or not any(i.filename.lower().endswith(".zip") for i in inner):
        return [(source.name, lambda: source)]  # one learner's zip
    return [(i.filename, lambda i=i: _read_member(zf, i, MAX_ZIP_BYTES)) for i in inner]  # an LMS download


def _student_of(label: str, mapping: dict | None) -> tuple[str | None, str]:
    path = PurePosixPath(label)
    if mapping is not None:
        student = mapping.get(label) or mapping.get(path.name)
        return student, "" if student else f"not in the mapping; add a row `{path.name},<student>` to collect it"
    student = learner_id(path)
    if student is None:
        return None, f"its name names no learner; name it with {USE_MAP}"
    if not is_student_id(student):
        return None, f"{student!r} is not a student id (letters, digits and _.@+- only); name it with {USE_MAP}"
    return student, ""


def _stamp(newest: tuple) -> str:
    """nbgrader's timestamp.txt line (`2026-12-06 18:00:00.000000 UTC`); a zip's dates carry no zone."""
    try:
        when = datetime(*newest, tzinfo=timezone.utc)
    except ValueError:  # a damaged date field (month 0, hour 31): the time of collection instead
        when = datetime.now(timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M:%S.%f %Z")


def _swap(new: Path, target: Path) -> None:
    """Put the folder `new` at `target`: a reader sees the old folder or the new one, never a mix."""
    if not target.exists():
        os.replace(new, target)
        return
    old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.replaced-"))
    os.replace(target, old)  # onto the empty folder
    os.replace(new, target)
    shutil.rmtree(old)


def _install(zf, members: dict, student: str, assignment: str, label: str, stamp: str, dest: Path,
             report: CollectReport) -> None:
    """Build the student's assignment folder aside (hidden, so autograde never lists it), then swap it in."""
    home = dest / student
    home.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=home, prefix=f".{assignment}.collecting-"))
    try:
        kept = []
        for notebook, info in sorted(members.items()):
            try:
                (tmp / notebook).write_bytes(_read_member(zf, info, MAX_NOTEBOOK_BYTES))
                read_notebook(tmp / notebook)  # the grader's own reader: what it refuses, we refuse
                kept.append(notebook)
            except (_Refused, BrokenNotebook) as err:
                (tmp / notebook).unlink(missing_ok=True)
                reason = str(err) if isinstance(err, _Refused) else (
                    f"{err}: not collected; ask the learner to save it again in Jupyter and resubmit")
                report.skipped.append(Skipped(f"{label}: {info.filename}", reason))
        if kept:
            (tmp / "timestamp.txt").write_text(stamp)  # as nbgrader writes it: no newline
            _swap(tmp, home / assignment)
            report.collected.append(Collected(student, assignment, tuple(kept), label))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        with contextlib.suppress(OSError):
            home.rmdir()  # only if nothing was collected for a new student


def collect_zips(source: Path, dest: Path, mapping: Path | None = None) -> CollectReport:
    """Collect every learner's zip in `source` into `dest` (see the module's docstring)."""
    source, dest, course = Path(source), Path(dest), load_course()
    names = read_mapping(mapping) if mapping is not None else None
    if dest.exists() and not dest.is_dir():
        raise KitError(f"{dest} is a file; --out names the submissions folder")
    report, found = CollectReport(), {}
    with contextlib.ExitStack() as stack:
        for label, data in _items(source, dest, course, stack):
            if not label.lower().endswith(".zip"):
                report.skipped.append(Skipped(label, "not a zip file; only learners' zips are collected"))
                continue
            try:
                with _as_zip(data()) as zf:
                    placed = _plan(zf, course)[0]
                    newest = max(i.date_time for i in zf.infolist()) if placed else ()
            except _Refused as err:
                report.skipped.append(Skipped(label, str(err)))
                continue
            student, reason = _student_of(label, names) if placed else (None, (
                f"not a submission: no notebook of {', '.join(course)} in it; {RESUBMIT}"))
            if student:
                found.setdefault(student, []).append((newest, label, data))
            else:
                report.skipped.append(Skipped(label, reason))
        dest.mkdir(parents=True, exist_ok=True)
        for student, zips in sorted(found.items()):
            *others, (newest, label, data) = sorted(zips, key=lambda z: z[:2])
            for older, other, _ in others:  # deterministic: newer contents, then the later name
                why = "its contents are newer" if older < newest else "same date, its name sorts later"
                report.skipped.append(Skipped(other, f"a second zip for {student}: kept {label} ({why}); "
                                                     f"if they are two learners, tell them apart with {USE_MAP}"))
            stamp = _stamp(newest)
            with _as_zip(data()) as zf:
                placed, problems = _plan(zf, course)
                report.skipped += [Skipped(f"{label}: {member}", why) for member, why in problems]
                for assignment in (a for a in course if a in placed):
                    _install(zf, placed[assignment], student, assignment, label, stamp, dest, report)
    return report
