"""The one error type. Every failure a user can meet is a SuperviseError, exit code per SPEC §5.

Messages are one line and never carry a key, a passphrase or record content. Below `cli/` a
message says what is wrong in the product's words; what to type to fix it (a flag, a command)
is a `Hint`: a key and its parameters, which the CLI's one catalogue (cli/hints.py) turns into
the flag or command to give, so only the CLI knows its own spelling.
"""

import errno
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Hint:
    """What the user can do next, by key (see cli/hints.py) with its parameters."""

    key: str
    params: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def of(cls, key: str, **params: object) -> "Hint":
        return cls(key, MappingProxyType(dict(params)))


Spell = Callable[[Hint], str]
"""How the CLI words a hint (cli/hints.py): passed down, so nothing below the CLI spells one."""


def joined(message: str, hint: Hint | None, spell: Spell) -> str:
    """A message and its hint as the one line the user reads."""
    if hint is None:
        return message
    text = spell(hint)
    return f"{message} {text}" if message else text


class SuperviseError(Exception):
    """A failure the user can act on. Exit code 1."""

    exit_code = 1

    def __init__(self, message: str, hint: Hint | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def said(self, spell: Spell) -> str:
        """The one line the user reads, the hint worded by `spell`. An error made of others'
        messages (a list of problems) words each of their hints too."""
        return joined(self.message, self.hint, spell)


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


DISK_FULL = "The disk is full; your store is not damaged; nothing was saved."
SQLITE_FULL = "database or disk is full"  # SQLITE_FULL (13), as SQLite words it
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


class DiskFullError(SuperviseError):
    """The disk (or the user's quota) has no room left for a write: said as such, never as
    damage, so nobody restores a healthy store over itself. Whatever was being written was
    rolled back or removed."""

    def __init__(self, message: str = DISK_FULL, hint: Hint | None = None) -> None:
        super().__init__(message, hint or Hint.of("free_space"))


def disk_full(error: BaseException | None) -> bool:
    """Whether `error`, or an error it was raised from or during, is the disk being full: an
    OSError ENOSPC or EDQUOT, or SQLite's SQLITE_FULL (whichever driver or wrapper carries it)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, DiskFullError):
            return True
        if isinstance(error, OSError) and error.errno in _NO_SPACE:
            return True
        if getattr(error, "sqlite_errorcode", None) == 13 or SQLITE_FULL in str(error):
            return True
        error = getattr(error, "orig", None) or error.__cause__ or error.__context__
    return False
