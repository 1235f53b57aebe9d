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


def create_table(name: str, *, later: Iterable[str] = ()) -> str:
    """CREATE TABLE for a declared table; `later` are its columns that a later migration adds."""
    later = set(later)
    declared = _table(name)
    unknown = later - set(declared.columns.keys())
    if unknown:
        raise ValueError(f"{name} declares no column {sorted(unknown)}")
    if any(later & {c.name for c in constraint.columns}  # type: ignore[attr-defined]
           for constraint in declared.constraints):
        raise ValueError(f"a column of {name} added later cannot be in a constraint")
    statement = CreateTable(declared)
    statement.columns = [c for c in statement.columns if c.element.name not in later]
    return str(statement.compile(dialect=backend.dialect())).strip()


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
