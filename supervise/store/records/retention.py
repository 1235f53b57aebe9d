"""Retention in the store: the facts for `retention report`, legal holds, and `retention purge`,
which destroys whole records (every part and signature) with secure delete and leaves audit
events that say what was destroyed under which rule, without its content."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from supervise.domain.policy import retention
from supervise.domain.policy.retention import ChildFacts, Hold, Row, Supervisee, Unit
from supervise.domain.records.canonical import iso_utc
from supervise.errors import Hint, NotFoundError, UsageError, disk_full
from supervise.store.db.backend import backend
from supervise.store.db.tables import RetentionHold, id_of
from supervise.store.db.writing import Stamp, Writing
from supervise.store.integrity.audit_append import append_event
from supervise.store.queries.overdue_facts import day_of
from supervise.store.queries.session_sql import rows, run
from supervise.store.records.policies import current_policy

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
        superseded = (("contract", r.supersedes_id),) if r.supersedes_id else ()
        found.append(Unit("contract", r.id, day_of(r.start_on), people[r.supervisee_id].name,
                          (people[r.supervisee_id],),
                          frozenset({r.supervisee_id, r.supervisor_id}), (), superseded))
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


def place_hold(work: Writing, *, scope: str, subject_id: int | None, reason: str,
               ) -> int:
    session, now, actor = work.session, work.now, work.actor
    hold = RetentionHold(scope=scope, subject_id=subject_id, reason=reason, placed_by=actor,
                         placed_at=iso_utc(now))
    session.add(hold)
    session.flush()
    hold_id = id_of(hold)
    append_event(work, action="retention.hold", record_type="hold",
                 record_id=str(hold_id), detail={"scope": scope, "subject_id": subject_id})
    return hold_id


def release_hold(work: Writing, hold_id: int, *, reason: str) -> HoldRow:
    session, now, actor = work.session, work.now, work.actor
    found = [h for h in hold_rows(session, include_released=True) if h.hold.id == hold_id]
    if not found:
        raise NotFoundError(f"No hold {hold_id}:", Hint.of("see_all_holds"))
    if found[0].released_at is not None:
        raise UsageError(f"Hold {hold_id} was released already, on "
                         f"{found[0].released_at[:10]} by {found[0].released_by}.")
    held = session.get(RetentionHold, hold_id)
    assert held is not None  # found above
    held.released_by, held.released_at, held.release_reason = actor, iso_utc(now), reason
    session.add(held)
    session.flush()
    append_event(work, action="retention.release", record_type="hold",
                 record_id=str(hold_id))
    return found[0]


# Report and purge -----------------------------------------------------------------------------

def report(session: Session, today: date) -> list[Row]:
    """Every record's retention at `today` under the policy in force."""

    rules = current_policy(session)[0].retention_rules
    return retention.evaluate(units(session), [h.hold for h in hold_rows(session)], rules,
                              today)


@dataclass(frozen=True)
class Purged:
    destroyed: dict[str, int]
    held: int
    log_emptied: bool


def purge(store, *, now: datetime, expected: set[tuple[str, int]] | None = None) -> Purged:
    """Destroy what the report lists as due (judged again inside this write transaction, so a
    hold placed meanwhile is respected); refuse if it is not what the user confirmed."""
    with store.session() as session:
        found = report(session, now.date())
        doomed = retention.to_destroy(found)
        if expected is not None and {r.unit.key for r in doomed} != expected:
            raise UsageError("The records due for destruction changed while you were asked "
                             "(a hold, or a new record): nothing was destroyed.",
                             Hint.of("report_then_purge"))
        held = sum(1 for r in found if r.status == retention.HELD)
        by_type: dict[str, list[int]] = defaultdict(list)
        for row in doomed:
            by_type[row.unit.record_type].append(row.unit.record_id)
        parts = _Parts.gather(session, by_type)
        with backend.guards_lifted(session.connection(), GUARDED):
            parts.destroy(session)
        for row in doomed:
            append_event(Stamp(session, now, store.actor),
                         action=f"{row.unit.record_type}.destroyed",
                         record_type=row.unit.record_type, record_id=str(row.unit.record_id),
                         digest=parts.digests.get(row.unit.key),
                         detail={"rule": row.rule, "keep_until": row.keep_until.isoformat()
                                 if row.keep_until else None, **parts.listed.get(row.unit.key, {})})
        counts = {kind: len(ids) for kind, ids in sorted(by_type.items())}
        append_event(Stamp(session, now, store.actor), action="retention.purge",
                     detail={"destroyed": counts, "held": held})
    store.dispose()  # our own pooled connection must not hold the log open
    try:
        emptied = store.checkpoint()
    except Exception as exc:  # the purge is committed: a full disk must not say it was not
        if not disk_full(exc):
            raise
        emptied = False
    return Purged(counts, held, emptied)


