"""The staff list in plain SQL (reading.py): `person list` is the command run most, and it
needs no ORM. The same rows as records/people.person_row gives for an ORM person (a test holds
the two equal on the demo store)."""

from supervise.domain.rows import PersonRow
from supervise.store.db.reading import Reader

_COLUMNS = ("name", "role", "team", "start_date", "left_date", "requires_supervision",
            "is_supervisor", "supervisor_since", "supervisor_trained_on", "newly_qualified_on",
            "custodian")


def people_rows(reader: Reader, *, include_left: bool = True) -> list[PersonRow]:
    """Everyone (or those still in post), by name as the register sorts it."""
    where = "" if include_left else " WHERE left_date IS NULL"
    rows = reader.rows(f"SELECT {', '.join(_COLUMNS)} FROM person{where} ORDER BY name_key")
    return [_row(dict(zip(_COLUMNS, values, strict=True))) for values in rows]


def _row(v: dict) -> PersonRow:
    # Dates are stored as ISO text; flags as 0 or 1.
    return {
        "name": v["name"],
        "role": v["role"],
        "team": v["team"],
        "start_date": v["start_date"] or None,
        "left_date": v["left_date"] or None,
        "status": "left" if v["left_date"] else "active",
        "requires_supervision": bool(v["requires_supervision"]),
        "supervisor": bool(v["is_supervisor"]),
        "supervisor_since": v["supervisor_since"] or None,
        "supervisor_trained_on": v["supervisor_trained_on"] or None,
        "newly_qualified_on": v["newly_qualified_on"] or None,
        "custodian": bool(v["custodian"]),
    }
