"""nbgrader's collect, made safe for a live class: only complete submissions, owner checked,
each one swapped into place in one step.

nbgrader's own ExchangeCollect takes each learner's newest inbound folder as it finds it. Its
submit writes the notebooks, then timestamp.txt, then submission_secret.txt, so a folder
without the secret is a submission still being copied (or one whose server died mid-copy);
collecting it would replace the learner's last good submission with a partial one. And the
inbound folder is writable by every account: a learner may drop a folder named after someone
else. This collector (set as `ExchangeFactory.collect` by `vlmkit collect --hub`):
- takes each learner's newest *complete* submission, owned by that learner's account;
- copies it beside the old one and swaps it in with renames, so an interruption loses nothing;
- logs each submission it skips as one "SKIPPED: ..." warning, for the command to print.
"""

import glob
import os
import pwd
import shutil

from nbgrader.exchange.default.collect import ExchangeCollect

COMPLETE_MARKER = "submission_secret.txt"  # the last file nbgrader's submit writes


class CompleteSubmissionsCollect(ExchangeCollect):
    def init_src(self):
        # nbgrader's own init_src stops the whole collect at one badly named folder, and the
        # inbound folder is writable by every account: so the same checks, then one name at a time.
        if not self.coursedir.course_id:
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path) or not os.access(self.inbound_path, os.R_OK | os.X_OK):
            self.fail(f"Course not found or not readable: {self.inbound_path}")
        student = self.coursedir.student_id or "*"
        newest = {}
        for path in glob.glob(os.path.join(self.inbound_path, f"{student}+{self.coursedir.assignment_id}+*")):
            problem, record = self._judge(path)
            if problem:
                self.log.warning(f"SKIPPED: {problem}")
            elif record["username"] not in newest or record["timestamp"] > newest[record["username"]]["timestamp"]:
                newest[record["username"]] = record
        self.src_records = list(newest.values())

    def _judge(self, path: str):
        """(why the inbound folder is not collected, or None; its record)."""
        try:
            record = self._path_to_record(path)
        except (ValueError, OverflowError):  # a name nbgrader's submit never writes
            return f"{os.path.basename(path)!r} is not a submission's name; left in the exchange", None
        name, stamp = record["username"], record["timestamp"]
        marker = os.path.join(path, COMPLETE_MARKER)
        if not os.path.isfile(marker) or os.path.getsize(marker) == 0:
            return (f"{name}: the submission of {stamp} is incomplete (still being submitted, or stopped "
                    "mid-way); their previous one is kept"), record
        owner = _owner(path)
        if owner != name:
            return f"{name}: a submission of {stamp} was made by the account {owner}, not by them; refused", record
        return None, record

    def copy_files(self):
        for record in self.src_records:
            name = record["username"]
            source = os.path.join(self.inbound_path, record["filename"])
            dest = self.coursedir.format_path(self.coursedir.submitted_directory, name,
                                              self.coursedir.assignment_id)
            existing = self.coursedir.get_existing_timestamp(dest) if os.path.isdir(dest) else None
            if existing is not None and existing >= record["timestamp"]:
                continue  # already collected
            incoming, outgoing = f"{dest}.incoming", f"{dest}.replaced"
            for leftover in (incoming, outgoing):  # of a collect that was interrupted
                shutil.rmtree(leftover, ignore_errors=True)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            self.do_copy(source, incoming)
            if os.path.isdir(dest):
                os.rename(dest, outgoing)
            os.rename(incoming, dest)
            shutil.rmtree(outgoing, ignore_errors=True)
            self.log.info(f"Collected submission: {name} {self.coursedir.assignment_id} ({record['timestamp']})")


def _owner(path: str) -> str:
    try:
        return pwd.getpwuid(os.stat(path).st_uid).pw_name
    except KeyError:
        return "unknown"
