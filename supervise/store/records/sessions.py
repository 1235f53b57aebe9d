"""Supervision sessions: a draft saved answer by answer, then completed (and, later, signed).

Every write here is small and committed by the caller at once: an interactive session calls one
function per answer inside its own transaction, so a killed process loses at most the answer
being typed.
"""

import json
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from supervise.domain.canonical import iso_utc
from supervise.domain.frequency import next_due, parse_frequency
from supervise.domain.policy import Policy
from supervise.domain.templates import FIELD_TYPES, Template
from supervise.errors import Hint, NotFoundError, SuperviseError, UsageError
from supervise.store.db.tables import (
    ActionItem,
    ActionReview,
    CaseChild,
    CaseDiscussion,
    Child,
    Contract,
    Decision,
    Family,
    Person,
    SessionAnswer,
    SessionRecord,
    SessionSupervisee,
    Signature,
)
from supervise.store.integrity.audit_chain import append_event
from supervise.store.records.children import add_child, family_for, match_for_case, set_status
from supervise.store.records.content import session_content
from supervise.store.records.numbered import find_numbered
from supervise.store.records.policies import current_policy
from supervise.store.records.session_parts import answers_of, case_decision, cases_of, reviews_in
from supervise.store.records.signatures import Signer, sign_digest
from supervise.store.records.template_snapshots import keep_snapshot, snapshot


def late_entry(held_on: date, recorded: datetime, policy: Policy) -> bool:
    return (recorded.date() - held_on).days > policy.late_entry_days


def start_draft(session: Session, *, template: Template, kind: str, supervisor: Person,
                supervisees: list[Person], held_on: date, start_time: str | None,
                duration: int | None, contract_id: int | None, policy: Policy,
                policy_version: int, now: datetime, actor: str) -> SessionRecord:
    if held_on > now.date():
        raise UsageError(f"{held_on} is in the future: a session is recorded once it is held.")
    if duration is not None and not 1 <= duration <= 600:
        raise UsageError(f"A duration of {duration} minutes is not plausible: give 1 to 600.")
    if any(p.id == supervisor.id for p in supervisees):
        raise UsageError(f"{supervisor.name} cannot supervise themselves:",
                         Hint.of("check_supervisor"))
    record = SessionRecord(
        kind=kind, status="draft", template_digest=keep_snapshot(session, template, now),
        supervisor_id=supervisor.id, contract_id=contract_id, held_on=held_on,
        start_time=start_time, duration_minutes=duration, policy_version=policy_version,
        late_entry=late_entry(held_on, now, policy), created_at=iso_utc(now), created_by=actor,
        updated_at=iso_utc(now))
    session.add(record)
    session.flush()
    for person in supervisees:
        session.add(SessionSupervisee(session_id=record.id, person_id=person.id))
    append_event(session, now=now, actor=actor, action="session.start", record_type="session",
                 record_id=str(record.id))
    return record


def _touch(session: Session, record: SessionRecord, now: datetime) -> None:
    if record.status != "draft":
        raise SuperviseError(f"Session {record.id} is {record.status}: a completed record is "
                             "never changed.", Hint.of("amend_session", session=record.id))
    record.updated_at = iso_utc(now)
    session.add(record)


def save_answer(session: Session, record: SessionRecord, section_id: str, value: Any,
                now: datetime) -> None:
    _touch(session, record, now)
    row = session.get(SessionAnswer, (record.id, section_id))
    if row is None:
        row = SessionAnswer(session_id=record.id, section_id=section_id, value="", saved_at="")
    row.value = json.dumps(value, ensure_ascii=False)
    row.saved_at = iso_utc(now)
    session.add(row)


