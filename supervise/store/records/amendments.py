"""Amendments (SPEC §2): a completed record is never edited. A correction is a new record linked
to it, with author, time, reason and the changed text, signed in its turn by the same parties."""

import json
from typing import Any

from sqlmodel import Session, col, select

from supervise.domain.policy.templates import FIELD_TYPES
from supervise.domain.records.canonical import iso_utc
from supervise.domain.rows import AmendmentRow, Evidence
from supervise.domain.text import clean_line
from supervise.errors import Hint, NotFoundError, UsageError
from supervise.store.db.tables import Amendment, Person, id_of
from supervise.store.db.writing import Writing
from supervise.store.integrity.audit_append import append_event
from supervise.store.records.content import amendment_content, content_of, draft_session_of
from supervise.store.records.people import person_name
from supervise.store.records.session_parts import answers_of, cases_of
from supervise.store.records.signatures import signed_digest, signing_summary
from supervise.store.records.template_snapshots import snapshot


def amendments_of(session: Session, record_type: str, record_id: int) -> list[Amendment]:
    return list(session.exec(select(Amendment).where(
        Amendment.record_type == record_type, Amendment.record_id == record_id)
        .order_by(col(Amendment.number))))


def find_amendment(session: Session, record_type: str, record_id: int,
                   number: int) -> Amendment:
    row = session.exec(select(Amendment).where(
        Amendment.record_type == record_type, Amendment.record_id == record_id,
        Amendment.number == number)).first()
    if row is None:
        raise NotFoundError(f"{record_type.capitalize()} {record_id} has no amendment {number}:",
                            Hint.of("see_record", record_type=record_type, record=record_id))
    return row


def amendable_sections(session: Session, record_type: str, record: Any,
                       case_position: int | None) -> dict[str, tuple[str, Any]]:
    """section id -> (question, its text as recorded) of what an amendment may correct."""
    if record_type == "session" and case_position is not None:

        case = next((c for c in cases_of(session, record) if c.position == case_position), None)
        if case is None:
            raise UsageError(f"Session {record.id} has no case {case_position}.")
        template = snapshot(session, record.template_digest)
        fields = cases.fields if (cases := template.of_type("cases")) else []
        answers = json.loads(case.answers)
        return {f.id: (f.title, answers.get(f.id)) for f in fields}
    if case_position is not None:
        raise UsageError("", Hint.of("case_only_for_sessions", record_type=record_type))
    if record_type == "session":

        answers = answers_of(session, record)
    else:
        answers = json.loads(record.answers)
    template = snapshot(session, record.template_digest)
    return {s.id: (s.title, answers.get(s.id)) for s in template.sections
            if s.type in FIELD_TYPES}


def recorded_text(sections: dict[str, tuple[str, Any]], section: str, record_type: str) -> Any:
    """What the question an amendment corrects holds now; a question not in the record is
    refused with the ones that are."""
    if section not in sections:
        raise UsageError(f"{section!r} is not a question of this {record_type}: use one of "
                         f"{', '.join(sections)}.")
    return sections[section][1]


def amend(work: Writing, record_type: str, record: Any, *, section: str | None,
          case_position: int | None, text: str, reason: str, author: Person) -> Amendment:
    session, now = work.session, work.now
    draft = draft_session_of(session, record_type, record)
    if draft is not None:
        raise UsageError(f"Session {draft.id} is a draft:",
                         Hint.of("resume_draft_not_amend", session=draft.id))
    if not text.strip():
        raise UsageError("The amendment's text is empty:", Hint.of("give_corrected_text"))
    reason = clean_line(reason, "reason")
    previous: Any = None
    if section is not None:
        previous = recorded_text(amendable_sections(session, record_type, record,
                                                    case_position), section, record_type)
    earlier = amendments_of(session, record_type, record.id)
    for before in earlier:
        if before.section == section and before.case_position == case_position:
            previous = before.text  # it corrects the latest correction
    last = session.exec(select(Amendment).order_by(col(Amendment.id).desc()).limit(1)).first()
    row = Amendment(
        id=(id_of(last) if last else 0) + 1,
        record_type=record_type, record_id=record.id, number=len(earlier) + 1,
        amends_digest=signed_digest(session, record_type, record.id)
        or content_of(session, record_type, record).digest,
        section=section, case_position=case_position,
        previous=json.dumps(previous, ensure_ascii=False), text=text, reason=reason,
        author_id=id_of(author), created_at=iso_utc(now), digest="")
    row.digest = amendment_content(session, row).digest  # the row is written once, whole
    session.add(row)
    session.flush()
    append_event(work, action=f"{record_type}.amend",
                 record_type=record_type, record_id=str(record.id), digest=row.digest,
                 detail={"amendment": row.id, "number": row.number})
    return row


def amendment_row(session: Session, amendment: Amendment, record: Any) -> AmendmentRow:
    """An amendment of `record`, with the question it corrects as the record asked it."""
    question = None
    if amendment.section:
        sections = amendable_sections(session, amendment.record_type, record,
                                      amendment.case_position)
        question = sections.get(amendment.section, (amendment.section,))[0]
    return {
        "number": amendment.number, "id": amendment.id, "section": amendment.section,
        "question": question,
        "case": amendment.case_position, "previous": json.loads(amendment.previous),
        "text": amendment.text, "reason": amendment.reason,
        "author": person_name(session, amendment.author_id), "at": amendment.created_at,
        "amends_digest": amendment.amends_digest,
        "digest": amendment.digest, **signing_summary(session, "amendment", amendment),
    }


def amendment_rows(session: Session, record_type: str, record: Any) -> list[AmendmentRow]:
    return [amendment_row(session, a, record)
            for a in amendments_of(session, record_type, record.id)]


def evidence(session: Session, record_type: str, record: Any) -> Evidence:
    """A record's signatures, who has still to sign, and its amendments: what every view and
    export shows beside the record."""
    return {**signing_summary(session, record_type, record),
            "amendments": amendment_rows(session, record_type, record)}
