"""Sessions as rows and as whole records: the one shape every output is built from."""

import json
from datetime import date

from sqlmodel import Session, col, select

from supervise.domain.dates import iso_or_none
from supervise.domain.names import name_key
from supervise.domain.policy.templates import FIELD_TYPES
from supervise.domain.records.session_rules import functions_covered
from supervise.domain.records.signing import signing_word
from supervise.domain.rows import ActionRow, ChildInCase, DecisionRow, SessionDetail, SessionRow
from supervise.store.db.tables import (
    ActionItem,
    ActionReview,
    CaseChild,
    CaseDiscussion,
    Child,
    Decision,
    Person,
    SessionRecord,
    SessionSupervisee,
)
from supervise.store.records.amendments import amendment_rows, evidence
from supervise.store.records.content import GROUP_KEYS
from supervise.store.records.numbered import stored
from supervise.store.records.people import person_name
from supervise.store.records.session_parts import (
    actions_raised,
    answers_of,
    case_child_links,
    case_decision,
    cases_of,
    contact_words,
    family_name,
    reviews_in,
    supervisees_of,
)
from supervise.store.records.signatures import signing_summary
from supervise.store.records.template_snapshots import snapshot


def session_row(session: Session, record: SessionRecord) -> SessionRow:
    return _Fetched(session, record).row()


def session_detail(session: Session, record: SessionRecord) -> SessionDetail:
    """The whole record, with the questions of the template version it was made with."""
    return _Fetched(session, record).detail()


class _Fetched:
    """A session's parts, read once for its row and its detail."""

    def __init__(self, session: Session, record: SessionRecord) -> None:
        self.session, self.record = session, record
        self.template = snapshot(session, record.template_digest)
        self.answers = answers_of(session, record)
        self.cases = cases_of(session, record)
        self.actions = actions_raised(session, record)
        self.reviews = reviews_in(session, record)
        self.signing = signing_summary(session, "session", record)

    def row(self) -> SessionRow:
        record, template = self.record, self.template
        has = {"cases": bool(self.cases), "actions": bool(self.actions),
               "action_review": bool(self.reviews),
               "next_meeting": record.next_meeting is not None}
        return {
            "id": record.id, "held_on": record.held_on.isoformat(), "time": record.start_time,
            "kind": record.kind, "supervisor": person_name(self.session, record.supervisor_id),
            "supervisees": [p.name for p in supervisees_of(self.session, record)],
            "status": signing_word(self.signing) if record.status == "completed"
            else record.status,
            "late_entry": record.late_entry,
            "recorded_at": record.created_at, "completed_at": record.completed_at,
            "duration_minutes": record.duration_minutes,
            "next_meeting": iso_or_none(record.next_meeting),
            "template": template.id, "template_version": template.version,
            "contract": record.contract_id,
            "functions": functions_covered(template, self.answers, has,
                                           [json.loads(c.answers) for c in self.cases]),
            "digest": record.digest,
        }

    def detail(self) -> SessionDetail:
        session, template, answers = self.session, self.template, self.answers
        cases_section = template.of_type("cases")
        questions = {f.id: f.title for f in cases_section.fields} if cases_section else {}
        cases = []
        for case in self.cases:
            decision = case_decision(session, case)
            cases.append({
                "case": case.position, "family": family_name(session, case),
                "children": _children(case_child_links(session, case)), "status": case.status,
                "answers": [{"id": k, "question": questions.get(k, k), "answer": v}
                            for k, v in json.loads(case.answers).items()],
                "decision": json.loads(decision.answers) if decision else None,
                "decision_id": decision.id if decision else None,
            })
        return {
            **self.row(),
            "answers": [{"id": s.id, "question": s.title, "answer": answers.get(s.id)}
                        for s in template.sections if s.type in FIELD_TYPES],
            "group": {k: answers[k] for k in GROUP_KEYS
                      if k in answers and template.section(k) is None},
            "cases": cases,
            "actions": [action_row(session, a) for a in self.actions],
            "reviews": [{"action": r.action_id, "outcome": r.outcome, "note": r.note}
                        for r in self.reviews],
            **self.signing,
            "amendments": amendment_rows(session, "session", self.record),
        }


def _children(children: list[tuple[Child, CaseChild]]) -> list[ChildInCase]:
    shown: list[ChildInCase] = []
    for child, link in children:
        named: ChildInCase = {"name": child.name, "dob": iso_or_none(child.dob)}
        if link.status is not None:
            named["status"] = link.status
            named["since"] = iso_or_none(link.status_since)
            named["ref"] = link.local_ref
        shown.append(named)
    return shown


