"""Sessions as rows and as whole records: the one shape every output is built from."""

import json
from datetime import date
from typing import Any

from sqlmodel import Session, select

from supervise.domain.templates import FIELD_TYPES
from supervise.store.models import (
    ActionItem,
    CaseChild,
    Child,
    Decision,
    Family,
    Person,
    SessionRecord,
    SessionSupervisee,
)
from supervise.store.sessions import (
    actions_raised,
    answers_of,
    cases_of,
    functions_covered,
    reviews_in,
    supervisees_of,
)
from supervise.store.snapshots import snapshot


def _name(session: Session, person_id: int | None) -> str | None:
    person = session.get(Person, person_id) if person_id else None
    return person.name if person else None


def session_row(session: Session, record: SessionRecord) -> dict[str, Any]:
    template = snapshot(session, record.template_digest)
    answers = answers_of(session, record)
    has = {"cases": bool(cases_of(session, record)),
           "actions": bool(actions_raised(session, record)),
           "action_review": bool(reviews_in(session, record)),
           "next_meeting": record.next_meeting is not None}
    return {
        "id": record.id, "held_on": record.held_on.isoformat(), "time": record.start_time,
        "kind": record.kind, "supervisor": _name(session, record.supervisor_id),
        "supervisees": [p.name for p in supervisees_of(session, record)],
        "status": record.status, "late_entry": record.late_entry,
        "recorded_at": record.created_at, "completed_at": record.completed_at,
        "duration_minutes": record.duration_minutes,
        "next_meeting": record.next_meeting.isoformat() if record.next_meeting else None,
        "template": template.id, "template_version": template.version,
        "contract": record.contract_id, "functions": functions_covered(template, answers, has),
        "digest": record.digest,
    }


def session_detail(session: Session, record: SessionRecord) -> dict[str, Any]:
    """The whole record, with the questions of the template version it was made with."""
    template = snapshot(session, record.template_digest)
    answers = answers_of(session, record)
    row = session_row(session, record)
    row["answers"] = [{"id": s.id, "question": s.title, "answer": answers.get(s.id)}
                      for s in template.sections if s.type in FIELD_TYPES]
    row["group"] = {k: answers[k] for k in ("group_confidentiality", "concern_lead")
                    if k in answers and template.section(k) is None}
    cases_section = template.of_type("cases")
    questions = {f.id: f.title for f in cases_section.fields} if cases_section else {}
    row["cases"] = []
    for case in cases_of(session, record):
        family = session.get(Family, case.family_id)
        children = session.exec(select(Child).join(CaseChild, CaseChild.child_id == Child.id)
                                .where(CaseChild.case_id == case.id).order_by(Child.id))
        decision = session.exec(select(Decision).where(Decision.case_id == case.id)).first()
        case_answers = json.loads(case.answers)
        row["cases"].append({
            "case": case.position, "family": family.name if family else None,
            "children": [{"name": c.name, "dob": c.dob.isoformat() if c.dob else None}
                         for c in children],
            "status": case.status,
            "answers": [{"id": k, "question": questions.get(k, k), "answer": v}
                        for k, v in case_answers.items()],
            "decision": json.loads(decision.answers) if decision else None,
            "decision_id": decision.id if decision else None,
        })
    row["actions"] = [action_row(session, a) for a in actions_raised(session, record)]
    row["reviews"] = [{"action": r.action_id, "outcome": r.outcome, "note": r.note}
                      for r in reviews_in(session, record)]
    return row


def action_row(session: Session, action: ActionItem, today: date | None = None) -> dict:
    from supervise.store.models import ActionReview

    overdue = today is not None and action.status == "open" and action.due_on < today
    reviews = session.exec(select(ActionReview).where(ActionReview.action_id == action.id)
                           .order_by(ActionReview.id))
    return {
        "id": action.id, "text": action.text, "owner": _name(session, action.owner_id),
        "due": action.due_on.isoformat(), "status": action.status,
        "overdue": overdue, "session": action.session_id,
        "reviews": [{"session": r.session_id, "outcome": r.outcome, "note": r.note,
                     "due_before": r.due_before.isoformat() if r.due_before else None,
                     "due_after": r.due_after.isoformat() if r.due_after else None,
                     "at": r.reviewed_at} for r in reviews],
    }


