"""What each signable record's content is (SPEC §6): contracts, sessions, decision records and
amendments, each as a header and its parts, read from the stored rows.

People appear by their ids, which never change (a corrected spelling of a name must not break a
signature); each signature keeps the signer's name as signed. Children and families appear by
name and date of birth: a case discussion is about them, and an extract about one child is cut
along those parts. The due date of an action is the one agreed in the session.
"""

import json
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, select

from supervise.domain.policy.templates import FIELD_TYPES
from supervise.domain.records.signing import Content, Party
from supervise.store.db.tables import (
    SALT_KEY,
    Amendment,
    CaseDiscussion,
    Contract,
    Decision,
    SessionRecord,
    SessionSupervisee,
    StoreMeta,
)
from supervise.store.records.numbered import load, stored
from supervise.store.records.session_parts import (
    action_part,
    actions_raised,
    answers_of,
    case_part,
    cases_of,
    reviews_in,
)
from supervise.store.records.template_snapshots import snapshot

GROUP_KEYS = ("group_confidentiality", "concern_lead")  # what a group record says beside its agenda


def _template_ref(session: Session, template_digest: str) -> dict[str, Any]:
    template = snapshot(session, template_digest)
    return {"id": template.id, "version": template.version, "digest": template_digest}


def _answer_parts(session: Session, template_digest: str,
                  answers: dict[str, Any]) -> list[dict[str, Any]]:
    template = snapshot(session, template_digest)
    return [{"section": s.id, "answer": answers[s.id]}
            for s in template.sections if s.type in FIELD_TYPES and s.id in answers]


def salt_key(session: Session) -> bytes | None:
    """The store's secret for sentences' salts (made by migration 13), read once a session."""
    if SALT_KEY not in session.info:
        row = session.get(StoreMeta, SALT_KEY)
        session.info[SALT_KEY] = bytes.fromhex(row.value) if row else None
    return session.info[SALT_KEY]


def _content(session: Session, header: dict[str, Any], row: Any, parts: list[Any]) -> Content:
    """The header says how its parts' digests are made, from version 2 on: a record made under
    version 1 keeps its header, and so its digest, as it was signed. From version 3 the
    sentences' salts are keyed by the store's secret."""
    version = getattr(row, "canonical", 1) or 1
    return Content({**header, "canonical": version} if version >= 2 else header, parts,
                   salt_key(session) if version >= 3 else None)


def supervisee_ids(session: Session, record: SessionRecord) -> list[int]:
    return sorted(session.exec(select(SessionSupervisee.person_id).where(
        SessionSupervisee.session_id == record.id)))


def contract_content(session: Session, contract: Contract) -> Content:
    header = {
        "type": "contract", "id": contract.id, "supervisee": contract.supervisee_id,
        "supervisor": contract.supervisor_id, "kind": contract.kind,
        "frequency": contract.frequency, "schedule": contract.schedule,
        "schedule_from": contract.schedule_from, "duration_minutes": contract.duration_minutes,
        "venue": contract.venue, "start": contract.start_on, "review": contract.review_on,
        "template": _template_ref(session, contract.template_digest),
        "supersedes": contract.supersedes_id, "policy_version": contract.policy_version,
        "created_at": contract.created_at, "created_by": contract.created_by,
    }
    return _content(session, header, contract, _answer_parts(
        session, contract.template_digest, json.loads(contract.answers)))


def session_content(session: Session, record: SessionRecord, *,
                    read: tuple[dict, list, list] | None = None) -> Content:
    """`read`: the record's answers, cases and reviews as answers_of, cases_of and reviews_in
    give them, when the caller has just read them in this transaction (complete)."""

    header = {
        "type": "session", "id": record.id, "kind": record.kind,
        "template": _template_ref(session, record.template_digest),
        "supervisor": record.supervisor_id, "supervisees": supervisee_ids(session, record),
        "contract": record.contract_id, "held_on": record.held_on,
        "start_time": record.start_time, "duration_minutes": record.duration_minutes,
        "next_meeting": record.next_meeting, "late_entry": record.late_entry,
        "recorded_at": record.created_at, "completed_at": record.completed_at,
        "policy_version": record.policy_version,
    }
    answers, cases, reviews = read if read is not None else (
        answers_of(session, record), cases_of(session, record), reviews_in(session, record))
    parts: list[Any] = _answer_parts(session, record.template_digest, answers)
    template = snapshot(session, record.template_digest)
    parts += [{"group": key, "answer": answers[key]} for key in GROUP_KEYS
              if key in answers and template.section(key) is None]
    parts += [case_part(session, case) for case in cases]
    positions: dict[int | None, int] = {case.id: case.position for case in cases}
    parts += [action_part(a, positions) for a in actions_raised(session, record)]
    parts += [{"review_of": r.action_id, "outcome": r.outcome, "note": r.note,
               "due": r.due_after} for r in reviews]
    return _content(session, header, record, parts)


def decision_content(session: Session, decision: Decision) -> Content:

    case = stored(session, CaseDiscussion, decision.case_id)
    record = session_of_decision(session, decision)
    about = case_part(session, case)
    header = {
        "type": "decision", "id": decision.id, "session": record.id, "case": case.position,
        "held_on": record.held_on, "supervisor": record.supervisor_id,
        "supervisees": supervisee_ids(session, record), "family": about["family"],
        "children": about["children"],
        "template": _template_ref(session, decision.template_digest),
    }
    return _content(session, header, decision, _answer_parts(
        session, decision.template_digest, json.loads(decision.answers)))


def amendment_content(session: Session, amendment: Amendment) -> Content:
    header = {
        "type": "amendment", "id": amendment.id, "number": amendment.number,
        "amends": {"type": amendment.record_type, "id": amendment.record_id,
                   "digest": amendment.amends_digest},
        "section": amendment.section, "case": amendment.case_position,
        "author": amendment.author_id, "created_at": amendment.created_at,
    }
    return _content(session, header, amendment, [{"previous": json.loads(amendment.previous),
                                                  "text": amendment.text,
                                                  "reason": amendment.reason}])


def content_of(session: Session, record_type: str, record: Any) -> Content:
    builders: dict[str, Callable[[Session, Any], Content]] = {
        "contract": contract_content, "session": session_content,
        "decision": decision_content, "amendment": amendment_content}
    return builders[record_type](session, record)


def parties_of(session: Session, record_type: str, record: Any) -> list[Party]:
    """Who must sign: both parties of a contract; the supervisor and every supervisee of a
    session; the supervisor of a decision (or a manager); an amendment's, its record's."""
    if record_type == "amendment":
        return parties_of(session, record.record_type,
                          load(session, record.record_type, record.record_id))
    if record_type == "contract":
        return [Party(record.supervisor_id, "supervisor"),
                Party(record.supervisee_id, "supervisee")]
    if record_type == "decision":
        return [Party(session_of_decision(session, record).supervisor_id, "supervisor")]
    return [Party(record.supervisor_id, "supervisor")] + [
        Party(person_id, "supervisee") for person_id in supervisee_ids(session, record)]


def session_of_decision(session: Session, decision: Decision) -> SessionRecord:
    case = stored(session, CaseDiscussion, decision.case_id)
    return stored(session, SessionRecord, case.session_id)


def draft_session_of(session: Session, record_type: str, record: Any) -> SessionRecord | None:
    """The draft session a record belongs to, if it is one (or a decision made in one): such a
    record can be neither signed nor amended until the session is completed."""
    if record_type == "session":
        owner = record
    elif record_type == "decision":
        owner = session_of_decision(session, record)
    else:
        return None
    return owner if owner.status == "draft" else None
