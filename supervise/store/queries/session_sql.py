"""Textual SQL on an ORM session, for store code that reads and writes inside one (retention).
A read that needs no ORM goes through a Reader instead (store/db/reading.py)."""

from typing import Any


def _statement(sql: str, params: dict[str, Any]) -> Any:
    from sqlalchemy import bindparam, text  # loaded already wherever a session exists

    statement = text(sql)
    expanding = [name for name, value in params.items() if isinstance(value, (list, tuple))]
    if expanding:
        statement = statement.bindparams(*(bindparam(n, expanding=True) for n in expanding))
    return statement


def rows(session: Any, sql: str, **params: Any) -> list[Any]:
    """The rows of a query; a list or tuple parameter is expanded for `IN :name`."""
    return list(session.connection().execute(_statement(sql, params), params))


def run(session: Any, sql: str, **params: Any) -> int:
    """Run a statement that returns no rows; the number of rows it changed."""
    return session.connection().execute(_statement(sql, params), params).rowcount
