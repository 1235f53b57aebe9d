"""Opening the store for one command: every store command begins here, so it imports only
what unlocking needs (no ORM, no backup or restore)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from supervise.clock import now
from supervise.errors import SuperviseError
from supervise.store.db.opening import Store, unlock_store, unlock_with_session
from supervise.store.keys.unlocked import SessionEnded


@contextmanager
def opened(path: Path, *, passphrase: Callable[[], str], user: str | None,
           session_key: str | None = None,
           session_ended: Callable[[SuperviseError], None] | None = None,
           read_only: bool = False) -> Iterator[Store]:
    """The store at `path`, unlocked (the files are checked before `passphrase()` is asked),
    closed when the block ends. With the key of an unlocked session (`unlock`), its sealed keys
    open it and nothing is asked; a session that has ended is reported to `session_ended` and
    the passphrase is asked as usual. `read_only`: the command only reads, so it never waits
    behind another process's write (its unlock is audited all the same)."""
    store = None
    if session_key:
        try:
            store = unlock_with_session(path, session_key, user=user, now=now(),
                                        read_only=read_only)
        except SessionEnded as ended:
            if session_ended is not None:
                session_ended(ended)
    if store is None:
        store = unlock_store(path, passphrase=passphrase, user=user, now=now(),
                             read_only=read_only)
    try:
        yield store
    finally:
        store.close()
