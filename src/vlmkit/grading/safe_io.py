"""Reading files that untrusted code may have touched: regular files only, never more than a cap.

A learner's kernel (or an upload) can replace a file with a symlink to another student's
work, a FIFO that blocks the reader forever, or /dev/zero. `read_capped` refuses all of them.
"""

import os
import stat


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
