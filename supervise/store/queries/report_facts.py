"""The facts behind `report compliance | balance | drift | children`, read in set-based queries;
the rules are in domain/ (compliance, balance, drift, unseen_children)."""

import json
from collections import defaultdict
from datetime import date, timedelta

from sqlmodel import Session

from supervise.domain.oversight.balance import Seen
from supervise.domain.oversight.compliance import Event, Span
from supervise.domain.oversight.drift import Tracked
from supervise.domain.oversight.overdue import counting_kinds
from supervise.domain.oversight.unseen_children import Watched
from supervise.domain.policy.organisation_policy import Policy
from supervise.domain.records.session_rules import functions_covered
from supervise.store.queries.overdue_facts import (
    UNSIGNED_SESSIONS,
    contract_frequency,
    contract_schedule,
    contract_terms,
    day_after,
    day_of,
    kind_held_under,
    rows,
    stored_day,
)
from supervise.store.records.template_snapshots import snapshot


def _names(session: Session) -> dict[int, tuple[str, str]]:
    return {r.id: (r.name, r.team or "") for r in rows(session,
                                                         "SELECT id, name, team FROM person")}


def compliance_facts(session: Session, policy: Policy, end: date) -> tuple[list, list]:
    """Every contract's span with its supervisee's counted sessions, and the events counted
    against teams and supervisors (cancellations, late entries, unsigned records)."""
    people = _names(session)
    day = end.isoformat()
    contracts, successor_start = contract_terms(session)
    owner_kind = {row.id: (row.supervisee_id, row.kind) for row in contracts}
    held: dict[int, list[tuple[date, str | None]]] = defaultdict(list)
    for row in rows(session, """
            SELECT ss.person_id + 0 AS person_id, s.held_on, s.contract_id
            FROM session_record s JOIN session_supervisee ss ON ss.session_id = s.id
            WHERE s.status <> 'draft' AND s.held_on <= :d AND s.kind IN :kinds
            ORDER BY s.held_on""", d=day, kinds=list(counting_kinds(policy))):
        held[row.person_id].append(
            (stored_day(row.held_on), kind_held_under(owner_kind, row.contract_id, row.person_id)))
    kinds_of: dict[int, set[str]] = defaultdict(set)
    for row in contracts:
        kinds_of[row.supervisee_id].add(row.kind)
    spans = []
    for row in (c for c in contracts if str(c.start_on) <= day):
        ends = [d for d in (day_of(row.ended_on), successor_start.get(row.id)) if d]
        last_day = min(ends) - timedelta(days=1) if ends else None
        others = kinds_of[row.supervisee_id] - {row.kind}
        spans.append(Span(
            team=people.get(row.supervisee_id, ("", ""))[1],
            supervisor=people.get(row.supervisor_id, ("(unknown)", ""))[0],
            frequency=contract_frequency(row, policy), start=stored_day(row.start_on),
            end=last_day,
            sessions=tuple(d for d, kind in held[row.supervisee_id] if kind not in others),
            is_review=row.supersedes_id is not None, schedule=contract_schedule(row, policy),
            schedule_from=day_of(row.schedule_from)))
    return spans, _events(session, people, day)


def _events(session: Session, people: dict, day: str) -> list[Event]:
    events = []
    for row in rows(session, """
            SELECT supervisee_id, supervisor_id, meeting_on, cancelled_by FROM cancellation
            WHERE meeting_on <= :d""", d=day):
        team = people.get(row.supervisee_id, ("", ""))[1]
        supervisor = people.get(row.supervisor_id, ("(none named)", ""))[0]
        events.append(Event(stored_day(row.meeting_on), team, supervisor,
                            f"cancelled-by-{row.cancelled_by}"))
    unsigned = {r.id for r in rows(session, UNSIGNED_SESSIONS, d=day, after=day_after(day))}
    for row in rows(session, """
            SELECT s.id, s.held_on, s.supervisor_id, s.late_entry, ss.person_id
            FROM session_record s JOIN session_supervisee ss ON ss.session_id = s.id
            WHERE s.status <> 'draft' AND s.held_on <= :d""", d=day):
        team = people.get(row.person_id, ("", ""))[1]
        supervisor = people.get(row.supervisor_id, ("(unknown)", ""))[0]
        for what, counts in (("late-entry", row.late_entry), ("unsigned", row.id in unsigned)):
            if counts:
                events.append(Event(stored_day(row.held_on), team, supervisor, what))
    return events


