"""Files on either side of grading: what untrusted code may have touched, and what the grader writes.

A learner's kernel (or an upload) can replace a file with a symlink to another student's
work, a FIFO that blocks the reader forever, or /dev/zero. `read_capped` refuses all of them.
`atomic_write` writes the grader's own files (grades, results, pages, configs) so that no reader
ever sees half of one, with the mode below.
"""

import os
import stat
import tempfile
from pathlib import Path

# The mode of every file grading writes into GRADES (grades, reports, feedback pages, results):
# readable by the grader's group (on a hub, formgrade-<course>: the instructors and TAs) and by
# nobody else, since a grades folder holds every learner's marks. mkstemp alone would give 0600.
# Change it here (0o644 lets every account read them: only where GRADES itself keeps others out);
# a secret (the pseudonym key) passes its own mode.
OUTPUT_MODE = 0o640


def atomic_write(path: Path, text: str, mode: int = OUTPUT_MODE) -> None:
    """Write via a temporary file and rename, so a reader never sees a half-written file; the
    file gets `mode` whatever the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.fchmod(fd, mode)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


class NotARegularFile(OSError):
    """The path is a link, a FIFO, a device or a folder, or it is larger than allowed."""


def read_capped(path, limit: int) -> bytes:
    """The file's bytes; raises NotARegularFile or FileNotFoundError, never blocks."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as err:
        if isinstance(err, FileNotFoundError):
            raise
        raise NotARegularFile(f"{os.path.basename(path)} is a link or a special file") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(f"{os.path.basename(path)} is not a regular file")
        if info.st_size > limit:
            raise NotARegularFile(f"{os.path.basename(path)} is larger than {limit >> 20} MB")
        return fh.read(limit)
