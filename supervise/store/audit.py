"""The append-only, hash-chained audit trail (the table's triggers refuse UPDATE and DELETE)."""

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from supervise.domain.audit import GENESIS, chain_problems, event_hash
from supervise.domain.canonical import canonical_json, iso_utc
from supervise.store.models import AuditEvent


def append_event(
    session: Session,
    *,
    now: datetime,
    actor: str,
    action: str,
    record_type: str | None = None,
    record_id: str | None = None,
    digest: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    last = session.exec(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()
    fields = {
        "seq": (last.seq if last else 0) + 1,
        "at": iso_utc(now),
        "actor": actor,
        "action": action,
        "record_type": record_type,
        "record_id": record_id,
        "digest": digest,
        "detail": canonical_json(detail or {}).decode("utf-8"),
        "prev_hash": last.hash if last else GENESIS,
    }
    event = AuditEvent(**fields, hash=event_hash(fields))
    session.add(event)
    session.flush()
    return event


def event_row(event: AuditEvent) -> dict[str, Any]:
    row = event.model_dump()
    row["detail"] = json.loads(event.detail)
    return row


def audit_events(session: Session, *, record: tuple[str, int] | None = None,
                 last: int | None = None) -> list[AuditEvent]:
    """The trail oldest first; only one record's events, or only the newest `last`, if asked."""
    query = select(AuditEvent)
    if record is not None:
        query = query.where(AuditEvent.record_type == record[0],
                            AuditEvent.record_id == str(record[1]))
    if last is not None:
        return list(reversed(session.exec(query.order_by(AuditEvent.seq.desc()).limit(last))
                             .all()))
    return list(session.exec(query.order_by(AuditEvent.seq)))


def audit_problems(session: Session) -> list[str]:
    return chain_problems(event.model_dump() for event in audit_events(session))
