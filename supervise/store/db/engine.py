"""The SQLAlchemy engine over a keyed SQLCipher file, and the translation of driver failures."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from supervise.errors import Hint, StoreFileError, SuperviseError
from supervise.store.db import sqlcipher as sqlite


def make_engine(path: Path, key: bytes, *, writes: bool = True):
    """`writes`: every transaction takes the write lock first (the store); False for read-only
    checks, which open the file read-only and never wait for a writer."""
    import sqlcipher3.dbapi2 as dbapi
    from sqlalchemy import create_engine, event

    engine = create_engine(
        "sqlite:///" + str(path),
        module=dbapi,
        creator=lambda: sqlite.connect(path, key, read_only=not writes),
        hide_parameters=True,
    )

    if not writes:
        return engine

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn) -> None:
        # Take the write lock up front: two processes appending to the audit chain must not
        # both read the same last link.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@contextmanager
def translated_errors() -> Iterator[None]:
    """Turn driver failures into one-line SuperviseErrors without SQL or parameters."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except DBAPIError as exc:
        original = str(exc.orig)
        if sqlite.is_busy(exc.orig):
            raise sqlite.StoreInUse() from None
        if sqlite.SIGNED_REFUSAL in original:
            raise SuperviseError(
                "That record is signed, and the store refuses to change a signed record:",
                Hint.of("amend_signed_record")) from None
        if sqlite.is_damage(exc.orig):
            raise StoreFileError(
                "The store file is truncated or damaged: restore it from a backup."
            ) from None
        raise
