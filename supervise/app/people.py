"""Staff (recording, listing, changing, leaving) and the case register of children. Rows come
back as plain dicts (`person_row`, `child_row`), read inside the transaction."""

from datetime import date
from typing import Any

from supervise.app.unit import unit_of_work
from supervise.domain.rows import ChildDetail, ChildRow, PersonRow
from supervise.store.db.opening import Store
from supervise.store.records import children, people


def add_person(store: Store, *, name: str, role: str, team: str | None = None,
               start_date: date | None = None, is_supervisor: bool = False,
               supervisor_trained_on: date | None = None, supervisor_since: date | None = None,
               newly_qualified_on: date | None = None,
               requires_supervision: bool = True) -> PersonRow:
    with unit_of_work(store) as work:
        person = people.add_person(
            work, name=name, role=role, team=team,
            start_date=start_date, is_supervisor=is_supervisor,
            supervisor_trained_on=supervisor_trained_on, supervisor_since=supervisor_since,
            newly_qualified_on=newly_qualified_on, requires_supervision=requires_supervision)
        return people.person_row(person)


def show_person(store: Store, name: str) -> PersonRow:
    with unit_of_work(store) as work:
        return people.person_row(people.find_person(work.session, name))


def edit_person(store: Store, name: str, changes: dict[str, Any]) -> tuple[str, list[str]]:
    """The person's name (as it now stands) and the fields that changed."""
    with unit_of_work(store) as work:
        person = people.find_person(work.session, name)
        changed = people.edit_person(work, person, changes=changes)
        return person.name, changed


def leave(store: Store, name: str, left: date) -> str:
    with unit_of_work(store) as work:
        person = people.find_person(work.session, name)
        people.leave_person(work, person, left=left)
        return person.name


# The case register: children, their families and their status.

def add_child(store: Store, *, name: str, dob: date | None, ref: str | None,
              family: str | None, status: str, since: date | None = None,
              new: bool = False) -> str:
    """The child's name as recorded. A child the register may already hold under a near
    spelling (same date of birth or family) is refused unless `new` says it is another."""
    with unit_of_work(store) as work:
        child = children.add_child(work, name=name, dob=dob, ref=ref, family=family,
                                   status=status, status_since=since, refuse_near=not new)
        return child.name


def list_children(store: Store) -> list[ChildRow]:
    with unit_of_work(store) as work:
        return [children.child_row(work.session, c) for c in children.list_children(work.session)]


def show_child(store: Store, name: str, *, dob: date | None = None,
               ref: str | None = None) -> ChildDetail:
    """The child's row, with `sessions`: each session that discussed them (id, date, status)."""
    with unit_of_work(store) as work:
        child = children.find_child(work.session, name, dob=dob, ref=ref)
        return {**children.child_row(work.session, child), "sessions": [
            {"id": s.id, "held_on": s.held_on.isoformat(), "status": s.status}
            for s in children.child_sessions(work.session, child)]}
