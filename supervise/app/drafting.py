"""A draft session answered in the meeting, one answer at a time. Every write is its own use
case and its own transaction (the autosave), so a killed process loses at most the answer being
typed; the audit trail keeps when each part was written, and by whom. Reads return plain data."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from supervise.app.unit import Work, unit_of_work
from supervise.domain.policy.templates import Template
from supervise.domain.records.session_rules import Unanswered
from supervise.domain.rows import ChildRow, SessionDetail
from supervise.store.catalog import Catalog
from supervise.store.db.opening import Store
from supervise.store.db.tables import SessionRecord, id_of
from supervise.store.integrity.audit_append import append_event
from supervise.store.queries import session_rows
from supervise.store.records import children, sessions
from supervise.store.records.children import same_name
from supervise.store.records.numbered import find_session
from supervise.store.records.people import find_person, names_in_post
from supervise.store.records.policies import current_policy
from supervise.store.records.session_parts import (
    answers_of,
    case_decision,
    cases_of,
    reviews_in,
    supervisees_of,
)


@dataclass(frozen=True)
class Draft:
    """What a walk through a draft reads once: its kind and date, the staff names offered for
    type-ahead, and the answers already saved."""

    id: int
    kind: str
    held_on: date
    names: list[str]
    answered: dict[str, Any]


def open_draft(store: Store, session_id: int) -> Draft:
    with unit_of_work(store) as work:
        record = find_session(work.session, session_id)
        return Draft(id_of(record), record.kind, record.held_on, names_in_post(work.session),
                     answers_of(work.session, record))


@contextmanager
def _autosave(store: Store, session_id: int, part: str) -> Iterator[tuple[Work, SessionRecord]]:
    """One write to the draft and its audit event, in one transaction."""
    with unit_of_work(store) as work:
        yield work, find_session(work.session, session_id)
        append_event(work, action="session.autosave",
                     record_type="session", record_id=str(session_id), detail={"part": part})


def record_answer(store: Store, session_id: int, section: str, value: Any, *,
                  person: bool = False) -> None:
    """One answer saved (a blank too, so a resumed session does not ask it again); `person`:
    the value names a member of staff, saved as their name is recorded."""
    with _autosave(store, session_id, f"answer {section}") as (work, record):
        if person:
            value = find_person(work.session, value).name
        sessions.save_answer(work.session, record, section, value, work.now)


def actions_to_review(store: Store, session_id: int) -> list[tuple[int, str, date]]:
    """(number, text, due) of each open action of these supervisees not reviewed here yet."""
    with unit_of_work(store) as work:
        record = find_session(work.session, session_id)
        done = {r.action_id for r in reviews_in(work.session, record)}
        return [(id_of(a), a.text, a.due_on) for a in sessions.open_actions_for(
            work.session, supervisees_of(work.session, record), on=record.held_on,
            excluding=record.id) if a.id not in done]


def previous_meeting(store: Store, session_id: int) -> SessionDetail | None:
    """The last completed session before this one with its supervisees, whole, to review its
    notes; None for a first session."""
    with unit_of_work(store) as work:
        before = session_rows.previous_session(work.session,
                                               find_session(work.session, session_id))
        return session_rows.session_detail(work.session, before) if before else None


def record_review(store: Store, session_id: int, action_id: int, *, outcome: str,
                  note: str, due: date | None = None) -> None:
    """An open action reviewed in the session (in effect once the session is completed). A
    carried action is given its new due date `due` (refused without one, or before the
    session); the review keeps the old one (due_before) beside it."""
    with _autosave(store, session_id, f"review of action {action_id}") as (work, record):
        sessions.review_action(work, sessions.find_action(work.session, action_id),
                               outcome=outcome, note=note, record=record, due=due)


def cases_so_far(store: Store, session_id: int,
                 ) -> list[tuple[int, str | None, dict[str, Any]]]:
    """(position, family or None, answers so far) of each case saved in the draft."""
    with unit_of_work(store) as work:
        return sessions.case_state(work.session, find_session(work.session, session_id))


def children_named(store: Store, name: str) -> list[ChildRow]:
    """Each child on the register so named (family, date of birth, reference, status since)."""
    with unit_of_work(store) as work:
        return [children.child_row(work.session, c) for c in same_name(work.session, name)]


@dataclass(frozen=True)
class Candidates:
    """What a case's type-ahead offers: every child on the register (with family, date of
    birth, reference and status since when) and every family's name."""

    children: list[ChildRow]
    families: list[str]