def children_for_case(session: Session, children: list[dict[str, Any]], family: Family,
                      status: str | None, now: datetime, actor: str) -> list[Child]:
    """Each child named in a case: found on the register (match_for_case) or added to it."""
    found = []
    for named in children:
        if named.get("id"):  # chosen from the register already
            found.append(session.get(Child, named["id"]))
            continue
        dob = date.fromisoformat(named["dob"]) if named.get("dob") else None
        child = match_for_case(session, named["name"], dob)
        if child is None:
            child = add_child(session, now=now, actor=actor, name=named["name"], dob=dob,
                              family=family.name, status=status or "none")
        found.append(child)
    return found


def save_case(session: Session, record: SessionRecord, *, position: int, family: str,
              children: list[dict[str, Any]], status: str | None, answers: dict[str, Any],
              now: datetime, actor: str) -> CaseDiscussion:
    """`status` None: the children's status is not changed (the case notes the current one)."""
    _touch(session, record, now)
    family_row = family_for(session, family, now)
    found = children_for_case(session, children, family_row, status, now, actor)
    status = status or (found[0].status if found else "none")
    case = session.exec(select(CaseDiscussion).where(
        CaseDiscussion.session_id == record.id, CaseDiscussion.position == position)).first()
    if case is None:
        case = CaseDiscussion(session_id=record.id, position=position, family_id=family_row.id,
                              status=status, answers="{}", saved_at=iso_utc(now))
    case.family_id, case.status = family_row.id, status
    case.answers = json.dumps(answers, ensure_ascii=False)
    case.saved_at = iso_utc(now)
    session.add(case)
    session.flush()
    for child in found:
        if session.get(CaseChild, (case.id, child.id)) is None:
            session.add(CaseChild(case_id=case.id, child_id=child.id))
        set_status(session, child, status, on=record.held_on, now=now, actor=actor)
    return case


def case_state(session: Session, record: SessionRecord) -> list[tuple[int, str, dict]]:
    """(position, family, answers so far) of each case saved in a draft."""
    return [(c.position, session.get(Family, c.family_id).name, json.loads(c.answers))
            for c in cases_of(session, record)]


def _case_at(session: Session, record: SessionRecord, position: int) -> CaseDiscussion:
    case = session.exec(select(CaseDiscussion).where(
        CaseDiscussion.session_id == record.id, CaseDiscussion.position == position)).first()
    if case is None:
        raise NotFoundError(f"Session {record.id} has no case {position}.")
    return case


def save_case_answers(session: Session, record: SessionRecord, position: int,
                      answers: dict[str, Any], now: datetime) -> None:
    _touch(session, record, now)
    case = _case_at(session, record, position)
    case.answers, case.saved_at = json.dumps(answers, ensure_ascii=False), iso_utc(now)
    session.add(case)


def save_decision_for(session: Session, record: SessionRecord, position: int,
                      template: Template, answers: dict[str, Any], now: datetime) -> Decision:
    _touch(session, record, now)
    return save_decision(session, _case_at(session, record, position), template, answers, now)


def next_meeting_suggestion(session: Session, record: SessionRecord) -> tuple[date, str, bool]:
    """(date, why, already set): the next date the contract's frequency (else the policy's)
    implies."""

    if record.next_meeting:
        return record.next_meeting, "", True
    policy, _ = current_policy(session)
    contract = session.get(Contract, record.contract_id) if record.contract_id else None
    frequency = parse_frequency(contract.frequency) if contract else policy.default_frequency
    why = f"the contract's {frequency.words()}" if contract else \
        f"the policy's {frequency.words()}"
    return next_due(record.held_on, frequency, policy.terms), why, False


def set_next_meeting(session: Session, record: SessionRecord, day: date,
                     now: datetime) -> bool:
    if day <= record.held_on:
        return False
    _touch(session, record, now)
    record.next_meeting = day
    return True


def drafts_for(session: Session, people: list[Person]) -> list[SessionRecord]:
    ids = [p.id for p in people]
    query = (select(SessionRecord).join(SessionSupervisee,
                                        SessionSupervisee.session_id == SessionRecord.id)
             .where(SessionRecord.status == "draft", SessionSupervisee.person_id.in_(ids))
             .distinct().order_by(SessionRecord.id))
    return list(session.exec(query))