def owner_words(session: Session, action: ActionItem) -> str:
    """Who an action is for: a member of staff's name, or a contact's name and role."""
    if action.owner_id is None:
        return contact_words(action) or "(unknown)"
    return person_name(session, action.owner_id)


def action_row(session: Session, action: ActionItem, today: date | None = None) -> ActionRow:
    overdue = today is not None and action.status == "open" and action.due_on < today
    reviews = session.exec(select(ActionReview).where(ActionReview.action_id == action.id)
                           .order_by(col(ActionReview.id)))
    case = session.get(CaseDiscussion, action.case_id) if action.case_id else None
    return {
        "id": action.id, "text": action.text, "owner": owner_words(session, action),
        "staff_owner": action.owner_id is not None, "case": case.position if case else None,
        "item": action.section_id, "notes": action.notes,
        "due": action.due_on.isoformat(), "status": action.status,
        "overdue": overdue, "session": action.session_id,
        "reviews": [{"session": r.session_id, "outcome": r.outcome, "note": r.note,
                     "due_before": iso_or_none(r.due_before),
                     "due_after": iso_or_none(r.due_after),
                     "at": r.reviewed_at} for r in reviews],
    }


def list_sessions(session: Session, *, supervisee: Person | None = None,
                  supervisor: Person | None = None, start: date | None = None,
                  end: date | None = None, kind: str | None = None,
                  status: str | None = None) -> list[SessionRecord]:
    query = select(SessionRecord).order_by(col(SessionRecord.held_on), col(SessionRecord.id))
    if supervisee is not None:
        query = query.join(SessionSupervisee,
                           col(SessionSupervisee.session_id) == SessionRecord.id).where(
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


def decision_row(session: Session, decision: Decision) -> DecisionRow:
    case = stored(session, CaseDiscussion, decision.case_id)
    record = stored(session, SessionRecord, case.session_id)
    template = snapshot(session, decision.template_digest)
    answers = json.loads(decision.answers)
    return {
        "id": decision.id, "session": record.id, "held_on": record.held_on.isoformat(),
        "family": family_name(session, case),
        "children": _children(case_child_links(session, case)),
        "supervisor": person_name(session, record.supervisor_id),
        "supervisees": [p.name for p in supervisees_of(session, record)],
        "template": template.id, "answers": answers,
        "questions": [{"id": s.id, "question": s.title, "answer": answers.get(s.id)}
                      for s in template.sections if s.type in FIELD_TYPES],
        **evidence(session, "decision", decision),
    }


def list_actions(session: Session, owner: Person | None = None,
                 contact: str | None = None) -> list[ActionItem]:
    """Actions agreed in sessions that are completed (a draft's are not agreed yet); those of
    one member of staff (`owner`) or of one named contact (`contact`, any case)."""
    query = (select(ActionItem).join(SessionRecord, col(SessionRecord.id) == ActionItem.session_id)
             .where(SessionRecord.status != "draft")
             .order_by(col(ActionItem.due_on), col(ActionItem.id)))
    if owner is not None:
        query = query.where(ActionItem.owner_id == owner.id)
    if contact is not None:
        query = query.where(col(ActionItem.owner_id).is_(None))
        return [a for a in session.exec(query)
                if name_key(a.owner_contact or "") == name_key(contact)]
    return list(session.exec(query))


def list_decisions(session: Session, child: Child | None = None) -> list[Decision]:
    query = (select(Decision).join(CaseDiscussion, col(CaseDiscussion.id) == Decision.case_id)
             .join(SessionRecord, col(SessionRecord.id) == CaseDiscussion.session_id)
             .where(SessionRecord.status != "draft").order_by(col(Decision.id)))
    if child is not None:
        query = query.join(CaseChild, col(CaseChild.case_id) == CaseDiscussion.id).where(
            CaseChild.child_id == child.id)
    return list(session.exec(query))


def previous_session(session: Session, record: SessionRecord) -> SessionRecord | None:
    """The last completed session before this one with any of its supervisees: the notes
    reviewed at "Review notes of previous meeting"."""
    people = select(SessionSupervisee.person_id).where(
        SessionSupervisee.session_id == record.id)
    earlier = select(SessionSupervisee.session_id).where(
        col(SessionSupervisee.person_id).in_(people))
    return session.exec(
        select(SessionRecord).where(col(SessionRecord.id).in_(earlier),
                                    SessionRecord.id != record.id,
                                    SessionRecord.status != "draft",
                                    SessionRecord.held_on <= record.held_on)
        .order_by(col(SessionRecord.held_on).desc(), col(SessionRecord.id).desc())).first()
