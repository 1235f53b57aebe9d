"""Records are numbered 1..N as they are made (S1, C1, D1…): a number missing below the highest
is a record deleted, unless the audit trail says why (retention destroyed it, or it was a
draft discarded). A deleted newest record leaves no gap; the anchor in each key holder's slot
(store/keys/anchor.py) catches that one."""

import json

from sqlmodel import Session, col, select

from supervise.store.db.tables import AuditEvent
from supervise.store.records.numbered import MODELS, label

MAX_LISTED = 5


def _explained(session: Session) -> dict[str, set[int] | None]:
    """Record numbers the trail accounts for, by kind (None: any gap may be expected)."""
    gone: dict[str, set[int]] = {kind: set() for kind in MODELS}
    discarded = False
    events = session.exec(select(AuditEvent).where(
        col(AuditEvent.action).like("%.destroyed") | (AuditEvent.action == "session.discard")))
    for event in events:
        if event.record_type in gone and event.record_id and event.record_id.isdigit():
            gone[event.record_type].add(int(event.record_id))
        if event.action.endswith(".destroyed"):
            detail = json.loads(event.detail)
            gone["decision"].update(int(n) for n in detail.get("decisions", []))
            gone["amendment"].update(int(n) for n in detail.get("amendments", []))
        discarded = discarded or event.action == "session.discard"
    accounted: dict[str, set[int] | None] = dict(gone)
    if discarded:
        accounted["decision"] = None  # a discarded draft takes its decisions, unlisted
    return accounted


def gap_problems(session: Session) -> list[str]:
    problems: list[str] = []
    explained = _explained(session)
    for kind, model in MODELS.items():
        ids = set(session.exec(select(model.id)))  # type: ignore[attr-defined]
        if not ids:
            continue
        allowed = explained.get(kind)
        if allowed is None:
            continue  # decisions, once a draft has been discarded: gaps are expected
        missing = [n for n in range(1, max(ids)) if n not in ids and n not in allowed]
        if missing:
            listed = ", ".join(str(n) for n in missing[:MAX_LISTED])
            more = f" (and {len(missing) - MAX_LISTED} more)" if len(missing) > MAX_LISTED else ""
            problems.append(f"{label(kind, missing[0])} is missing" if len(missing) == 1 else
                            f"{kind}s {listed}{more} are missing")
            problems[-1] += (": deleted from the store, and no audit event says it was "
                             "destroyed or discarded")
    return problems
