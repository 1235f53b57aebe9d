"""The append-only, hash-chained audit trail (the table's triggers refuse UPDATE and DELETE)."""

import json
from typing import Any

from sqlmodel import Session, col, select

from supervise.domain.records.audit import GENESIS, chain_problems, event_hash
from supervise.domain.records.canonical import canonical_json, iso_utc
from supervise.domain.rows import EventRow
from supervise.store.db.tables import AuditEvent
from supervise.store.db.writing import Writing


def append_event(
    work: Writing,
    *,
    action: str,
    record_type: str | None = None,
    record_id: str | None = None,
    digest: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    session, now, actor = work.session, work.now, work.actor
    seq, prev_hash = _last_link(session)
    fields: dict[str, Any] = {
        "seq": seq + 1,
        "at": iso_utc(now),
        "actor": actor,
        "action": action,
        "record_type": record_type,
        "record_id": record_id,
        "digest": digest,
        "detail": canonical_json(detail or {}).decode("utf-8"),
        "prev_hash": prev_hash,
    }
    event = AuditEvent(**fields, hash=event_hash(fields))
    session.add(event)
    session.flush()
    session.info[_LAST_LINK] = (session.get_transaction(), event.seq, event.hash)
    return event


_LAST_LINK = "supervise.audit.last_link"


def appended_events(session: Session) -> bool:
    """Whether append_event ran in this session (the key holder's anchor then moves on)."""
    return _LAST_LINK in session.info


def _last_link(session: Session) -> tuple[int, str]:
    """The newest event's (seq, hash). Read once per transaction: every write transaction
    begins IMMEDIATE (engine.py), so no other connection appends until it ends, and in it only
    append_event adds events, so the event it added last is still the newest."""
    known = session.info.get(_LAST_LINK)
    transaction = session.get_transaction()
    if known is not None and transaction is not None and known[0] is transaction:
        return known[1], known[2]
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)).first()
    if last is None:
        return 0, GENESIS
    assert last.seq is not None  # a stored event has its number
    return last.seq, last.hash


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