_OF_RECORDS = """(record_type = 'session' AND record_id IN :s)
                 OR (record_type = 'decision' AND record_id IN :d)
                 OR (record_type = 'contract' AND record_id IN :k)"""
_AUDITED = {"decision": "decisions", "amendment": "amendments", "signature": "signatures"}


@dataclass
class _Parts:
    """Every row a purge destroys, read once: ids by table, the record each part belongs to
    (its audit event lists them by id, never their content) and the records' digests."""
    ids: dict[str, list[int]]
    listed: dict[tuple[str, int], dict[str, list[int]]]  # record -> its parts by kind
    digests: dict[tuple[str, int], str | None]

    @classmethod
    def gather(cls, session: Session, by_type: dict[str, list[int]]) -> "_Parts":
        ids: dict[str, list[int]] = defaultdict(list, by_type)
        owner: dict[tuple[str, int], tuple[str, int]] = {}
        listed: dict[tuple[str, int], dict[str, list[int]]] = defaultdict(dict)

        def belongs(kind: str, row) -> None:
            record = (row.record_type, row.record_id)
            ids[kind].append(row.id)
            owner[(kind, row.id)] = owner.get(record, record)
            listed[owner[(kind, row.id)]].setdefault(_AUDITED[kind], []).append(row.id)

        s, k = ids["session"], ids["contract"]
        for r in rows(session, "SELECT id, family_id FROM case_discussion WHERE session_id IN :s",
                      s=s):
            ids["case"].append(r.id)
            if r.family_id is not None:  # else an experience shared about no one family
                ids["family"].append(r.family_id)
        for r in rows(session, """SELECT d.id, 'session' AS record_type, c.session_id AS record_id
                                  FROM decision d JOIN case_discussion c ON c.id = d.case_id
                                  WHERE c.session_id IN :s ORDER BY d.id""", s=s):
            belongs("decision", r)
        ids["action"] = [r.id for r in rows(
            session, "SELECT id FROM action_item WHERE session_id IN :s", s=s)]
        for r in rows(session, f"SELECT id, record_type, record_id FROM amendment WHERE "
                      f"{_OF_RECORDS} ORDER BY id", s=s, d=ids["decision"], k=k):
            belongs("amendment", r)
        for r in rows(session, f"SELECT id, record_type, record_id FROM signature WHERE "
                      f"{_OF_RECORDS} OR (record_type = 'amendment' AND record_id IN :m) "
                      "ORDER BY id",
                      s=s, d=ids["decision"], k=k, m=ids["amendment"]):
            belongs("signature", r)
        ids["family"] += [r.family_id for r in rows(
            session, "SELECT family_id FROM child WHERE id IN :c AND family_id IS NOT NULL",
            c=ids["child"])]
        digests = {("session", r.id): r.digest for r in rows(
            session, "SELECT id, digest FROM session_record WHERE id IN :s", s=s)}
        digests |= {("contract", r.id): r.digest for r in rows(
            session, "SELECT id, digest FROM contract WHERE id IN :k", k=k)}
        return cls(ids, listed, digests)

    def destroy(self, session: Session) -> None:
        ids = self.ids
        run(session, "DELETE FROM signature WHERE id IN :ids", ids=ids["signature"])
        run(session, "DELETE FROM action_review WHERE session_id IN :s OR action_id IN :a",
            s=ids["session"], a=ids["action"])
        for table, column, kind in (
                ("amendment", "id", "amendment"), ("action_item", "id", "action"),
                ("decision", "id", "decision"), ("case_child", "case_id", "case"),
                ("case_discussion", "id", "case"), ("session_answer", "session_id", "session"),
                ("session_supervisee", "session_id", "session"),
                ("session_record", "id", "session"), ("contract_end", "contract_id", "contract"),
                ("cancellation", "id", "cancellation"), ("child", "id", "child")):
            run(session, f"DELETE FROM {table} WHERE {column} IN :ids", ids=ids[kind])
        for contract_id in sorted(ids["contract"], reverse=True):  # newer ones point at older
            run(session, "DELETE FROM contract WHERE id = :id", id=contract_id)
        run(session, """DELETE FROM family WHERE id IN :f
                        AND id NOT IN (SELECT family_id FROM child WHERE family_id IS NOT NULL)
                        AND id NOT IN (SELECT family_id FROM case_discussion)""",
            f=sorted(set(ids["family"])))
