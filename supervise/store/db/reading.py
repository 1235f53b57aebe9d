"""Reads in plain SQL on the store's own DB-API connection: no ORM objects, no SQLAlchemy.

The commands people run most (`person list`, `overdue`, the unlock every command begins with)
and the checks that walk a whole store (`doctor`, `audit verify`) read through a Reader: rows
as tuples, streamed where a table can be large. `reader_of(session)` gives one inside an ORM
session's own transaction, so a use case that writes through the ORM reads the same snapshot.
Parameters are named (`:name`) and the SQL is portable; what is not lives in the backend."""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

Params = Mapping[str, Any] | Sequence[Any]


class Reader:
    def __init__(self, conn: Any) -> None:
        self.conn = conn  # a DB-API connection, inside a transaction its owner began

    def rows(self, sql: str, params: Params = ()) -> list[tuple]:
        return list(self.conn.execute(sql, params).fetchall())

    def iterate(self, sql: str, params: Params = (), *, size: int = 2000) -> Iterator[tuple]:
        """The rows of a query `size` at a time, for tables too large to hold at once."""
        cursor = self.conn.execute(sql, params)
        try:
            while batch := cursor.fetchmany(size):
                yield from batch
        finally:
            cursor.close()

    def one(self, sql: str, params: Params = ()) -> tuple | None:
        row = self.conn.execute(sql, params).fetchone()
        return tuple(row) if row is not None else None

    def value(self, sql: str, params: Params = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def execute(self, sql: str, params: Params = ()) -> None:
        """A write in the owner's transaction (the unlock's own audit event)."""
        self.conn.execute(sql, params)


def reader_of(session: Any) -> Reader:
    """A Reader on an ORM session's connection, in the session's transaction (flushed first,
    so what the session added is read back)."""
    session.flush()
    return Reader(session.connection().connection.driver_connection)
