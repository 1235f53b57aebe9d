"""Migrations' DDL, rendered from the table declarations (tables.py), so the schema is written
once. A migration names what it makes: a table as it was first made (less the columns a later
migration adds), an index, a column."""

from collections.abc import Iterable

from sqlalchemy import Column, Table
from sqlalchemy.schema import CreateColumn, CreateIndex, CreateTable

from supervise.store.db.backend import backend
from supervise.store.db.tables import SQLModel


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _column(table: str, name: str) -> Column:
    return _table(table).columns[name]


def create_table(name: str, *, later: Iterable[str] = (), required_then: Iterable[str] = ()) -> str:
    """CREATE TABLE for a declared table; `later` are its columns that a later migration adds,
    `required_then` those it made NOT NULL that a later migration lets be empty."""
    later, required_then = set(later), set(required_then)
    declared = _table(name)
    unknown = (later | required_then) - set(declared.columns.keys())
    if unknown:
        raise ValueError(f"{name} declares no column {sorted(unknown)}")
    if any(later & {c.name for c in constraint.columns}  # type: ignore[attr-defined]
           for constraint in declared.constraints):
        raise ValueError(f"a column of {name} added later cannot be in a constraint")
    relaxed = [c for c in declared.columns if c.name in required_then and c.nullable]
    for column in relaxed:  # rendered as it was then, and put back at once
        column.nullable = False
    try:
        statement = CreateTable(declared)
        statement.columns = [c for c in statement.columns if c.element.name not in later]
        return str(statement.compile(dialect=backend.dialect())).strip()
    finally:
        for column in relaxed:
            column.nullable = True


def create_index(table: str, name: str) -> str:
    found = [i for i in _table(table).indexes if i.name == name]
    if len(found) != 1:
        raise ValueError(f"{table} declares no index {name}")
    return str(CreateIndex(found[0]).compile(dialect=backend.dialect())).strip()


def create_indexes(table: str, names: Iterable[str]) -> list[str]:
    return [create_index(table, name) for name in names]


def add_column(table: str, name: str) -> str:
    column = _column(table, name)
    # The column as CREATE TABLE would write it, from a statement of that one column.
    rendered = CreateColumn(column).compile(dialect=backend.dialect())
    return f"ALTER TABLE {table} ADD COLUMN {str(rendered).strip()}"
