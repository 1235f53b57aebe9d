"""A person found by name in plain SQL, for commands that only read (`overdue --supervisor`)."""

from supervise.domain.names import name_key, unknown_name
from supervise.store.db.reading import Reader


def person_named(reader: Reader, name: str) -> tuple[int, str]:
    """(id, name as recorded) of the person called `name` (compared as records.people does);
    not found: the same error, with the closest names."""
    row = reader.one("SELECT id, name FROM person WHERE name_key = :key", {"key": name_key(name)})
    if row is None:
        raise unknown_name(name, [n for (n,) in reader.rows(
            "SELECT name FROM person ORDER BY name_key")])
    return int(row[0]), str(row[1])
