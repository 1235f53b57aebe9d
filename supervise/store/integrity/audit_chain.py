"""The append-only, hash-chained audit trail (the table's triggers refuse UPDATE and DELETE)."""

import json

from sqlmodel import Session, col, select

from supervise.domain.records.audit import chain_problems
from supervise.domain.rows import EventRow
from supervise.store.db.tables import AuditEvent


def event_row(event: AuditEvent) -> EventRow:
    return EventRow(seq=event.seq, at=event.at, actor=event.actor, action=event.action,
                    record_type=event.record_type, record_id=event.record_id,
                    digest=event.digest, detail=json.loads(event.detail),
                    prev_hash=event.prev_hash, hash=event.hash)


def audit_events(session: Session, *, record: tuple[str, int] | None = None,
                 last: int | None = None) -> list[AuditEvent]:
    """The trail oldest first; only one record's events, or only the newest `last`, if asked."""
    query = select(AuditEvent)
    if record is not None:
        query = query.where(AuditEvent.record_type == record[0],
                            AuditEvent.record_id == str(record[1]))
    if last is not None:
        return list(reversed(session.exec(query.order_by(col(AuditEvent.seq).desc())
                                          .limit(last)).all()))
    return list(session.exec(query.order_by(col(AuditEvent.seq))))


def audit_problems(session: Session) -> list[str]:
    return chain_problems(event.model_dump() for event in audit_events(session))
