"""The database's guards (append-only and signed-record triggers) held against the set the
migrations make: someone with the database key can drop or weaken a trigger, then change what
it guarded; `doctor` and `audit verify` name each trigger that is missing, altered or extra."""

import re
from collections.abc import Sequence
from functools import cache

from sqlmodel import Session

from supervise.store.db import migrations as schema
from supervise.store.db.backend import backend

_CREATE = re.compile(r"\s*CREATE\s+TRIGGER\s+(\w+)", re.IGNORECASE)
MAX_LISTED = 5
_DROP = re.compile(r"\s*DROP\s+TRIGGER\s+(\w+)", re.IGNORECASE)


def _normal(sql: str) -> str:
    return " ".join(sql.split())


def expected_triggers(migrations: Sequence[schema.Migration] = schema.MIGRATIONS
                      ) -> dict[str, str]:
    """Each trigger a store at the latest schema has, by name, with its SQL: what migrations'
    statements create, less what later ones drop. (retention's purge drops and puts back the
    very same statements inside its own transaction.)"""
    made: dict[str, str] = {}
    for _, steps in migrations:
        for step in steps:
            if not isinstance(step, str):
                continue
            if created := _CREATE.match(step):
                made[created.group(1)] = _normal(step)
            elif dropped := _DROP.match(step):
                made.pop(dropped.group(1), None)
    return made


@cache
def _latest() -> dict[str, str]:
    return expected_triggers()


def trigger_problems(session: Session) -> list[str]:
    found = {name: _normal(sql or "") for name, sql in
             backend.triggers(session.connection()).items()}
    expected = _latest()
    problems: list[str] = []
    missing = sorted(expected.keys() - found.keys())
    if missing:
        listed = ", ".join(missing[:MAX_LISTED]) + (
            f" and {len(missing) - MAX_LISTED} more" if len(missing) > MAX_LISTED else "")
        problems.append(f"the database guard{'s' * (len(missing) > 1)} {listed} "
                        f"{'are' if len(missing) > 1 else 'is'} missing: the triggers that keep "
                        "signed records and the audit trail from being changed were dropped")
    problems += [f"the database guard {name} was altered: it no longer refuses what it should"
                 for name in sorted(expected.keys() & found.keys())
                 if expected[name] != found[name]]
    problems += [f"the database has a trigger supervise did not make ({name})"
                 for name in sorted(found.keys() - expected.keys())]
    return problems
