"""The facts `overdue` judges (SPEC §8), read in a handful of set-based queries so that a trust of
thousands of supervisees and years of sessions is answered in well under a second.

The rules themselves are in domain/oversight.py; this only reads. Dates are stored as ISO text,
so they compare as text. Portable SQL (no SQLite-only functions beyond substr).
"""

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session

from supervise.domain.oversight.overdue import ContractFacts, PersonFacts, counting_kinds, in_force
from supervise.domain.policy.frequency import Frequency, Schedule, parse_frequency
from supervise.domain.policy.organisation_policy import Policy
from supervise.errors import SuperviseError


def day_of(value: Any) -> date | None:
    if value is None:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def stored_day(value: Any) -> date:
    """A date the schema never leaves NULL (as day_of, typed so)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def day_after(on: str) -> str:
    """The next day as ISO text: a stored UTC moment before it was made by the end of `on`."""
    return (date.fromisoformat(on) + timedelta(days=1)).isoformat()


def _statement(sql: str, params: dict[str, Any]):
    statement = text(sql)
    expanding = [name for name, value in params.items() if isinstance(value, (list, tuple))]
    if expanding:
        statement = statement.bindparams(*(bindparam(n, expanding=True) for n in expanding))
    return statement


def rows(session: Session, sql: str, **params: Any) -> list[Any]:
    """The rows of a query; a list or tuple parameter is expanded for `IN :name`."""
    return list(session.connection().execute(_statement(sql, params), params))


def run(session: Session, sql: str, **params: Any) -> int:
    """Run a statement that returns no rows; the number of rows it changed."""
    return session.connection().execute(_statement(sql, params), params).rowcount


def _people(session: Session) -> dict[int, PersonFacts]:
    people = {}
    for row in rows(session, """
            SELECT id, name, role, start_date, left_date, requires_supervision, is_supervisor,
                   supervisor_since, supervisor_trained_on, newly_qualified_on, created_at
            FROM person"""):
        people[row.id] = PersonFacts(
            name=row.name, role=row.role, requires_supervision=bool(row.requires_supervision),
            started=day_of(row.start_date), listed=day_of(row.created_at),
            left=day_of(row.left_date),
            newly_qualified=day_of(row.newly_qualified_on),
            supervisor_since=(day_of(row.supervisor_since) or day_of(row.created_at))
            if row.is_supervisor else None,
            trained_on=day_of(row.supervisor_trained_on))
    return people


def _contracts(session: Session, people: dict[int, PersonFacts], policy: Policy, on: str,
               kinds: tuple[str, ...]) -> dict[int, tuple[int, str]]:
    """Each contract in force at D, on its supervisee; returns every contract's (supervisee,
    kind) by id, for attributing sessions."""
    signed: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for row in rows(session, """
            SELECT record_id, signer_id, role FROM signature
            WHERE record_type = 'contract' AND signed_at < :after""", after=day_after(on)):
        signed[row.record_id].add((row.signer_id, row.role))
    day = date.fromisoformat(on)
    contracts, successor_start = contract_terms(session)
    for row in contracts:
        person = people.get(row.supervisee_id)
        if person is None or not in_force(stored_day(row.start_on), day_of(row.ended_on),
                                          successor_start.get(row.id), day):
            continue
        is_signed = {(row.supervisor_id, "supervisor"),
                     (row.supervisee_id, "supervisee")} <= signed[row.id]
        supervisor = people.get(row.supervisor_id)
        person.contracts.append(ContractFacts(
            kind=row.kind, supervisor=supervisor.name if supervisor else "(unknown)",
            frequency=contract_frequency(row, policy), start=stored_day(row.start_on),
            review=stored_day(row.review_on), signed=is_signed,
            schedule=contract_schedule(row, policy),
            schedule_from=day_of(row.schedule_from),
            sessions_since_start=0 if is_signed or policy.sign_before_session <= 1
            else _held_since(session, row.supervisee_id, row.start_on, on, kinds)))
    return {row.id: (row.supervisee_id, row.kind) for row in contracts}


def contract_terms(session: Session) -> tuple[list[Any], dict[int, date]]:
    """Every contract's terms (and its ending, if any), and each superseded contract's
    successor's start, read once for overdue and the compliance report."""
    contracts = rows(session, """
        SELECT c.id, c.supervisee_id, c.supervisor_id, c.kind, c.frequency, c.schedule,
               c.schedule_from, c.start_on, c.review_on, c.supersedes_id, e.ended_on
        FROM contract c LEFT JOIN contract_end e ON e.contract_id = c.id""")
    return contracts, {row.supersedes_id: stored_day(row.start_on) for row in contracts
                       if row.supersedes_id is not None}


def contract_frequency(row: Any, policy: Policy) -> Frequency:
    try:
        return parse_frequency(row.frequency)
    except SuperviseError:  # a stored code this version no longer knows
        return policy.default_frequency


def contract_schedule(row: Any, policy: Policy) -> Schedule | None:
    schedule = policy.newly_qualified
    return schedule if schedule is not None and row.schedule == schedule.name else None


def kind_held_under(contracts: dict[int, tuple[int, str]], contract_id: int | None,
                    person_id: int) -> str | None:
    """The kind of contract a session was recorded under, when that contract is this
    supervisee's (a group session is recorded under its first supervisee's)."""
    held = contracts.get(contract_id) if contract_id is not None else None
    return held[1] if held is not None and held[0] == person_id else None


