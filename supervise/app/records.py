"""Decision records, actions and amendments: listing, showing, closing or moving an action, and
correcting a completed record by a linked amendment."""

from datetime import date
from typing import Any

from supervise.app.unit import unit_of_work
from supervise.domain.rows import ActionRow, DecisionRow
from supervise.errors import NotFoundError
from supervise.store.db.opening import Store
from supervise.store.db.tables import id_of
from supervise.store.queries import session_rows
from supervise.store.records import amendments
from supervise.store.records.children import find_child
from supervise.store.records.numbered import find_decision, find_record
from supervise.store.records.people import find_person
from supervise.store.records.session_parts import cases_of, family_name
from supervise.store.records.sessions import find_action, review_action


def list_decisions(store: Store, child: str | None) -> list[DecisionRow]:
    """Decision records (about one child, when named), as rows."""
    with unit_of_work(store) as work:
        about = find_child(work.session, child) if child else None
        return [session_rows.decision_row(work.session, d)
                for d in session_rows.list_decisions(work.session, about)]


def show_decision(store: Store, decision_id: str) -> DecisionRow:
    with unit_of_work(store) as work:
        return session_rows.decision_row(work.session, find_decision(work.session, decision_id))


def list_actions(store: Store, owner: str | None) -> list[ActionRow]:
    """Actions (owned by one member of staff or named contact, when named), as rows;
    `overdue` is judged today. A name not on the staff list is looked for among the contacts
    who own actions; if none, it is refused as an unknown person."""
    with unit_of_work(store) as work:
        person, contact = None, None
        if owner:
            try:
                person = find_person(work.session, owner)
            except NotFoundError:
                if not session_rows.list_actions(work.session, contact=owner):
                    raise
                contact = owner
        return [session_rows.action_row(work.session, a, work.now.date())
                for a in session_rows.list_actions(work.session, person, contact)]


def action_done(store: Store, action_id: str, note: str) -> int:
    """An action marked done between sessions (the review is kept); its number."""
    with unit_of_work(store) as work:
        action = find_action(work.session, action_id)
        review_action(work, action, outcome="done", note=note)
        return id_of(action)


def move_action(store: Store, action_id: str, due: date, note: str) -> int:
    """An action's due date moved (the old one stays in its history); its number."""
    with unit_of_work(store) as work:
        action = find_action(work.session, action_id)
        review_action(work, action, outcome="rescheduled", note=note, due=due)
        return id_of(action)


def amendable(store: Store, record_type: str, given: str,
              case: int | None) -> dict[str, tuple[str, Any]]:
    """section id -> (question, its text as recorded) of what an amendment may correct."""
    with unit_of_work(store) as work:
        record = find_record(work.session, record_type, given)
        return amendments.amendable_sections(work.session, record_type, record, case)


def amendable_cases(store: Store, record_type: str, given: str) -> list[tuple[int, str | None]]:
    """(position, family or None) of each case discussion of a session whose questions an
    amendment may correct (with `case`); none for other records."""
    if record_type != "session":
        return []
    with unit_of_work(store) as work:
        record = find_record(work.session, record_type, given)
        return [(c.position, family_name(work.session, c))
                for c in cases_of(work.session, record)]


def recorded(sections: dict[str, tuple[str, Any]], section: str, record_type: str) -> Any:
    """What the question holds now; a question not in the record is refused."""
    return amendments.recorded_text(sections, section, record_type)


def amend(store: Store, record_type: str, given: str, *, section: str | None,
          case: int | None, text: str, reason: str) -> tuple[int, int]:
    """An amendment recorded, by the signed-in user; (its number, the record's number)."""
    with unit_of_work(store) as work:
        record = find_record(work.session, record_type, given)
        row = amendments.amend(work, record_type, record, section=section,
                               case_position=case, text=text, reason=reason,
                               author=find_person(work.session, work.actor))
        return row.number, id_of(record)