def child_candidates(store: Store) -> Candidates:
    with unit_of_work(store) as work:
        return Candidates(
            [children.child_row(work.session, c) for c in children.list_children(work.session)],
            children.family_names(work.session))


def near_children(store: Store, name: str, dob: date | None,
                  family: str | None) -> list[ChildRow]:
    """Children on the register that a child named for the first time may really be (a
    misspelt name with the same date of birth or family), closest first: ask "did you mean"
    before adding a new one."""
    with unit_of_work(store) as work:
        return [children.child_row(work.session, c)
                for c in children.near_children(work.session, name, dob, family)]


def missing_answers(store: Store, session_id: int) -> list[Unanswered]:
    """The required questions of a draft still unanswered, in agenda order: top-level
    sections, case fields and decision-record fields (each with its case's position and
    family), so a walk can go straight to them; completing is refused while any is left."""
    with unit_of_work(store) as work:
        return sessions.unanswered_in(work.session, find_session(work.session, session_id))


def record_case(store: Store, session_id: int, *, position: int, family: str | None,
                children: list[dict[str, Any]], status: str | None) -> None:
    """A case discussion begun: the family and children (found on the register or added);
    no family and no children: an experience shared about no one family.
    Each child's dictionary: `name` and `dob` (or `id`, chosen from the register), and
    optionally `own_status` (this child's status; else `status`, the case's), `since` (a
    date: when that status began, e.g. the plan's start; not after the session) and `ref`
    (the child's local reference). Ask near_children first for a name new to the
    register."""
    with _autosave(store, session_id, f"case {position}") as (work, record):
        sessions.save_case(work, record, position=position, family=family,
                           children=children, status=status, answers={})


def record_case_answer(store: Store, session_id: int, position: int, field: str,
                       answers: dict[str, Any]) -> None:
    """A case's answers saved, just after `field` was answered."""
    with _autosave(store, session_id, f"case {position} {field}") as (work, record):
        sessions.save_case_answers(work.session, record, position, answers, work.now)


def decision_template(store: Store, templates: Catalog) -> Template:
    """The decision record's template the policy in force names."""
    with unit_of_work(store) as work:
        policy, _ = current_policy(work.session)
    return templates.get(policy.decision_template, kind="decision")


def record_decision(store: Store, session_id: int, position: int, template: Template,
                    answers: dict[str, Any]) -> None:
    """The decision record of a case, saved as far as it is answered."""
    with _autosave(store, session_id, f"case {position} decision") as (work, record):
        sessions.save_decision_for(work.session, record, position, template, answers,
                                   work.now)


def decision_so_far(store: Store, session_id: int, position: int) -> dict[str, Any]:
    """The answers of case `position`'s decision record saved so far (none: {})."""
    with unit_of_work(store) as work:
        record = find_session(work.session, session_id)
        case = next((c for c in cases_of(work.session, record) if c.position == position), None)
        decision = case_decision(work.session, case) if case is not None else None
        return json.loads(decision.answers) if decision is not None else {}


def staff_name(store: Store, name: str) -> str:
    """A member of staff's name as recorded (any case; an unknown name is refused)."""
    with unit_of_work(store) as work:
        return find_person(work.session, name).name


def record_action(store: Store, session_id: int, *, text: str, owner: str, due: date,
                  owner_role: str | None = None, case: int | None = None,
                  item: str | None = None, notes: str | None = None) -> None:
    """An action agreed in the session. `owner` is a member of staff, or, with `owner_role`
    (their role or organisation), a named contact not on the staff list (a social worker, a
    parent). `case` (a case's position) or `item` (an agenda section id) says what it is
    about."""
    with _autosave(store, session_id, "action") as (work, record):
        staff = None if owner_role else find_person(work.session, owner)
        sessions.add_action(work.session, record, text=text, owner=staff, due=due,
                            case=sessions.case_at(work.session, record, case) if case
                            else None, now=work.now,
                            contact=owner if owner_role else None, role=owner_role,
                            item=item, notes=notes)


def next_meeting(store: Store, session_id: int) -> tuple[date, str, bool]:
    """(date, why, already set): the next meeting the contract's (or policy's) frequency
    suggests, or the one already set."""
    with unit_of_work(store) as work:
        return sessions.next_meeting_suggestion(work.session,
                                                find_session(work.session, session_id))


def record_next_meeting(store: Store, session_id: int, day: date) -> bool:
    """The next meeting set; False (and nothing set) when it is not after this one."""
    with _autosave(store, session_id, "next meeting") as (work, record):
        return sessions.set_next_meeting(work.session, record, day, work.now)
