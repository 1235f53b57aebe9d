"""The parts of a session record as stored: answers, supervisees, case discussions (with their
children and decision), actions raised and reviews of earlier actions."""

import json
from typing import Any

from sqlmodel import Session, col, select

from supervise.store.db.tables import (
    ActionItem,
    ActionReview,
    CaseChild,
    CaseDiscussion,
    Child,
    Decision,
    Family,
    Person,
    SessionAnswer,
    SessionRecord,
    SessionSupervisee,
)


def answers_of(session: Session, record: SessionRecord) -> dict[str, Any]:
    rows = session.exec(select(SessionAnswer).where(SessionAnswer.session_id == record.id))
    return {row.section_id: json.loads(row.value) for row in rows}


def supervisees_of(session: Session, record: SessionRecord) -> list[Person]:
    query = select(Person) \
        .join(SessionSupervisee, col(SessionSupervisee.person_id) == Person.id) \
        .where(SessionSupervisee.session_id == record.id).order_by(Person.name_key)
    return list(session.exec(query))


def cases_of(session: Session, record: SessionRecord) -> list[CaseDiscussion]:
    return list(session.exec(select(CaseDiscussion).where(
        CaseDiscussion.session_id == record.id).order_by(col(CaseDiscussion.position))))


def actions_raised(session: Session, record: SessionRecord) -> list[ActionItem]:
    return list(session.exec(select(ActionItem).where(
        ActionItem.session_id == record.id).order_by(col(ActionItem.id))))


def reviews_in(session: Session, record: SessionRecord) -> list[ActionReview]:
    return list(session.exec(select(ActionReview).where(
        ActionReview.session_id == record.id).order_by(col(ActionReview.id))))


def case_children(session: Session, case: CaseDiscussion) -> list[Child]:
    return list(session.exec(select(Child).join(CaseChild, col(CaseChild.child_id) == Child.id)
                             .where(CaseChild.case_id == case.id).order_by(col(Child.id))))


def case_decision(session: Session, case: CaseDiscussion) -> Decision | None:
    return session.exec(select(Decision).where(Decision.case_id == case.id)).first()


def case_part(session: Session, case: CaseDiscussion) -> dict[str, Any]:
    """A case discussion as one part of the record: an extract about one child can leave the
    others' parts out and still verify."""
    family = session.get(Family, case.family_id)
    decision = case_decision(session, case)
    return {"case": case.position, "family": family.name if family else None,
            "children": [{"name": c.name, "dob": c.dob} for c in case_children(session, case)],
            "status": case.status, "answers": json.loads(case.answers),
            "decision": json.loads(decision.answers) if decision else None}
