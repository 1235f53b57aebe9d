"""A new table's DDL, generated from its model (tables.py) so that the schema is written once.

Migrations 1 to 7 were written out by hand before this existed and stay exactly as they ran on
users' stores; `tests/test_schema.py` proves that what they build is, column for column, index
for index, what the models describe. From migration 8 on, a table is created from its model:
`*create_table(Model)`. A column added to such a table later is added with `add_column`, which
a store created after the model changed already has, so it is skipped there."""

from dataclasses import dataclass

from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateColumn, CreateIndex, CreateTable
from sqlmodel import SQLModel

_DIALECT = sqlite_dialect.dialect()


def create_table(model: type[SQLModel]) -> list[str]:
    """CREATE TABLE and CREATE INDEX statements for `model`, as the model now stands."""
    table = model.__table__  # type: ignore[attr-defined]
    statements = [str(CreateTable(table).compile(dialect=_DIALECT)).strip()]
    statements += [str(CreateIndex(index).compile(dialect=_DIALECT)).strip()
                   for index in sorted(table.indexes, key=lambda index: index.name)]
    return statements


@dataclass(frozen=True)
class AddColumn:
    """ALTER TABLE … ADD COLUMN for a column of a model-created table, unless it is there."""

    table: str
    column: str
    sql: str


def add_column(model: type[SQLModel], column: str) -> AddColumn:
    table = model.__table__  # type: ignore[attr-defined]
    spec = str(CreateColumn(table.columns[column]).compile(dialect=_DIALECT)).strip()
    return AddColumn(table.name, column, f"ALTER TABLE {table.name} ADD COLUMN {spec}")