def save_decision(session: Session, case: CaseDiscussion, template: Template,
                  answers: dict[str, Any], now: datetime) -> Decision:
    decision = case_decision(session, case)
    if decision is None:
        decision = Decision(case_id=case.id, template_digest="", answers="{}", saved_at="")
    decision.template_digest = keep_snapshot(session, template, now)
    decision.answers = json.dumps(answers, ensure_ascii=False)
    decision.saved_at = iso_utc(now)
    session.add(decision)
    session.flush()
    return decision


def add_action(session: Session, record: SessionRecord, *, text: str, owner: Person, due: date,
               case: CaseDiscussion | None, now: datetime) -> ActionItem:
    _touch(session, record, now)
    if due < record.held_on:
        raise UsageError(f"The due date {due} is before the session ({record.held_on}).")
    action = ActionItem(text=text, owner_id=owner.id, due_on=due, agreed_due_on=due,
                        session_id=record.id,
                        case_id=case.id if case else None, status="open",
                        created_at=iso_utc(now), updated_at=iso_utc(now))
    session.add(action)
    session.flush()
    return action


def find_action(session: Session, action_id: str | int) -> ActionItem:
    return find_numbered(session, ActionItem, action_id, "A", "action",
                         Hint.of("see_action_list"))


def review_action(session: Session, action: ActionItem, *, outcome: str, note: str,
                  now: datetime, actor: str, record: SessionRecord | None = None,
                  due: date | None = None) -> ActionReview:
    """done / dropped close the action, carried keeps it open; rescheduled (outside a session)
    moves its due date. In a session the outcome takes effect when the session is completed,
    so an abandoned draft changes nothing. Every review is kept."""
    if action.status != "open":
        raise SuperviseError(f"Action {action.id} is already {action.status}; nothing was "
                             f"changed.")
    if record is not None:
        _touch(session, record, now)
    review = ActionReview(action_id=action.id, session_id=record.id if record else None,
                          outcome=outcome, note=note, due_before=action.due_on,
                          due_after=due or action.due_on, reviewed_at=iso_utc(now),
                          reviewed_by=actor)
    session.add(review)
    if record is None:
        _apply(session, action, review, now)
        append_event(session, now=now, actor=actor, action=f"action.{outcome}",
                     record_type="action", record_id=str(action.id),
                     detail={"due": (due or action.due_on).isoformat()})
    session.flush()
    return review


def _apply(session: Session, action: ActionItem, review: ActionReview, now: datetime) -> None:
    if action.status != "open":
        return
    if review.outcome in ("done", "dropped"):
        action.status = review.outcome
    if review.due_after:
        action.due_on = review.due_after
    action.updated_at = iso_utc(now)
    session.add(action)


def open_actions_for(session: Session, people: list[Person], *, on: date | None = None,
                     excluding: int | None = None) -> list[ActionItem]:
    """Open actions agreed in completed sessions of these supervisees, or owned by them, oldest
    first; with `on`, only those agreed in sessions held by then (never in session
    `excluding`, the one reviewing them)."""
    ids = [p.id for p in people]
    raised = select(SessionSupervisee.session_id).where(SessionSupervisee.person_id.in_(ids))
    query = (select(ActionItem).join(SessionRecord, SessionRecord.id == ActionItem.session_id)
             .where(ActionItem.status == "open", SessionRecord.status != "draft")
             .where(ActionItem.owner_id.in_(ids) | ActionItem.session_id.in_(raised)))
    if on is not None:
        query = query.where(SessionRecord.held_on <= on)
    if excluding is not None:
        query = query.where(SessionRecord.id != excluding)
    return list(session.exec(query.order_by(ActionItem.due_on, ActionItem.id)))


