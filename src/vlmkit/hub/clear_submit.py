"""nbgrader's submit, with a clear answer when the exchange is full (set as ExchangeFactory.submit
in the hub's nbgrader_config.py, so every learner's Assignment List uses it).

nbgrader's own submit copies the notebooks into the exchange and, when the disk fills up, the
learner sees a `shutil.Error` several thousand characters long and a partial folder stays in the
exchange. Here the partial folder is removed (it is the learner's own) and the learner reads one
line: the submission was not made, and what to do.
"""

import errno
import os
import shutil

from nbgrader.exchange.default.submit import ExchangeSubmit

FULL = ("Your submission was not made: the course's exchange is full. Nothing of it was kept; "
        "tell your instructor, and submit again once there is room.")


def _no_space(err: Exception) -> bool:
    if isinstance(err, shutil.Error):  # copytree gathers (source, destination, reason) per file
        return any(f"[Errno {errno.ENOSPC}]" in str(entry) for entry in err.args[0])
    return getattr(err, "errno", None) in (errno.ENOSPC, errno.EDQUOT)


class ClearSubmit(ExchangeSubmit):
    def copy_files(self):
        try:
            super().copy_files()
        except (shutil.Error, OSError) as err:
            if not _no_space(err):
                raise
            shutil.rmtree(os.path.join(self.inbound_path, self.assignment_filename), ignore_errors=True)
            self.fail(FULL)
