"""Appending to the hash-chained audit trail, in plain SQL (no ORM: every unlock appends)."""

from typing import Any

from supervise.domain.records.audit import GENESIS, event_hash
from supervise.domain.records.canonical import canonical_json, iso_utc
from supervise.store.db.reading import Reader, reader_of
from supervise.store.db.writing import Writing


def append_event(
    work: Writing,
    *,
    action: str,
    record_type: str | None = None,
    record_id: str | None = None,
    digest: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """One event on the end of the chain, in the writer's transaction. `work.session` is an
    ORM session or, on paths that need no ORM (the unlock every command begins with), a
    Reader on a raw write transaction; the event is written in plain SQL either way."""
    reader = work.session if isinstance(work.session, Reader) else reader_of(work.session)
    seq, prev_hash = _last_link(reader)
    fields: dict[str, Any] = {
        "seq": seq + 1,
        "at": iso_utc(work.now),
        "actor": work.actor,
        "action": action,
        "record_type": record_type,
        "record_id": record_id,
        "digest": digest,
        "detail": canonical_json(detail or {}).decode("utf-8"),
        "prev_hash": prev_hash,
    }
    fields["hash"] = event_hash(fields)
    reader.execute(f"INSERT INTO audit_event ({', '.join(fields)}) "
                   f"VALUES ({', '.join(':' + name for name in fields)})", fields)
    if not isinstance(work.session, Reader):
        work.session.info[_APPENDED] = True


_APPENDED = "supervise.audit.appended"


def appended_events(session: Any) -> bool:
    """Whether append_event ran in this session (the key holder's anchor then moves on)."""
    return _APPENDED in session.info


def _last_link(reader: Reader) -> tuple[int, str]:
    """The newest event's (seq, hash): one index lookup. Every write transaction begins
    IMMEDIATE (engine.py), so no other connection appends until it ends."""
    last = reader.one("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")
    if last is None:
        return 0, GENESIS
    return int(last[0]), str(last[1])
