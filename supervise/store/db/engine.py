"""The SQLAlchemy engine over the keyed store, and the translation of driver failures."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from supervise.errors import DiskFullError, Hint, StoreFileError, SuperviseError, disk_full
from supervise.files import no_space_left
from supervise.store.db.backend import backend

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def make_engine(path: Path, key: bytes, *, writes: bool = True, reading: bool = False,
                waits: bool = True) -> "Engine":
    """`writes`: every transaction takes the write lock first (the store); False for read-only
    checks, which open the file read-only and never wait for a writer. `reading`: a command
    that only reads, whose transactions never take the write lock (so never wait behind a
    writer). `waits=False`: a write finding the lock taken fails at once (StoreInUse)."""
    return backend.engine(path, key, writes=writes and not reading, reading=reading,
                          waits=waits)


@contextmanager
def translated_errors(path: Path | None = None) -> Iterator[None]:
    """Turn driver failures into one-line SuperviseErrors without SQL or parameters. `path`:
    the store file, whose disk is looked at before an I/O error is called damage."""
    try:
        yield
    except Exception as exc:
        orig = backend.driver_error(exc)
        if orig is None:
            raise
        original = str(orig)
        if backend.is_busy(orig):
            raise backend.StoreInUse() from None
        if disk_full(orig) or (path is not None and backend.is_damage(orig)
                               and no_space_left(path)):
            raise DiskFullError() from None
        if backend.SIGNED_REFUSAL in original:
            raise SuperviseError(
                "That record is signed, and the store refuses to change a signed record:",
                Hint.of("amend_signed_record")) from None
        if backend.is_damage(orig):
            raise StoreFileError(
                "The store file is truncated or damaged: restore it from a backup."
            ) from None
        raise
