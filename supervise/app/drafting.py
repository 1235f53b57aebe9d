"""A draft session answered in the meeting, one answer at a time. Every write is its own use
case and its own transaction (the autosave), so a killed process loses at most the answer being
typed; the audit trail keeps when each part was written, and by whom. Reads return plain data."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from supervise.app.unit import Work, unit_of_work
from supervise.domain.policy.templates import Template
from supervise.store.catalog import Catalog
from supervise.store.db.opening import Store
from supervise.store.db.tables import SessionRecord, id_of
from supervise.store.integrity.audit_chain import append_event
from supervise.store.records import sessions
from supervise.store.records.children import same_name
from supervise.store.records.numbered import find_session
from supervise.store.records.people import find_person, names_in_post
from supervise.store.records.policies import current_policy
from supervise.store.records.session_parts import answers_of, reviews_in, supervisees_of


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


def record_review(store: Store, session_id: int, action_id: int, *, outcome: str,
                  note: str) -> None:
    """An open action reviewed in the session (in effect once the session is completed)."""
    with _autosave(store, session_id, f"review of action {action_id}") as (work, record):
        sessions.review_action(work, sessions.find_action(work.session, action_id),
                               outcome=outcome, note=note, record=record)


def cases_so_far(store: Store, session_id: int) -> list[tuple[int, str, dict[str, Any]]]:
    """(position, family, answers so far) of each case saved in the draft."""
    with unit_of_work(store) as work:
        return sessions.case_state(work.session, find_session(work.session, session_id))


def children_named(store: Store, name: str) -> list[tuple[int, date | None, str | None, str]]:
    """(id, date of birth, local reference, status) of each child on the register so named."""
    with unit_of_work(store) as work:
        return [(id_of(c), c.dob, c.local_ref, c.status) for c in same_name(work.session, name)]


def record_case(store: Store, session_id: int, *, position: int, family: str,
                children: list[dict[str, Any]], status: str) -> None:
    """A case discussion begun: the family and children (found on the register or added)."""
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


def staff_name(store: Store, name: str) -> str:
    """A member of staff's name as recorded (any case; an unknown name is refused)."""
    with unit_of_work(store) as work:
        return find_person(work.session, name).name


def record_action(store: Store, session_id: int, *, text: str, owner: str, due: date) -> None:
    """An action agreed in the session."""
    with _autosave(store, session_id, "action") as (work, record):
        sessions.add_action(work.session, record, text=text,
                            owner=find_person(work.session, owner), due=due, case=None,
                            now=work.now)


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
