"""Supervision sessions: a draft saved answer by answer, then completed (and, later, signed).

Every write here is small and committed by the caller at once: an interactive session calls one
function per answer inside its own transaction, so a killed process loses at most the answer
being typed.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from supervise.domain.policy.frequency import next_due, parse_frequency
from supervise.domain.policy.organisation_policy import Policy
from supervise.domain.policy.templates import Template
from supervise.domain.records.canonical import iso_utc
from supervise.domain.records.register_rules import case_child_problems
from supervise.domain.records.session_rules import (
    CaseFacts,
    Unanswered,
    action_owner_problems,
    action_problems,
    completion_problems,
    discard_problems,
    draft_problems,
    late_entry,
    next_meeting_fits,
    review_problems,
    start_problems,
    unanswered,
)
from supervise.domain.text import clean_line
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
    id_of,
)
from supervise.store.db.writing import Stamp, Writing
from supervise.store.integrity.audit_append import append_event
from supervise.store.records.children import (
    add_child,
    family_for,
    match_for_case,
    note_reference,
    set_status,
)
from supervise.store.records.content import session_content
from supervise.store.records.numbered import find_numbered, stored
from supervise.store.records.policies import current_policy
from supervise.store.records.session_parts import (
    answers_of,
    case_decision,
    cases_of,
    family_name,
    reviews_in,
)
from supervise.store.records.signatures import Signer, sign_digest
from supervise.store.records.template_snapshots import keep_snapshot, snapshot

Row = TypeVar("Row")


def _refuse(problems: list[SuperviseError]) -> None:
    """The first problem the rules found, raised before anything is written."""
    if problems:
        raise problems[0]


def start_draft(work: Writing, *, template: Template, kind: str, supervisor: Person,
                supervisees: list[Person], held_on: date, start_time: str | None,
                duration: int | None, contract_id: int | None, policy: Policy,
                policy_version: int) -> SessionRecord:
    session, now, actor = work.session, work.now, work.actor
    _refuse(start_problems(held_on=held_on, today=now.date(), duration=duration,
                           supervisor_id=supervisor.id, supervisor_name=supervisor.name,
                           supervisee_ids=[p.id for p in supervisees]))
    record = SessionRecord(
        kind=kind, status="draft", template_digest=keep_snapshot(session, template, now),
        supervisor_id=id_of(supervisor), contract_id=contract_id, held_on=held_on,
        start_time=start_time, duration_minutes=duration, policy_version=policy_version,
        late_entry=late_entry(held_on, now.date(), policy), created_at=iso_utc(now),
        created_by=actor, updated_at=iso_utc(now))
    session.add(record)
    session.flush()
    for person in supervisees:
        session.add(SessionSupervisee(session_id=id_of(record), person_id=id_of(person)))
    append_event(work, action="session.start", record_type="session",
                 record_id=str(record.id))
    return record


def _touch(session: Session, record: SessionRecord, now: datetime) -> None:
    _refuse(draft_problems(record.id, record.status))
    record.updated_at = iso_utc(now)
    session.add(record)


def save_answer(session: Session, record: SessionRecord, section_id: str, value: Any,
                now: datetime) -> None:
    _touch(session, record, now)
    row = session.get(SessionAnswer, (record.id, section_id))
    if row is None:
        row = SessionAnswer(session_id=id_of(record), section_id=section_id, value="",
                            saved_at="")
    row.value = json.dumps(value, ensure_ascii=False)
    row.saved_at = iso_utc(now)
    session.add(row)


@dataclass(frozen=True)
class NamedChild:
    """A child of a case discussion as this session records them: their register entry, their
    own status in it (None: as the register has it), since when, and their local reference."""

    child: Child
    status: str | None
    since: date | None
    ref: str | None


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def children_for_case(work: Writing, children: list[dict[str, Any]], family: Family | None,
                      status: str | None, held_on: date) -> list[NamedChild]:
    """Each child named in a case: found on the register (match_for_case) or added to it, with
    their own status (else the case's), status-since date and local reference. A child's
    dictionary: `name`, `dob` or `id` (chosen from the register); optional `own_status` (this
    child's status in the case: a sibling not on the plan keeps theirs), `since` (when it
    began) and `ref`. (A `status` key, the register's as the walk shows it, is not read.)
    Whether a new name is a near duplicate is asked before (children.near_children)."""
    session = work.session
    found = []
    for named in children:
        own = named.get("own_status") or status
        since, ref = _day(named.get("since")), named.get("ref")
        if named.get("id"):  # chosen from the register already
            child = stored(session, Child, named["id"])
        else:
            dob = _day(named.get("dob"))
            matched = match_for_case(session, named["name"], dob)
            child = matched if matched is not None else add_child(
                work, name=named["name"], dob=dob, ref=ref, family=family.name if family else None,
                status=own or "none", status_since=since if own else None)
        _refuse(case_child_problems(child.name, since=since, held_on=held_on, dob=child.dob))
        note_reference(work, child, ref)
        found.append(NamedChild(child, own, since, ref))
    return found


def save_case(work: Writing, record: SessionRecord, *, position: int, family: str | None,
              children: list[dict[str, Any]], status: str | None, answers: dict[str, Any],
              ) -> CaseDiscussion:
    """`status` None: the children's status is not changed (the case notes the current one),
    unless a child names their own (children_for_case). `family` None (and no children): an
    experience shared that is about no one family."""
    session, now = work.session, work.now
    _touch(session, record, now)
    family_row = family_for(session, family, now) if family else None
    found = children_for_case(work, children, family_row, status, record.held_on)
    status = status or (found[0].status or found[0].child.status if found else "none")
    case = session.exec(select(CaseDiscussion).where(
        CaseDiscussion.session_id == record.id, CaseDiscussion.position == position)).first()
    if case is None:
        case = CaseDiscussion(session_id=id_of(record), position=position,
                              family_id=family_row.id if family_row else None,
                              status=status, answers="{}", saved_at=iso_utc(now))
    case.family_id, case.status = family_row.id if family_row else None, status
    case.answers = json.dumps(answers, ensure_ascii=False)
    case.saved_at = iso_utc(now)
    session.add(case)
    session.flush()
    for named in found:
        child = named.child
        if named.status is not None:
            set_status(work, child, named.status, on=record.held_on, since=named.since,
                       session_id=record.id)
        row = session.get(CaseChild, (case.id, child.id)) or CaseChild(
            case_id=id_of(case), child_id=id_of(child))
        row.status = named.status or child.status
        row.status_since = named.since or (
            child.status_since if row.status == child.status != "none" else None)
        row.local_ref = named.ref or child.local_ref
        session.add(row)
    session.flush()
    return case


def case_state(session: Session, record: SessionRecord,
               ) -> list[tuple[int, str | None, dict]]:
    """(position, family or None, answers so far) of each case saved in a draft."""
    return [(c.position, family_name(session, c), json.loads(c.answers))
            for c in cases_of(session, record)]



def case_at(session: Session, record: SessionRecord, position: int) -> CaseDiscussion:
    case = session.exec(select(CaseDiscussion).where(
        CaseDiscussion.session_id == record.id, CaseDiscussion.position == position)).first()
    if case is None:
        raise NotFoundError(f"Session {record.id} has no case {position}.")
    return case


def save_case_answers(session: Session, record: SessionRecord, position: int,
                      answers: dict[str, Any], now: datetime) -> None:
    _touch(session, record, now)
    case = case_at(session, record, position)
    case.answers, case.saved_at = json.dumps(answers, ensure_ascii=False), iso_utc(now)
    session.add(case)


def save_decision_for(session: Session, record: SessionRecord, position: int,
                      template: Template, answers: dict[str, Any], now: datetime) -> Decision:
    _touch(session, record, now)
    return save_decision(session, case_at(session, record, position), template, answers, now)


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
    if not next_meeting_fits(day, record.held_on):
        return False
    _touch(session, record, now)
    record.next_meeting = day
    return True


def drafts_for(session: Session, people: list[Person]) -> list[SessionRecord]:
    ids = [p.id for p in people]
    query = (select(SessionRecord).join(SessionSupervisee,
                                        col(SessionSupervisee.session_id) == col(SessionRecord.id))
             .where(SessionRecord.status == "draft", col(SessionSupervisee.person_id).in_(ids))
             .distinct().order_by(col(SessionRecord.id)))
    return list(session.exec(query))


def save_decision(session: Session, case: CaseDiscussion, template: Template,
                  answers: dict[str, Any], now: datetime) -> Decision:
    decision = case_decision(session, case)
    if decision is None:
        decision = Decision(case_id=id_of(case), template_digest="", answers="{}", saved_at="")
    decision.template_digest = keep_snapshot(session, template, now)
    decision.answers = json.dumps(answers, ensure_ascii=False)
    decision.saved_at = iso_utc(now)
    session.add(decision)
    session.flush()
    return decision


def add_action(session: Session, record: SessionRecord, *, text: str, owner: Person | None,
               due: date, case: CaseDiscussion | None, now: datetime,
               contact: str | None = None, role: str | None = None,
               item: str | None = None, notes: str | None = None) -> ActionItem:
    """An action agreed in the session, owned by a member of staff (`owner`) or by a named
    contact who is not on the staff list (`contact`, with their `role` or organisation), and
    tied to a case or to the agenda item (section id) `item`."""
    _touch(session, record, now)
    _refuse(action_owner_problems(staff=owner is not None, contact=contact, role=role)
            + action_problems(due, record.held_on))
    if item is not None and snapshot(session, record.template_digest).section(item) is None:
        raise UsageError(f"The agenda of session {record.id} has no item {item!r}.")
    action = ActionItem(text=text, owner_id=id_of(owner) if owner else None,
                        owner_contact=clean_line(contact, "contact's name") if contact else None,
                        owner_role=clean_line(role, "contact's role") if contact and role
                        else None,
                        section_id=item, notes=notes or None, due_on=due, agreed_due_on=due,
                        session_id=id_of(record),
                        case_id=case.id if case else None, status="open",
                        created_at=iso_utc(now), updated_at=iso_utc(now))
    session.add(action)
    session.flush()
    return action


def find_action(session: Session, action_id: str | int) -> ActionItem:
    return find_numbered(session, ActionItem, action_id, "A", "action",
                         Hint.of("see_action_list"))


def review_action(work: Writing, action: ActionItem, *, outcome: str, note: str,
                  record: SessionRecord | None = None,
                  due: date | None = None) -> ActionReview:
    """done / dropped close the action, carried keeps it open with its new due date `due`
    (refused without one); rescheduled (outside a session) moves its due date. In a session
    the outcome takes effect when the session is completed, so an abandoned draft changes
    nothing. Every review is kept."""
    session, now, actor = work.session, work.now, work.actor
    _refuse(review_problems(action.id, action.status, outcome=outcome, due=due,
                            held_on=record.held_on if record else None))
    if record is not None:
        _touch(session, record, now)
    review = ActionReview(action_id=id_of(action), session_id=record.id if record else None,
                          outcome=outcome, note=note, due_before=action.due_on,
                          due_after=due or action.due_on, reviewed_at=iso_utc(now),
                          reviewed_by=actor)
    session.add(review)
    if record is None:
        _apply(session, action, review, now)
        append_event(work, action=f"action.{outcome}",
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
    raised = select(SessionSupervisee.session_id).where(
        col(SessionSupervisee.person_id).in_(ids))
    query = (select(ActionItem).join(SessionRecord,
                                     col(SessionRecord.id) == col(ActionItem.session_id))
             .where(ActionItem.status == "open", SessionRecord.status != "draft")
             .where(col(ActionItem.owner_id).in_(ids) | col(ActionItem.session_id).in_(raised)))
    if on is not None:
        query = query.where(SessionRecord.held_on <= on)
    if excluding is not None:
        query = query.where(SessionRecord.id != excluding)
    return list(session.exec(query.order_by(col(ActionItem.due_on), col(ActionItem.id))))


def case_facts(session: Session, cases: list[CaseDiscussion]) -> list[CaseFacts]:
    """Each case discussion's answers and its decision record's, as completion weighs them."""
    facts = []
    for case in cases:
        decision = case_decision(session, case)
        facts.append(CaseFacts(
            position=case.position, family=family_name(session, case),
            answers=json.loads(case.answers),
            decision=json.loads(decision.answers) if decision else None,
            decision_template=snapshot(session, decision.template_digest) if decision
            else None))
    return facts


def unanswered_in(session: Session, record: SessionRecord) -> list[Unanswered]:
    """The required questions of a draft still unanswered, in agenda order."""
    return unanswered(snapshot(session, record.template_digest), answers_of(session, record),
                      case_facts(session, cases_of(session, record)))


def complete(work: Writing, record: SessionRecord, *, policy: Policy) -> str:
    """Mark a draft completed: its required answers are checked, reviews take effect, whether
    it is a late entry is judged (written more than the policy's days after the meeting), and
    its digest is fixed."""
    session, now = work.session, work.now
    template = snapshot(session, record.template_digest)
    answers = answers_of(session, record)
    cases = cases_of(session, record)
    _refuse(completion_problems(
        session_id=record.id, template=template, answers=answers,
        cases=case_facts(session, cases), next_meeting=record.next_meeting,
        held_on=record.held_on))
    _touch(session, record, now)
    reviews = reviews_in(session, record)
    for review in reviews:
        _apply(session, stored(session, ActionItem, review.action_id), review, now)
    record.status, record.completed_at = "completed", iso_utc(now)
    record.late_entry = late_entry(record.held_on, now.date(), policy)
    session.flush()
    # What was just read is what the digest covers: applying the reviews changes only the
    # actions' status and current due date, which are not part of the record.
    record.digest = session_content(session, record, read=(answers, cases, reviews)).digest
    session.add(record)
    append_event(work, action="session.complete",
                 record_type="session", record_id=str(record.id), digest=record.digest)
    return record.digest


def discard_draft(work: Writing, record: SessionRecord) -> None:
    """Throw away a draft that should not become a record (started by mistake, or twice).
    Only a draft: a completed record is evidence and is never deleted here."""
    session = work.session
    from sqlmodel import delete

    _refuse(discard_problems(record.id, record.status))
    cases = [c.id for c in cases_of(session, record)]
    for statement in (
        delete(ActionReview).where(col(ActionReview.session_id) == record.id),
        delete(ActionItem).where(col(ActionItem.session_id) == record.id),
        delete(Decision).where(col(Decision.case_id).in_(cases)),
        delete(CaseChild).where(col(CaseChild.case_id).in_(cases)),
        delete(CaseDiscussion).where(col(CaseDiscussion.session_id) == record.id),
        delete(SessionAnswer).where(col(SessionAnswer.session_id) == record.id),
        delete(SessionSupervisee).where(col(SessionSupervisee.session_id) == record.id),
    ):
        session.exec(statement)
    session.delete(record)
    append_event(work, action="session.discard",
                 record_type="session", record_id=str(record.id))


def complete_and_sign(work: Writing, record: Any, signers: list[Signer], *, policy: Any,
                      signed_at: datetime) -> list[Signature]:
    """Complete a draft session (sessions.complete) and have `signers` sign it at once, in the
    same transaction: what they sign is the digest complete() has just fixed, not computed a
    second time, as nothing is written in between."""

    digest = complete(work, record, policy=policy)
    return sign_digest(Stamp(work.session, signed_at, work.actor), "session", record, signers,
                       digest)