def list_sessions(session: Session, *, supervisee: Person | None = None,
                  supervisor: Person | None = None, start: date | None = None,
                  end: date | None = None, kind: str | None = None,
                  status: str | None = None) -> list[SessionRecord]:
    query = select(SessionRecord).order_by(SessionRecord.held_on, SessionRecord.id)
    if supervisee is not None:
        query = query.join(SessionSupervisee,
                           SessionSupervisee.session_id == SessionRecord.id).where(
            SessionSupervisee.person_id == supervisee.id)
    if supervisor is not None:
        query = query.where(SessionRecord.supervisor_id == supervisor.id)
    if start is not None:
        query = query.where(SessionRecord.held_on >= start)
    if end is not None:
        query = query.where(SessionRecord.held_on <= end)
    if kind is not None:
        query = query.where(SessionRecord.kind == kind)
    if status is not None:
        query = query.where(SessionRecord.status == status)
    return list(session.exec(query))


def decision_row(session: Session, decision: Decision) -> dict[str, Any]:
    from supervise.store.models import CaseDiscussion

    case = session.get(CaseDiscussion, decision.case_id)
    record = session.get(SessionRecord, case.session_id)
    family = session.get(Family, case.family_id)
    children = session.exec(select(Child).join(CaseChild, CaseChild.child_id == Child.id)
                            .where(CaseChild.case_id == case.id).order_by(Child.id))
    template = snapshot(session, decision.template_digest)
    answers = json.loads(decision.answers)
    return {
        "id": decision.id, "session": record.id, "held_on": record.held_on.isoformat(),
        "family": family.name if family else None,
        "children": [{"name": c.name, "dob": c.dob.isoformat() if c.dob else None}
                     for c in children],
        "supervisor": _name(session, record.supervisor_id),
        "supervisees": [p.name for p in supervisees_of(session, record)],
        "template": template.id, "answers": answers,
        "questions": [{"id": s.id, "question": s.title, "answer": answers.get(s.id)}
                      for s in template.sections if s.type in FIELD_TYPES],
    }


def list_actions(session: Session, owner: Person | None = None) -> list[ActionItem]:
    """Actions agreed in sessions that are completed (a draft's are not agreed yet)."""
    query = (select(ActionItem).join(SessionRecord, SessionRecord.id == ActionItem.session_id)
             .where(SessionRecord.status != "draft")
             .order_by(ActionItem.due_on, ActionItem.id))
    if owner is not None:
        query = query.where(ActionItem.owner_id == owner.id)
    return list(session.exec(query))


def list_decisions(session: Session, child: Child | None = None) -> list[Decision]:
    from supervise.store.models import CaseDiscussion

    query = (select(Decision).join(CaseDiscussion, CaseDiscussion.id == Decision.case_id)
             .join(SessionRecord, SessionRecord.id == CaseDiscussion.session_id)
             .where(SessionRecord.status != "draft").order_by(Decision.id))
    if child is not None:
        query = query.join(CaseChild, CaseChild.case_id == CaseDiscussion.id).where(
            CaseChild.child_id == child.id)
    return list(session.exec(query))


def find_decision(session: Session, decision_id: str) -> Decision:
    from supervise.errors import NotFoundError

    text = decision_id.strip().upper().removeprefix("D")
    found = session.get(Decision, int(text)) if text.isdigit() and len(text) < 10 else None
    if found is None:
        raise NotFoundError(f"No decision record {decision_id}. See `supervise decision list`.")
    return found