def _held_since(session: Session, person_id: int, start: str, on: str,
                kinds: tuple[str, ...]) -> int:
    return rows(session, """
        SELECT count(*) AS n FROM session_record s
        JOIN session_supervisee ss ON ss.session_id = s.id
        WHERE ss.person_id = :p AND s.status <> 'draft' AND s.kind IN :kinds
          AND s.held_on >= :start AND s.held_on <= :d""",
                 p=person_id, kinds=list(kinds), start=str(start), d=on)[0].n


# Grouped by `person_id + 0`, not person_id: grouping on the bare column makes SQLite walk the
# person index and fetch every session row by id (seconds on a large store) instead of
# reading the covering index ix_session_seen in date order.
_LAST_HELD = """
    SELECT ss.person_id + 0 AS person_id, s.contract_id, s.kind, max(s.held_on) AS last
    FROM session_record s JOIN session_supervisee ss ON ss.session_id = s.id
    WHERE s.status <> 'draft' AND s.held_on <= :d
    GROUP BY ss.person_id + 0, s.contract_id, s.kind"""


def _sessions(session: Session, people: dict[int, PersonFacts], on: str,
              kinds: tuple[str, ...], contracts: dict[int, tuple[int, str]]) -> None:
    for row in rows(session, _LAST_HELD, d=on):
        person = people.get(row.person_id)
        if person is None:
            continue
        last = stored_day(row.last)
        person.last_any = max(last, person.last_any or last)
        if row.kind in kinds:
            key = kind_held_under(contracts, row.contract_id, row.person_id)
            known = person.last_by_kind.get(key)
            person.last_by_kind[key] = max(last, known or last)
    for row in rows(session, """
            SELECT ss.person_id, min(substr(s.created_at, 1, 10)) AS since
            FROM session_record s JOIN session_supervisee ss ON ss.session_id = s.id
            WHERE s.status = 'draft' AND substr(s.created_at, 1, 10) <= :d
            GROUP BY ss.person_id""", d=on):
        if row.person_id in people:
            people[row.person_id].draft_since = day_of(row.since)
    for row in rows(session, _UNSIGNED, d=on, after=day_after(on)):
        if row.person_id in people:
            people[row.person_id].unsigned_since = day_of(row.since)


# Completed sessions that lack a party's signature at D: their supervisor's, or a supervisee's.
UNSIGNED_SESSIONS = """
    SELECT s.id, s.held_on FROM session_record s
    WHERE s.status <> 'draft' AND s.held_on <= :d AND (
        NOT EXISTS (SELECT 1 FROM signature g
                    WHERE g.record_type = 'session' AND g.record_id = s.id
                      AND g.signer_id = s.supervisor_id AND g.role = 'supervisor'
                      AND g.signed_at < :after)
        OR EXISTS (SELECT 1 FROM session_supervisee p
                   WHERE p.session_id = s.id AND NOT EXISTS (
                       SELECT 1 FROM signature g
                       WHERE g.record_type = 'session' AND g.record_id = s.id
                         AND g.signer_id = p.person_id AND g.role = 'supervisee'
                         AND g.signed_at < :after)))"""
_UNSIGNED = f"""
    SELECT ss.person_id + 0 AS person_id, min(u.held_on) AS since
    FROM ({UNSIGNED_SESSIONS}) u JOIN session_supervisee ss ON ss.session_id = u.id
    GROUP BY ss.person_id + 0"""


def _actions_and_cancellations(session: Session, people: dict[int, PersonFacts],
                               on: str) -> None:
    for row in rows(session, """
            SELECT a.id, a.owner_id, ss.person_id
            FROM action_item a
            JOIN session_record s ON s.id = a.session_id
            LEFT JOIN session_supervisee ss ON ss.session_id = s.id
            WHERE a.status = 'open' AND a.due_on < :d AND s.status <> 'draft'
              AND s.held_on <= :d AND a.owner_id IS NOT NULL""", d=on):
        # Only actions a member of staff owns: one a named contact owns (a social worker, a
        # parent) is followed up in the next session, not counted against the supervisee.
        for person_id in {row.owner_id, row.person_id}:
            if person_id in people:
                people[person_id].actions_overdue += 1
    for row in rows(session, """
            SELECT supervisee_id, max(meeting_on) AS last FROM cancellation
            WHERE rebooked_on IS NULL AND meeting_on <= :d
            GROUP BY supervisee_id""", d=on):
        if row.supervisee_id in people:
            people[row.supervisee_id].not_rebooked = day_of(row.last)


def _last_supervisors(session: Session, people: dict[int, PersonFacts], on: str) -> None:
    """Who last supervised someone with no contract in force (few people: one query each)."""
    for person_id, person in people.items():
        if person.contracts or person.last_any is None:
            continue
        found = rows(session, """
            SELECT p.name FROM session_record s
            JOIN session_supervisee ss ON ss.session_id = s.id
            JOIN person p ON p.id = s.supervisor_id
            WHERE ss.person_id = :p AND s.status <> 'draft' AND s.held_on <= :d
            ORDER BY s.held_on DESC, s.id DESC LIMIT 1""", p=person_id, d=on)
        person.last_supervisor = found[0].name if found else None


def oversight_facts(session: Session, policy: Policy, on: date) -> list[PersonFacts]:
    """Everyone, as the overdue rules need them at `on`."""
    day = on.isoformat()
    kinds = counting_kinds(policy)
    people = _people(session)
    contracts = _contracts(session, people, policy, day, kinds)
    _sessions(session, people, day, kinds, contracts)
    _actions_and_cancellations(session, people, day)
    _last_supervisors(session, people, day)
    return list(people.values())
