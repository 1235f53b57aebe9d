"""Which schema a store is at, read without the migrations (so without the ORM's tables):
every unlock asks, and nearly always the answer is "the latest"."""

from typing import Any

from supervise.store.db.backend import backend

# The number of the last migration in migrations.py (a test holds the two equal).
LATEST = 13


def schema_version(conn: Any) -> int:
    if not backend.has_table(conn, "store_meta"):
        return 0
    row = conn.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0
