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


def case_child_links(session: Session, case: CaseDiscussion) -> list[tuple[Child, CaseChild]]:
    """Each child of a case with what the case records of them (status, since, reference)."""
    return [(child, link) for child, link in session.exec(
        select(Child, CaseChild).join(CaseChild, col(CaseChild.child_id) == Child.id)
        .where(CaseChild.case_id == case.id).order_by(col(Child.id)))]


def child_in_case(child: Child, link: CaseChild) -> dict[str, Any]:
    """A child as a case part names them: name and date of birth, and (in records made since
    each child had their own) their status, since when and local reference. Older records
    lack these keys, so their digests are unchanged."""
    named: dict[str, Any] = {"name": child.name, "dob": child.dob}
    if link.status is not None:
        named["status"] = link.status
        named["since"] = link.status_since
        if link.local_ref is not None:
            named["ref"] = link.local_ref
    return named


def contact_words(action: ActionItem) -> str | None:
    """The named contact who owns an action (not a member of staff), with their role."""
    if not action.owner_contact:
        return None
    return f"{action.owner_contact} ({action.owner_role})" if action.owner_role \
        else action.owner_contact


def action_part(action: ActionItem, positions: dict[int | None, int]) -> dict[str, Any]:
    """An action as one part of its session record. A contact owner and the agenda item are
    keys only actions that have them carry, so older records' digests are unchanged."""
    part: dict[str, Any] = {"action": action.id, "text": action.text, "owner": action.owner_id,
                            "due": action.agreed_due_on,
                            "case": positions.get(action.case_id)}
    if action.owner_contact:
        part["contact"] = {"name": action.owner_contact, "role": action.owner_role}
    if action.section_id:
        part["item"] = action.section_id
    if action.notes:
        part["notes"] = action.notes
    return part


def case_decision(session: Session, case: CaseDiscussion) -> Decision | None:
    return session.exec(select(Decision).where(Decision.case_id == case.id)).first()


def family_name(session: Session, case: CaseDiscussion) -> str | None:
    """The case's family, or None for an experience shared about no one family."""
    family = session.get(Family, case.family_id) if case.family_id else None
    return family.name if family else None


def case_part(session: Session, case: CaseDiscussion) -> dict[str, Any]:
    """A case discussion as one part of the record: an extract about one child can leave the
    others' parts out and still verify."""
    decision = case_decision(session, case)
    return {"case": case.position, "family": family_name(session, case),
            "children": [child_in_case(c, link) for c, link in case_child_links(session, case)],
            "status": case.status, "answers": json.loads(case.answers),
            "decision": json.loads(decision.answers) if decision else None}
