"""Retention: what each record's rule says at a date, legal holds, and destroying what is due."""

from datetime import date
from typing import Any

from supervise.app.unit import unit_of_work
from supervise.clock import now
from supervise.domain.policy.retention import Row
from supervise.store.db.opening import Store
from supervise.store.records import retention
from supervise.store.records.retention import Purged

__all__ = ["Purged", "Row", "holds", "place_hold", "purge", "release_hold", "report"]


def report(store: Store, day: date | None = None) -> list[Row]:
    """Every record's retention at `day` (default: today) under the policy in force."""
    with unit_of_work(store) as work:
        return retention.report(work.session, day or work.now.date())


def place_hold(store: Store, *, reason: str, child: str | None = None,
               person: str | None = None) -> tuple[int, str]:
    """Hold every record about `child`, or of `person`, or (neither given) the whole store;
    the hold's number and what it is on."""
    from supervise.store.records.children import find_child
    from supervise.store.records.people import find_person

    with unit_of_work(store) as work:
        if child is not None:
            subject = find_child(work.session, child)
            scope, subject_id, name = "child", subject.id, subject.name
        elif person is not None:
            found = find_person(work.session, person)
            scope, subject_id, name = "person", found.id, found.name
        else:
            scope, subject_id, name = "store", None, "the whole store"
        hold_id = retention.place_hold(work, scope=scope, subject_id=subject_id,
                                       reason=reason)
        return hold_id, name


def holds(store: Store, *, include_released: bool) -> list[dict[str, Any]]:
    with unit_of_work(store) as work:
        return [h.as_dict()
                for h in retention.hold_rows(work.session, include_released=include_released)]


def release_hold(store: Store, hold_id: int, *, reason: str) -> str:
    """Release the hold; what it was on."""
    with unit_of_work(store) as work:
        released = retention.release_hold(work, hold_id, reason=reason)
        return released.hold.subject


def purge(store: Store, *, expected: set[tuple[str, int]]) -> Purged:
    """Destroy what is due today, refused unless it is exactly `expected` (what was confirmed)."""
    return retention.purge(store, now=now(), expected=expected)
