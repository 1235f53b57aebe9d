"""Meetings that did not happen: who cancelled, why, and the rebooked date. The cancelling party
owns the rebooking (SPEC §2)."""

from datetime import date

from sqlmodel import Session, col, select

from supervise.domain.records.canonical import digest, iso_utc
from supervise.domain.rows import CancellationRow
from supervise.domain.text import clean_line
from supervise.errors import Hint, UsageError
from supervise.store.db.tables import Cancellation, Person, id_of
from supervise.store.db.writing import Writing
from supervise.store.integrity.audit_append import append_event

PARTIES = ("supervisor", "supervisee")


def cancel_meeting(work: Writing, *, supervisee: Person, supervisor: Person | None,
                   meeting_on: date, by: str, reason: str, rebooked: date | None,
                   ) -> Cancellation:
    session, now, actor = work.session, work.now, work.actor
    if by not in PARTIES:
        raise UsageError("", Hint.of("give_by_party", by=by))
    if rebooked is not None and rebooked <= meeting_on:
        raise UsageError(f"The rebooked date {rebooked} is not after the cancelled meeting "
                         f"({meeting_on}).")
    row = Cancellation(supervisee_id=id_of(supervisee),
                       supervisor_id=supervisor.id if supervisor else None,
                       meeting_on=meeting_on, cancelled_by=by,
                       reason=clean_line(reason, "reason"), rebooked_on=rebooked,
                       recorded_at=iso_utc(now), recorded_by=actor)
    session.add(row)
    session.flush()
    append_event(work, action="session.cancel",
                 record_type="cancellation", record_id=str(row.id),
                 digest=digest(cancellation_row(session, row)))
    return row


def cancellation_row(session: Session, row: Cancellation) -> CancellationRow:
    supervisee = session.get(Person, row.supervisee_id)
    supervisor = session.get(Person, row.supervisor_id) if row.supervisor_id else None
    return {"id": row.id, "supervisee": supervisee.name if supervisee else None,
            "supervisor": supervisor.name if supervisor else None,
            "meeting_on": row.meeting_on.isoformat(), "cancelled_by": row.cancelled_by,
            "reason": row.reason,
            "rebooked_on": row.rebooked_on.isoformat() if row.rebooked_on else None}


def cancellations_of(session: Session, supervisee: Person) -> list[Cancellation]:
    return list(session.exec(select(Cancellation).where(
        Cancellation.supervisee_id == supervisee.id).order_by(col(Cancellation.meeting_on))))
