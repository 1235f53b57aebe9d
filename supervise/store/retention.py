"""Retention in the store: the facts for `retention report`, legal holds, and `retention purge`,
which destroys whole records (every part and signature) with secure delete and leaves audit
events that say what was destroyed under which rule, without its content."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from supervise.domain import retention
from supervise.domain.canonical import iso_utc
from supervise.domain.retention import ChildFacts, Hold, Row, Supervisee, Unit
from supervise.errors import NotFoundError, UsageError
from supervise.store import sqlite
from supervise.store.audit import append_event
from supervise.store.oversight import day_of, rows, run

GUARDED = ("signature", "amendment", "contract", "contract_end", "cancellation",
           "session_record", "session_answer", "session_supervisee", "case_discussion",
           "case_child", "decision", "action_item", "action_review")


def _people(session: Session) -> dict[int, Supervisee]:
    return {r.id: Supervisee(r.name, day_of(r.left_date))
            for r in rows(session, "SELECT id, name, left_date FROM person")}


def _children(session: Session) -> dict[int, ChildFacts]:
    statuses: dict[int, set[str]] = defaultdict(set)
    for r in rows(session, """SELECT cc.child_id, c.status FROM case_child cc
                              JOIN case_discussion c ON c.id = cc.case_id"""):
        statuses[r.child_id].add(r.status)
    return {r.id: ChildFacts(r.id, r.name, day_of(r.dob),
                             frozenset({r.status, *statuses[r.id]}))
            for r in rows(session, "SELECT id, name, dob, status FROM child")}


def units(session: Session) -> list[Unit]:
    """Every record retention decides on: sessions (with their case discussions, decisions,
    actions and signatures), contracts, cancellations, and children's register entries."""
    people, children = _people(session), _children(session)
    supervisees: dict[int, list[int]] = defaultdict(list)
    for r in rows(session, "SELECT session_id, person_id FROM session_supervisee"):
        supervisees[r.session_id].append(r.person_id)
    discussed: dict[int, set[int]] = defaultdict(set)
    for r in rows(session, """SELECT c.session_id, cc.child_id FROM case_discussion c
                              JOIN case_child cc ON cc.case_id = c.id"""):
        discussed[r.session_id].add(r.child_id)
    reviewed: dict[int, set[int]] = defaultdict(set)  # a session reviewing another's actions
    for r in rows(session, """SELECT DISTINCT v.session_id AS by, a.session_id AS raised
                              FROM action_review v JOIN action_item a ON a.id = v.action_id
                              WHERE v.session_id IS NOT NULL
                              AND v.session_id != a.session_id"""):
        reviewed[r.by].add(r.raised)
    found: list[Unit] = []
    for r in rows(session, "SELECT id, held_on, contract_id, supervisor_id FROM session_record"):
        who = supervisees[r.id]
        kids = tuple(children[c] for c in sorted(discussed[r.id]))
        needs = [("child", c.id) for c in kids] + [("session", s) for s in sorted(reviewed[r.id])]
        if r.contract_id is not None:
            needs.append(("contract", r.contract_id))
        found.append(Unit("session", r.id, day_of(r.held_on), _names(people, who),
                          tuple(people[p] for p in who), frozenset([*who, r.supervisor_id]),
                          kids, tuple(needs)))
    for r in rows(session, """SELECT id, supervisee_id, supervisor_id, start_on, supersedes_id
                              FROM contract"""):
        needs = (("contract", r.supersedes_id),) if r.supersedes_id else ()
        found.append(Unit("contract", r.id, day_of(r.start_on), people[r.supervisee_id].name,
                          (people[r.supervisee_id],),
                          frozenset({r.supervisee_id, r.supervisor_id}), (), needs))
    for r in rows(session, """SELECT id, supervisee_id, supervisor_id, meeting_on
                              FROM cancellation"""):
        found.append(Unit("cancellation", r.id, day_of(r.meeting_on),
                          people[r.supervisee_id].name, (people[r.supervisee_id],),
                          frozenset({r.supervisee_id, r.supervisor_id} - {None})))
    for child in children.values():
        found.append(Unit("child", child.id, None, child.name, children=(child,)))
    return found


def _names(people: dict[int, Supervisee], ids: list[int]) -> str:
    return ", ".join(people[i].name for i in ids)


# Holds ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HoldRow:
    hold: Hold
    released_by: str | None
    released_at: str | None
    release_reason: str | None

    def as_dict(self) -> dict[str, Any]:
        h = self.hold
        return {"id": h.id, "scope": h.scope, "subject": h.subject, "reason": h.reason,
                "placed_by": h.placed_by, "placed_at": h.placed_at,
                "released_by": self.released_by, "released_at": self.released_at,
                "release_reason": self.release_reason}


