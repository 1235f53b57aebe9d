"""People: staff who supervise, are supervised, or hold a key to the store."""

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from supervise.domain.dates import iso_or_none
from supervise.domain.names import clean_name, name_key, one_line, unknown_name
from supervise.domain.records.canonical import digest, iso_utc
from supervise.domain.records.register_rules import PersonDates, person_problems
from supervise.domain.rows import PersonRow
from supervise.errors import Hint, SuperviseError, UsageError
from supervise.store.db.tables import Person
from supervise.store.db.writing import Writing
from supervise.store.integrity.audit_append import append_event

EDITABLE = (
    "name", "role", "team", "start_date", "requires_supervision", "is_supervisor",
    "supervisor_trained_on", "supervisor_since", "newly_qualified_on",
)


def person_row(person: Person) -> PersonRow:
    """The one shape every output (table, JSON, show) is built from."""
    return {
        "name": person.name,
        "role": person.role,
        "team": person.team,
        "start_date": iso_or_none(person.start_date),
        "left_date": iso_or_none(person.left_date),
        "status": "left" if person.left_date else "active",
        "requires_supervision": person.requires_supervision,
        "supervisor": person.is_supervisor,
        "supervisor_since": iso_or_none(person.supervisor_since),
        "supervisor_trained_on": iso_or_none(person.supervisor_trained_on),
        "newly_qualified_on": iso_or_none(person.newly_qualified_on),
        "custodian": person.custodian,
    }



def list_people(session: Session, *, include_left: bool = True) -> list[Person]:
    query = select(Person).order_by(Person.name_key)
    if not include_left:
        query = query.where(col(Person.left_date).is_(None))
    return list(session.exec(query))


def names_in_post(session: Session, *, supervisors_only: bool = False) -> list[str]:
    """The names of the staff in post (or of the supervisors among them), offered wherever a
    name is asked for."""
    return [p.name for p in list_people(session, include_left=False)
            if p.is_supervisor or not supervisors_only]


def person_name(session: Session, person_id: int) -> str:
    person = session.get(Person, person_id)
    return person.name if person else "(unknown)"


def find_person(session: Session, name: str) -> Person:
    person = session.exec(select(Person).where(Person.name_key == name_key(name))).first()
    if person is None:
        raise unknown_name(name, [p.name for p in list_people(session)])
    return person


def _check(person: Person, today: date) -> None:
    problems = person_problems(PersonDates(
        person.start_date, person.left_date, person.is_supervisor, person.supervisor_trained_on,
        person.supervisor_since, person.newly_qualified_on), today)
    if problems:
        raise problems[0]


def _record(work: Writing, person: Person, *, action: str,
            detail: dict[str, Any] | None = None) -> None:
    session = work.session
    session.add(person)
    session.flush()
    append_event(work, action=action, record_type="person",
                 record_id=str(person.id), digest=digest(person_row(person)), detail=detail)


def add_person(work: Writing, *, name: str, role: str,
               team: str | None = None, start_date: date | None = None,
               is_supervisor: bool = False, supervisor_trained_on: date | None = None,
               supervisor_since: date | None = None, newly_qualified_on: date | None = None,
               requires_supervision: bool = True, custodian: bool = False) -> Person:
    session, now = work.session, work.now
    name = clean_name(name)
    existing = session.exec(select(Person).where(Person.name_key == name_key(name))).first()
    if existing is not None:
        raise SuperviseError(f"{existing.name} is already recorded:",
                             Hint.of("edit_person_or_distinguish"))
    stamp = iso_utc(now)
    person = Person(
        name=name, name_key=name_key(name), role=one_line(role, "role"),
        team=one_line(team, "team") if team else None, start_date=start_date,
        is_supervisor=is_supervisor or supervisor_trained_on is not None,
        supervisor_trained_on=supervisor_trained_on, newly_qualified_on=newly_qualified_on,
        supervisor_since=supervisor_since,
        requires_supervision=requires_supervision, custodian=custodian,
        created_at=stamp, updated_at=stamp,
    )
    if person.is_supervisor and person.supervisor_since is None:
        person.supervisor_since = min(start_date, now.date()) if start_date else now.date()
    _check(person, now.date())
    _record(work, person, action="person.add")
    return person


def edit_person(work: Writing, person: Person, *, changes: dict[str, Any]) -> list[str]:
    """Apply `changes` (fields of EDITABLE); returns the names of the fields that changed."""
    session, now = work.session, work.now
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise UsageError(f"Cannot edit {', '.join(sorted(unknown))}.")
    if "name" in changes and name_key(changes["name"]) != person.name_key and person.custodian:
        raise SuperviseError(f"{person.name} holds a key to the store, which knows them by "
                             "this name:", Hint.of("rename_key_holder"))
    if "name" in changes:
        new_name = clean_name(changes["name"])
        clash = session.exec(select(Person).where(Person.name_key == name_key(new_name))).first()
        if clash is not None and clash.id != person.id:
            raise SuperviseError(f"{clash.name} is already recorded: choose another name.")
        changes = {**changes, "name": new_name}
        person.name_key = name_key(new_name)
    if "role" in changes:
        changes["role"] = one_line(changes["role"], "role")
    if changes.get("team"):
        changes["team"] = one_line(changes["team"], "team")
    changed = [field for field, value in changes.items() if getattr(person, field) != value]
    if not changed:
        return []
    for field in changed:
        setattr(person, field, changes[field])
    if "is_supervisor" in changed:  # the training deadline runs from becoming one
        if person.is_supervisor and "supervisor_since" not in changed:
            person.supervisor_since = now.date()
        elif not person.is_supervisor:
            person.supervisor_since = None
    _check(person, now.date())
    person.updated_at = iso_utc(now)
    _record(work, person, action="person.edit",
            detail={"fields": sorted(changed)})
    return changed


def leave_person(work: Writing, person: Person, *, left: date) -> None:
    now = work.now
    if person.left_date:
        raise SuperviseError(f"{person.name} already left on {person.left_date}.")
    person.left_date = left
    _check(person, now.date())
    person.updated_at = iso_utc(now)
    _record(work, person, action="person.leave")
