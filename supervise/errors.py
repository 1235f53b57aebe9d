"""The one error type. Every failure a user can meet is a SuperviseError, exit code per SPEC §5.

Messages are one line, name the fix, and never carry a key, a passphrase or record content.
"""


class SuperviseError(Exception):
    """A failure the user can act on. Exit code 1."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(SuperviseError):
    """The command was given wrongly (missing flag, impossible date, no terminal to ask on)."""

    exit_code = 2


class UnlockError(SuperviseError):
    """The store could not be unlocked: wrong passphrase, unknown user, missing key file."""

    exit_code = 3


class VerificationError(SuperviseError):
    """A verification found a problem."""

    exit_code = 4


class NotFoundError(SuperviseError):
    """An unknown name or id; the message carries the closest matches."""


class StoreFileError(SuperviseError):
    """The store file is missing, empty, foreign, truncated or damaged."""
