"""The facts behind `report compliance | drift | children`, read in set-based queries in plain
SQL; the rules are in domain/ (compliance, drift, unseen_children). `report balance` reads the
template copies too: balance_facts.py."""

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from supervise.domain.oversight.compliance import Event, Span
from supervise.domain.oversight.drift import Tracked
from supervise.domain.oversight.overdue import counting_kinds
from supervise.domain.oversight.unseen_children import Watched
from supervise.domain.policy.organisation_policy import Policy
from supervise.store.db.reading import Reader
from supervise.store.queries.overdue_facts import (
    UNSIGNED_SESSIONS,
    as_reader,
    contract_frequency,
    contract_schedule,
    contract_terms,
    day_after,
    day_of,
    in_list,
    stored_day,
)


def names(reader: Reader) -> dict[int, tuple[str, str]]:
    return {id_: (name, team or "") for id_, name, team in reader.rows(
        "SELECT id, name, team FROM person")}


def compliance_facts(source: Reader | Any, policy: Policy, end: date,
                     first: date | None = None) -> tuple[list[Span], list[Event]]:
    """Every contract's span with its supervisee's counted sessions, and the events counted
    against teams and supervisors (cancellations, late entries, unsigned records) to `end`
    (from `first`, when given: the report counts no event before it)."""
    reader = as_reader(source)
    people = names(reader)
    day = end.isoformat()
    contracts, successor_start = contract_terms(reader)
    owner_kind = {row.id: (row.supervisee_id, row.kind) for row in contracts}
    # Each supervisee's counted sessions in date order, and the kind of their contract each was
    # held under (None: another's, or none), as two lists side by side.
    held: dict[int, tuple[list[date], list[str | None]]] = defaultdict(lambda: ([], []))
    days: dict[str, date] = {}  # one date object per day, however many sessions share it
    listed, kinds = in_list("kind", counting_kinds(policy))
    for person_id, held_on, contract_id in reader.iterate(f"""
            SELECT ss.person_id + 0 AS person_id, s.held_on, s.contract_id
            FROM session_record s JOIN session_supervisee ss ON ss.session_id = s.id
            WHERE s.status <> 'draft' AND s.held_on <= :d AND s.kind IN {listed}
            ORDER BY s.held_on""", {"d": day, **kinds}):
        dates, under = held[person_id]
        dates.append(days.get(held_on) or days.setdefault(held_on, stored_day(held_on)))
        owner = owner_kind.get(contract_id)
        under.append(owner[1] if owner is not None and owner[0] == person_id else None)
    kinds_of: dict[int, set[str]] = defaultdict(set)
    for row in contracts:
        kinds_of[row.supervisee_id].add(row.kind)
    spans = []
    for row in (c for c in contracts if str(c.start_on) <= day):
        ends = [d for d in (day_of(row.ended_on), successor_start.get(row.id)) if d]
        last_day = min(ends) - timedelta(days=1) if ends else None
        others = kinds_of[row.supervisee_id] - {row.kind}
        dates, under = held[row.supervisee_id]
        sessions = tuple(dates) if not others.intersection(under) else tuple(
            d for d, kind in zip(dates, under, strict=True) if kind not in others)
        spans.append(Span(
            team=people.get(row.supervisee_id, ("", ""))[1],
            supervisor=people.get(row.supervisor_id, ("(unknown)", ""))[0],
            frequency=contract_frequency(row, policy), start=stored_day(row.start_on),
            end=last_day, sessions=sessions,
            is_review=row.supersedes_id is not None, schedule=contract_schedule(row, policy),
            schedule_from=day_of(row.schedule_from)))
    return spans, _events(reader, people, day, (first or date.min).isoformat())


def _events(reader: Reader, people: dict, day: str, since: str) -> list[Event]:
    events = []
    for supervisee_id, supervisor_id, meeting_on, cancelled_by in reader.rows("""
            SELECT supervisee_id, supervisor_id, meeting_on, cancelled_by FROM cancellation
            WHERE meeting_on <= :d AND meeting_on >= :since""", {"d": day, "since": since}):
        team = people.get(supervisee_id, ("", ""))[1]
        supervisor = people.get(supervisor_id, ("(none named)", ""))[0]
        events.append(Event(stored_day(meeting_on), team, supervisor,
                            f"cancelled-by-{cancelled_by}"))
    window = {"d": day, "since": since, "after": day_after(day)}
    # Only the sessions that count for something: late, or unsigned at the end of the period.
    for held_on, supervisor_id, late, unsigned, person_id in reader.iterate(f"""
            SELECT s.held_on, s.supervisor_id, s.late_entry, u.id IS NOT NULL, ss.person_id
            FROM session_record s JOIN session_supervisee ss ON ss.session_id = s.id
            LEFT JOIN ({UNSIGNED_SESSIONS}) u ON u.id = s.id
            WHERE s.status <> 'draft' AND s.held_on <= :d AND s.held_on >= :since
              AND (s.late_entry OR u.id IS NOT NULL)""", window):
        team = people.get(person_id, ("", ""))[1]
        supervisor = people.get(supervisor_id, ("(unknown)", ""))[0]
        for what, counts in (("late-entry", late), ("unsigned", unsigned)):
            if counts:
                events.append(Event(stored_day(held_on), team, supervisor, what))
    return events


def drift_facts(source: Reader | Any, on: date) -> list[Tracked]:
    """Open actions agreed in completed sessions held by `on`, with how often each was carried
    forward."""
    reader = as_reader(source)
    people = names(reader)
    return [Tracked(id_, text, people[owner_id][0] if owner_id is not None
                    else f"{owner_contact} ({owner_role})", stored_day(due_on),
                    session_id, stored_day(held_on), carried)
            for id_, text, owner_id, owner_contact, owner_role, due_on, session_id, held_on,
            carried in reader.rows("""
                SELECT a.id, a.text, a.owner_id, a.owner_contact, a.owner_role, a.due_on,
                       a.session_id, s.held_on,
                       (SELECT count(*) FROM action_review r
                        WHERE r.action_id = a.id AND r.outcome = 'carried') AS carried
                FROM action_item a JOIN session_record s ON s.id = a.session_id
                WHERE a.status = 'open' AND s.status <> 'draft' AND s.held_on <= :d
                ORDER BY a.id""", {"d": on.isoformat()})]


def children_facts(source: Reader | Any, on: date,
                   statuses: tuple[str, ...]) -> list[Watched]:
    """Children with these statuses and when a completed session last discussed each."""
    reader = as_reader(source)
    people = names(reader)
    day = on.isoformat()
    last: dict[int, tuple[date, int, int]] = {}
    for child_id, held_on, session_id, supervisor_id in reader.iterate("""
            SELECT cc.child_id, s.held_on, s.id, s.supervisor_id
            FROM case_child cc JOIN case_discussion c ON c.id = cc.case_id
            JOIN session_record s ON s.id = c.session_id
            WHERE s.status <> 'draft' AND s.held_on <= :d
            ORDER BY s.held_on, s.id""", {"d": day}):
        last[child_id] = (stored_day(held_on), session_id, supervisor_id)
    watched = []
    listed, params = in_list("status", statuses)
    for id_, name, status, since, family in reader.rows(f"""
            SELECT c.id, c.name, c.status, c.status_since, f.name AS family
            FROM child c LEFT JOIN family f ON f.id = c.family_id
            WHERE c.status IN {listed} ORDER BY c.name_key""", params):
        held, record, supervisor = last.get(id_, (None, None, None))
        watched.append(Watched(name, family, status, day_of(since), held, record,
                               people[supervisor][0] if supervisor in people else None))
    return watched