def hold_rows(session: Session, *, include_released: bool = False) -> list[HoldRow]:
    found = []
    for r in rows(session, """
            SELECT h.*, p.name AS person, c.name AS child FROM retention_hold h
            LEFT JOIN person p ON h.scope = 'person' AND p.id = h.subject_id
            LEFT JOIN child c ON h.scope = 'child' AND c.id = h.subject_id
                 AND c.created_at <= h.placed_at ORDER BY h.id"""):  # not a later child's number
        if r.released_at is not None and not include_released:
            continue
        subject = {"store": "the whole store", "person": r.person, "child": r.child}[r.scope]
        found.append(HoldRow(Hold(r.id, r.scope, r.subject_id, subject or "(destroyed)",
                                  r.reason, r.placed_by, r.placed_at),
                             r.released_by, r.released_at, r.release_reason))
    return found


def place_hold(session: Session, *, scope: str, subject_id: int | None, reason: str,
               now: datetime, actor: str) -> int:
    session.connection().exec_driver_sql(
        "INSERT INTO retention_hold (scope, subject_id, reason, placed_by, placed_at) "
        "VALUES (?, ?, ?, ?, ?)", (scope, subject_id, reason, actor, iso_utc(now)))
    hold_id = rows(session, "SELECT max(id) AS id FROM retention_hold")[0].id
    append_event(session, now=now, actor=actor, action="retention.hold", record_type="hold",
                 record_id=str(hold_id), detail={"scope": scope, "subject_id": subject_id})
    return hold_id


def release_hold(session: Session, hold_id: int, *, reason: str, now: datetime,
                 actor: str) -> HoldRow:
    found = [h for h in hold_rows(session, include_released=True) if h.hold.id == hold_id]
    if not found:
        raise NotFoundError(f"No hold {hold_id}: see `supervise retention holds --all`.")
    if found[0].released_at is not None:
        raise UsageError(f"Hold {hold_id} was released already, on "
                         f"{found[0].released_at[:10]} by {found[0].released_by}.")
    session.connection().exec_driver_sql(
        "UPDATE retention_hold SET released_by = ?, released_at = ?, release_reason = ? "
        "WHERE id = ?", (actor, iso_utc(now), reason, hold_id))
    append_event(session, now=now, actor=actor, action="retention.release", record_type="hold",
                 record_id=str(hold_id))
    return found[0]


# Report and purge -----------------------------------------------------------------------------

def report(session: Session, rules: retention.RetentionRules, today: date) -> list[Row]:
    return retention.evaluate(units(session), [h.hold for h in hold_rows(session)], rules,
                              today)


@dataclass(frozen=True)
class Purged:
    destroyed: dict[str, int]
    held: int
    events: int
    log_emptied: bool


def purge(store, rules: retention.RetentionRules, *, now: datetime,
          expected: set[tuple[str, int]] | None = None) -> Purged:
    """Destroy what the report lists as due (judged again inside this write transaction, so a
    hold placed meanwhile is respected); refuse if it is not what the user confirmed."""
    with store.session() as session:
        found = report(session, rules, now.date())
        doomed = retention.to_destroy(found)
        if expected is not None and {r.unit.key for r in doomed} != expected:
            raise UsageError("The records due for destruction changed while you were asked "
                             "(a hold, or a new record): nothing was destroyed. Run "
                             "`supervise retention report`, then purge again.")
        held = sum(1 for r in found if r.status == retention.HELD)
        by_type: dict[str, list[int]] = defaultdict(list)
        for row in doomed:
            by_type[row.unit.record_type].append(row.unit.record_id)
        details = _parts(session, by_type)
        with sqlite.guards_lifted(session.connection(), GUARDED):
            _destroy(session, by_type)
        for row in doomed:
            part = details[row.unit.key]
            append_event(session, now=now, actor=store.actor,
                         action=f"{row.unit.record_type}.destroyed",
                         record_type=row.unit.record_type, record_id=str(row.unit.record_id),
                         digest=part.pop("digest", None),
                         detail={"rule": row.rule, "keep_until": row.keep_until.isoformat()
                                 if row.keep_until else None, **part})
        counts = {kind: len(ids) for kind, ids in sorted(by_type.items())}
        append_event(session, now=now, actor=store.actor, action="retention.purge",
                     detail={"destroyed": counts, "held": held})
    store.engine.dispose()  # our own pooled connection must not hold the log open
    return Purged(counts, held, len(doomed) + 1, store.checkpoint())