def functions_covered(template: Template, answers: dict[str, Any], has: dict[str, bool]) -> list:
    """The supervision functions of the sections actually answered (cases, actions and the
    action review count when there are any)."""
    covered: dict[str, None] = {}
    for section in template.sections:
        answered = (section.id in answers and answers[section.id] not in (None, "", [])) \
            if section.type in FIELD_TYPES else has.get(section.type, False)
        if answered:
            covered.update(dict.fromkeys(section.functions))
    return list(covered)


def complete(session: Session, record: SessionRecord, *, policy: Policy, now: datetime,
             actor: str) -> str:
    """Mark a draft completed: its required answers are checked, reviews take effect, whether
    it is a late entry is judged (written more than the policy's days after the meeting), and
    its digest is fixed."""
    template = snapshot(session, record.template_digest)
    answers = answers_of(session, record)
    missing = [s.title for s in template.sections
               if s.required and s.type in FIELD_TYPES and answers.get(s.id) in (None, "", [])]
    if missing:
        raise UsageError(f"Session {record.id} still needs: {'; '.join(missing)}.",
                         Hint.of("resume_session", session=record.id))
    if record.next_meeting and record.next_meeting <= record.held_on:
        raise UsageError(f"The next meeting ({record.next_meeting}) is not after the session "
                         f"({record.held_on}).")
    case_field = template.of_type("cases")
    cases = cases_of(session, record)
    for case in cases if case_field else ():
        given = json.loads(case.answers)
        missing += [f"case {case.position}: {f.title}" for f in case_field.fields
                    if f.required and given.get(f.id) in (None, "", [])]
    if missing:
        raise UsageError(f"Session {record.id} still needs: {'; '.join(missing)}.",
                         Hint.of("resume_session", session=record.id))
    _touch(session, record, now)
    reviews = reviews_in(session, record)
    for review in reviews:
        _apply(session, session.get(ActionItem, review.action_id), review, now)
    record.status, record.completed_at = "completed", iso_utc(now)
    record.late_entry = late_entry(record.held_on, now, policy)
    session.flush()
    # What was just read is what the digest covers: applying the reviews changes only the
    # actions' status and current due date, which are not part of the record.
    record.digest = session_content(session, record, read=(answers, cases, reviews)).digest
    session.add(record)
    append_event(session, now=now, actor=actor, action="session.complete",
                 record_type="session", record_id=str(record.id), digest=record.digest)
    return record.digest


def discard_draft(session: Session, record: SessionRecord, *, now: datetime, actor: str) -> None:
    """Throw away a draft that should not become a record (started by mistake, or twice).
    Only a draft: a completed record is evidence and is never deleted here."""
    from sqlmodel import delete

    if record.status != "draft":
        raise SuperviseError(f"Session {record.id} is {record.status}: only a draft can be "
                             f"discarded.")
    cases = [c.id for c in cases_of(session, record)]
    for statement in (
        delete(ActionReview).where(ActionReview.session_id == record.id),
        delete(ActionItem).where(ActionItem.session_id == record.id),
        delete(Decision).where(Decision.case_id.in_(cases)),
        delete(CaseChild).where(CaseChild.case_id.in_(cases)),
        delete(CaseDiscussion).where(CaseDiscussion.session_id == record.id),
        delete(SessionAnswer).where(SessionAnswer.session_id == record.id),
        delete(SessionSupervisee).where(SessionSupervisee.session_id == record.id),
    ):
        session.exec(statement)
    session.delete(record)
    append_event(session, now=now, actor=actor, action="session.discard",
                 record_type="session", record_id=str(record.id))


def complete_and_sign(session: Session, record: Any, signers: list[Signer], *, policy: Any,
                      now: datetime, signed_at: datetime, actor: str) -> list[Signature]:
    """Complete a draft session (sessions.complete) and have `signers` sign it at once, in the
    same transaction: what they sign is the digest complete() has just fixed, not computed a
    second time, as nothing is written in between."""

    digest = complete(session, record, policy=policy, now=now, actor=actor)
    return sign_digest(session, "session", record, signers, digest, signed_at, actor)
