"""The events of a review's chronology (SPEC §7), read from the records the export holds: each
case discussion, the decision made in it and a change in a child's status; each action agreed and
every review of it held in a session the export includes (or made between sessions in its
period); and what each record's own story adds: written late, not signed, and what a signer
said at signing (a disagreement is part of the story, with its words)."""

from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from supervise.domain.bundles.chronology import Event
from supervise.domain.document import answer_text
from supervise.domain.records.session_file import STATUSES
from supervise.domain.wording import signing_role_label, status_label, uk_date
from supervise.store.db.tables import (
    ActionItem,
    ActionReview,
    CaseChild,
    CaseDiscussion,
    Child,
    Decision,
    SessionRecord,
    id_of,
)
from supervise.store.queries.session_rows import owner_words
from supervise.store.records.numbered import stored
from supervise.store.records.people import person_name
from supervise.store.records.signatures import signatures_of, signing_summary

RANKS = {"status": 1, "decision": 2, "action": 3, "review": 4, "late": 5, "unsigned": 6,
         "comment": 7}
LEVELS = {code: level for level, code in enumerate(STATUSES)}  # none ... looked after


def short(text: str | None, limit: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def source_of(record_type: str, record: Any) -> str:
    return {"session": f"Session S{record.id}", "decision": f"Decision record D{record.id}",
            "contract": f"Contract C{record.id}"}[record_type]


def case_events(session: Session, record: SessionRecord, case: CaseDiscussion,
                decision: Decision | None) -> list[Event]:
    import json

    names = ", ".join(c.name for c in session.exec(
        select(Child).join(CaseChild, col(CaseChild.child_id) == Child.id)
        .where(CaseChild.case_id == case.id).order_by(col(Child.id))))
    found = [Event(record.held_on, record.start_time, source_of("session", record),
                   f"Case discussion ({names}); status {status_label(case.status)}",
                   f"supervised by {person_name(session, record.supervisor_id)}",
                   supervision=True)]
    said = json.loads(case.answers) if case.answers else {}
    if said.get("escalate") is True:  # the agenda's "to whom, by when"
        by = said.get("escalate_by")
        found.append(Event(record.held_on, record.start_time, source_of("session", record),
                           "Escalation agreed" + (f": to {short(said['escalated_to'], 80)}"
                                                  if said.get("escalated_to") else ""),
                           f"by {uk_date(date.fromisoformat(by))}" if by else "",
                           rank=RANKS["decision"]))
    if decision is not None:
        answers = json.loads(decision.answers)
        found.append(Event(record.held_on, record.start_time, source_of("decision", decision),
                           "Decision recorded", short(answer_text(answers.get("decision"))),
                           rank=RANKS["decision"]))
    return found


def status_changes(session: Session, cases: list[CaseDiscussion], children: Collection[int],
                   kept: dict[int, SessionRecord]) -> list[Event]:
    """Each child's status as each discussion records it (their own, or the case's in older
    records), against the discussion before (inside the period or not): a move up the
    statuses is an escalation, a move down a step down."""
    sessions = {id_of(c): stored(session, SessionRecord, c.session_id) for c in cases}
    links = session.exec(select(CaseChild, Child).join(Child, col(Child.id) == CaseChild.child_id)
                         .where(col(CaseChild.case_id).in_([c.id for c in cases])))
    by_case: dict[int, list[tuple[CaseChild, Child]]] = {}
    for link, child in links:
        by_case.setdefault(link.case_id, []).append((link, child))
    was: dict[int, str] = {}
    found = []
    for case in sorted(cases, key=lambda c: (sessions[id_of(c)].held_on, c.session_id, c.id)):
        held = sessions[id_of(case)]
        if held.status == "draft":
            continue
        for link, child in by_case.get(id_of(case), []):
            if id_of(child) not in children:
                continue
            now = link.status or case.status
            before = was.get(id_of(child))
            if now:
                was[id_of(child)] = now
            if not now or before is None or now == before or id_of(held) not in kept:
                continue
            step = "escalated" if LEVELS.get(now, 0) > LEVELS.get(before, 0) else "stepped down"
            found.append(Event(held.held_on, held.start_time, source_of("session", held),
                               f"Status {step} for {child.name}: {status_label(before)} to "
                               f"{status_label(now)}", f"recorded in case discussion "
                               f"{case.position}", rank=RANKS["status"]))
    return found


def action_events(session: Session, actions: Iterable[ActionItem],
                  kept: dict[int, SessionRecord], start: date | None,
                  end: date | None) -> list[Event]:
    """Each action agreed in a session the export holds, and every review of one of these
    actions held in such a session (whenever the action was agreed) or made between sessions
    in the period."""
    found = []
    for action in actions:
        agreed = kept.get(action.session_id)
        due = uk_date(action.agreed_due_on or action.due_on)
        if agreed is not None:
            found.append(Event(agreed.held_on, agreed.start_time, source_of("session", agreed),
                               f"Action A{action.id} agreed: {short(action.text)}",
                               f"{owner_words(session, action)}, by {due}; now "
                               f"{action.status}", rank=RANKS["action"]))
        for review in session.exec(select(ActionReview).where(
                ActionReview.action_id == action.id).order_by(col(ActionReview.id))):
            held = kept.get(review.session_id) if review.session_id else None
            if review.session_id is not None and held is None:
                continue  # held in a session outside the export (another period, a draft)
            on = held.held_on if held else date.fromisoformat(review.reviewed_at[:10])
            if held is None and not ((start is None or on >= start)
                                     and (end is None or on <= end)):
                continue
            found.append(Event(
                on, held.start_time if held else None,
                source_of("session", held) if held else "Action update",
                f"Action A{action.id} reviewed: {short(action.text, 80)}", review.outcome
                + (f": {short(review.note)}" if review.note else ""), rank=RANKS["review"]))
    return found


def record_story(session: Session, record_type: str, record: Any, on: date,
                 time: str | None = None) -> list[Event]:
    """What a record's own history adds to the chronology: written late, not (fully) signed,
    and each signer's comment or disagreement, in their words."""
    source = source_of(record_type, record)
    found = []
    if record_type == "session" and record.late_entry:
        written = (record.completed_at or record.created_at)[:10]
        days = (date.fromisoformat(written) - record.held_on).days
        found.append(Event(on, time, source, "Late entry: recorded "
                           f"{uk_date(written)}, {days} days after the meeting",
                           "written after the policy's limit", rank=RANKS["late"]))
    summary = signing_summary(session, record_type, record)
    if not summary["signed"]:
        awaiting = ", ".join(summary["awaiting"]) or "its signatures"
        found.append(Event(on, time, source, "Not signed" if not summary["signatures"]
                           else "Partly signed", f"awaiting {awaiting}",
                           rank=RANKS["unsigned"]))
    for signature in signatures_of(session, record_type, record.id):
        if not signature.comment:
            continue
        role = signing_role_label(signature.role).lower()
        found.append(Event(on, time, source,
                           f"Comment or disagreement at signing by {signature.signer_name} "
                           f"({role}), signed {uk_date(signature.signed_at[:10])}",
                           short(signature.comment, 600) if len(signature.comment) <= 600
                           else short(signature.comment, 300) + f" (in full in {source}, "
                           f"'Comments and disagreements at signing')",
                           rank=RANKS["comment"]))
    return found