def _parts(session: Session, by_type: dict[str, list[int]]) -> dict[tuple[str, int], dict]:
    """What each record takes with it (ids only, never content), for its audit event."""
    details: dict[tuple[str, int], dict] = {}
    for kind, ids in by_type.items():
        for record_id in ids:
            details[(kind, record_id)] = {}
    sessions = by_type.get("session", [])
    for r in rows(session, "SELECT id, digest FROM session_record WHERE id IN :ids",
                  ids=sessions):
        details[("session", r.id)]["digest"] = r.digest
    for r in rows(session, "SELECT id, digest FROM contract WHERE id IN :ids",
                  ids=by_type.get("contract", [])):
        details[("contract", r.id)]["digest"] = r.digest
    decisions = defaultdict(list)
    for r in rows(session, """SELECT c.session_id, d.id FROM decision d
                              JOIN case_discussion c ON c.id = d.case_id
                              WHERE c.session_id IN :ids""", ids=sessions):
        decisions[r.session_id].append(r.id)
        details[("session", r.session_id)].setdefault("decisions", []).append(r.id)
    owner = {("decision", d): ("session", s) for s, ds in decisions.items() for d in ds}
    for r in rows(session, "SELECT id, record_type, record_id FROM amendment ORDER BY id"):
        record = owner.get((r.record_type, r.record_id), (r.record_type, r.record_id))
        if record in details:
            details[record].setdefault("amendments", []).append(r.id)
            owner[("amendment", r.id)] = record
    for r in rows(session, "SELECT id, record_type, record_id FROM signature ORDER BY id"):
        record = owner.get((r.record_type, r.record_id), (r.record_type, r.record_id))
        if record in details:  # its own, its decisions' and its amendments' signatures
            details[record].setdefault("signatures", []).append(r.id)
    return details


def _destroy(session: Session, by_type: dict[str, list[int]]) -> None:
    s, k = by_type.get("session", []), by_type.get("contract", [])
    cases = [r.id for r in rows(session, "SELECT id FROM case_discussion WHERE session_id IN "
                                ":s", s=s)]
    decisions = [r.id for r in rows(session, "SELECT id FROM decision WHERE case_id IN :c",
                                    c=cases)]
    actions = [r.id for r in rows(session, "SELECT id FROM action_item WHERE session_id IN :s",
                                  s=s)]
    families = [r.family_id for r in rows(
        session, """SELECT family_id FROM child WHERE id IN :c AND family_id IS NOT NULL
                    UNION SELECT family_id FROM case_discussion WHERE id IN :cases""",
        c=by_type.get("child", []), cases=cases)]
    amendments = [r.id for r in rows(
        session, """SELECT id FROM amendment WHERE (record_type = 'session' AND record_id IN :s)
                    OR (record_type = 'decision' AND record_id IN :d)
                    OR (record_type = 'contract' AND record_id IN :k)""",
        s=s, d=decisions, k=k)]
    run(session, """DELETE FROM signature WHERE (record_type = 'session' AND record_id IN :s)
                    OR (record_type = 'decision' AND record_id IN :d)
                    OR (record_type = 'contract' AND record_id IN :k)
                    OR (record_type = 'amendment' AND record_id IN :m)""",
        s=s, d=decisions, k=k, m=amendments)
    run(session, "DELETE FROM amendment WHERE id IN :m", m=amendments)
    run(session, "DELETE FROM action_review WHERE session_id IN :s OR action_id IN :a",
         s=s, a=actions)
    for sql, ids in (("DELETE FROM action_item WHERE id IN :ids", actions),
                     ("DELETE FROM decision WHERE id IN :ids", decisions),
                     ("DELETE FROM case_child WHERE case_id IN :ids", cases),
                     ("DELETE FROM case_discussion WHERE id IN :ids", cases),
                     ("DELETE FROM session_answer WHERE session_id IN :ids", s),
                     ("DELETE FROM session_supervisee WHERE session_id IN :ids", s),
                     ("DELETE FROM session_record WHERE id IN :ids", s),
                     ("DELETE FROM contract_end WHERE contract_id IN :ids", k),
                     ("DELETE FROM cancellation WHERE id IN :ids", by_type.get(
                         "cancellation", [])),
                     ("DELETE FROM child WHERE id IN :ids", by_type.get("child", []))):
        run(session, sql, ids=ids)
    for contract_id in sorted(k, reverse=True):  # a newer contract points at the one it replaced
        run(session, "DELETE FROM contract WHERE id = :id", id=contract_id)
    run(session, """DELETE FROM family WHERE id IN :f
                     AND id NOT IN (SELECT family_id FROM child WHERE family_id IS NOT NULL)
                     AND id NOT IN (SELECT family_id FROM case_discussion)""", f=families)