def balance_facts(session: Session, on: date, supervisee_id: int | None = None) -> list[Seen]:
    """Each completed session of each supervisee held by `on`, with the functions it covered
    (from the sections answered in the template version it was made with)."""

    day = on.isoformat()
    people = _names(session)
    answers: dict[int, dict] = defaultdict(dict)
    for row in rows(session, """
            SELECT a.session_id, a.section_id, a.value FROM session_answer a
            JOIN session_record s ON s.id = a.session_id
            WHERE s.status <> 'draft' AND s.held_on <= :d""", d=day):
        answers[row.session_id][row.section_id] = json.loads(row.value)
    case_answers: dict[int, list[dict]] = defaultdict(list)
    for row in rows(session, """
            SELECT c.session_id, c.answers FROM case_discussion c
            JOIN session_record s ON s.id = c.session_id
            WHERE s.status <> 'draft' AND s.held_on <= :d""", d=day):
        case_answers[row.session_id].append(json.loads(row.answers))
    has: dict[int, dict] = defaultdict(dict)
    for table, key in (("case_discussion", "cases"), ("action_item", "actions"),
                       ("action_review", "action_review")):
        for row in rows(session, f"SELECT DISTINCT session_id FROM {table} "
                                  f"WHERE session_id IS NOT NULL"):
            has[row.session_id][key] = True
    seen = []
    query = """
        SELECT s.id, s.held_on, s.template_digest, s.next_meeting, s.supervisor_id,
               ss.person_id
        FROM session_record s JOIN session_supervisee ss ON ss.session_id = s.id
        WHERE s.status <> 'draft' AND s.held_on <= :d"""
    params: dict = {"d": day}
    if supervisee_id is not None:
        query += " AND ss.person_id = :p"
        params["p"] = supervisee_id
    for row in rows(session, query + " ORDER BY s.held_on, s.id", **params):
        flags = {**has[row.id], "next_meeting": row.next_meeting is not None}
        template = snapshot(session, row.template_digest)
        covered = functions_covered(template, answers[row.id], flags, case_answers[row.id])
        seen.append(Seen(people[row.person_id][0], people[row.supervisor_id][0], row.id,
                         stored_day(row.held_on), frozenset(covered)))
    return seen


def drift_facts(session: Session, on: date) -> list[Tracked]:
    """Open actions agreed in completed sessions held by `on`, with how often each was carried
    forward."""
    people = _names(session)
    return [Tracked(row.id, row.text, people[row.owner_id][0] if row.owner_id is not None
                    else f"{row.owner_contact} ({row.owner_role})", stored_day(row.due_on),
                    row.session_id, stored_day(row.held_on), row.carried)
            for row in rows(session, """
                SELECT a.id, a.text, a.owner_id, a.owner_contact, a.owner_role, a.due_on,
                       a.session_id, s.held_on,
                       (SELECT count(*) FROM action_review r
                        WHERE r.action_id = a.id AND r.outcome = 'carried') AS carried
                FROM action_item a JOIN session_record s ON s.id = a.session_id
                WHERE a.status = 'open' AND s.status <> 'draft' AND s.held_on <= :d
                ORDER BY a.id""", d=on.isoformat())]


def children_facts(session: Session, on: date, statuses: tuple[str, ...]) -> list[Watched]:
    """Children with these statuses and when a completed session last discussed each."""
    people = _names(session)
    day = on.isoformat()
    last: dict[int, tuple[date, int, int]] = {}
    for row in rows(session, """
            SELECT cc.child_id, s.held_on, s.id, s.supervisor_id
            FROM case_child cc JOIN case_discussion c ON c.id = cc.case_id
            JOIN session_record s ON s.id = c.session_id
            WHERE s.status <> 'draft' AND s.held_on <= :d
            ORDER BY s.held_on, s.id""", d=day):
        last[row.child_id] = (stored_day(row.held_on), row.id, row.supervisor_id)
    watched = []
    for row in rows(session, """
            SELECT c.id, c.name, c.status, c.status_since, f.name AS family
            FROM child c LEFT JOIN family f ON f.id = c.family_id
            WHERE c.status IN :statuses ORDER BY c.name_key""", statuses=list(statuses)):
        held, record, supervisor = last.get(row.id, (None, None, None))
        watched.append(Watched(row.name, row.family, row.status, day_of(row.status_since),
                               held, record,
                               people[supervisor][0] if supervisor in people else None))
    return watched
