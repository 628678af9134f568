"""KitError: the one exception type that the CLI turns into a one-line message.

Raise it for anything a user can fix (missing file, unknown name, broken notebook); the
message says what to do. Everything else is a bug and keeps its traceback.
"""


class KitError(Exception):
    """A problem the user can fix; `str(err)` is the whole message shown to them."""
