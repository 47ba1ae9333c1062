"""One exception type for problems a user can fix, so the CLI prints one line, never a traceback."""


class SaywellError(Exception):
    """A problem with the user's input or installation; the message names the problem and the fix."""
