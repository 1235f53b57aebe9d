"""Retention (SPEC §3, §6): how long each kind of record is kept, what is due for destruction,
and what a legal hold keeps. Pure: the store gathers the facts, `now` is passed in.

Rules by record type (the policy's [retention] table):
- supervision records (sessions, contracts, cancellations): `supervision_years` after the
  supervisee leaves (the last to leave, for a group); kept while any of them is still employed;
- case discussions and decision records (held in the session they were made in), and the child's
  register entry: to the child's `child_until_age` birthday;
- the long-term category: `long_term_years` from birth for a child whose status is, or was when
  their case was discussed, one of `long_term_statuses` (looked after, by default).
A record is destroyed only when every rule that applies to it has run out, nothing under a hold
touches it, and no record that is kept needs it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

SUPERVISION_YEARS = 6
CHILD_UNTIL_AGE = 25
LONG_TERM_YEARS = 75
LONG_TERM_STATUSES = ("looked-after",)
REVIEW_WITHIN_DAYS = 90
KEYS = ("supervision_years", "child_until_age", "long_term_years", "long_term_statuses",
        "review_within_days")

DESTROY, HELD, REVIEW, KEPT, DUE_SOON, RETAINED = (
    "destroy", "held", "review", "kept", "due-soon", "retained")
LISTED = (DESTROY, HELD, REVIEW, KEPT, DUE_SOON)
ROW_KEYS = ("record", "record_type", "record_id", "date", "about", "rule", "keep_until",
            "status", "reason")


@dataclass(frozen=True)
class RetentionRules:
    supervision_years: int = SUPERVISION_YEARS
    child_until_age: int = CHILD_UNTIL_AGE
    long_term_years: int = LONG_TERM_YEARS
    long_term_statuses: tuple[str, ...] = LONG_TERM_STATUSES
    review_within_days: int = REVIEW_WITHIN_DAYS


def parse_rules(table: dict[str, Any], whole, problem, statuses: tuple[str, ...]
                ) -> RetentionRules:
    """The rules from a policy's [retention] table; `whole(data, key, where, default, low,
    high)` reads a bounded number and `problem(key, message)` reports one."""
    listed = table.get("long_term_statuses", list(LONG_TERM_STATUSES))
    if not isinstance(listed, list) or not all(s in statuses for s in listed):
        problem("retention.long_term_statuses",
                f"must be a list of child statuses from: {', '.join(statuses)}")
        listed = list(LONG_TERM_STATUSES)
    return RetentionRules(
        supervision_years=whole(table, "supervision_years", "retention", SUPERVISION_YEARS,
                                1, 100),
        child_until_age=whole(table, "child_until_age", "retention", CHILD_UNTIL_AGE, 18, 100),
        long_term_years=whole(table, "long_term_years", "retention", LONG_TERM_YEARS, 1, 150),
        long_term_statuses=tuple(listed),
        review_within_days=whole(table, "review_within_days", "retention",
                                 REVIEW_WITHIN_DAYS, 0, 3650),
    )


def years_after(start: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 1 March (never a day early)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return date(start.year + years, 3, 1)


@dataclass(frozen=True)
class Supervisee:
    name: str
    left_on: date | None


@dataclass(frozen=True)
class ChildFacts:
    id: int
    name: str
    dob: date | None
    statuses: frozenset[str]  # now, and as recorded when their case was discussed


@dataclass(frozen=True)
class Unit:
    """One record as retention sees it: destroyed whole, with every part and signature."""
    record_type: str  # session, contract, cancellation, child
    record_id: int
    on: date | None
    about: str
    supervisees: tuple[Supervisee, ...] = ()
    people: frozenset[int] = frozenset()
    children: tuple[ChildFacts, ...] = ()
    needs: tuple[tuple[str, int], ...] = ()  # records that must stay while this one does

    @property
    def key(self) -> tuple[str, int]:
        return (self.record_type, self.record_id)

    @property
    def label(self) -> str:
        return f"{self.record_type} {self.record_id}"


@dataclass(frozen=True)
class Hold:
    id: int
    scope: str  # child, person, store
    subject_id: int | None
    subject: str
    reason: str
    placed_by: str
    placed_at: str

    def covers(self, unit: Unit) -> bool:
        if self.scope == "store":
            return True
        if self.scope == "person":
            return self.subject_id in unit.people
        return any(c.id == self.subject_id for c in unit.children)


@dataclass
class Row:
    unit: Unit
    rule: str
    keep_until: date | None
    status: str
    reason: str
    hold: Hold | None = None

    def as_dict(self) -> dict[str, Any]:
        unit = self.unit
        return {"record": unit.label,
                "record_type": unit.record_type, "record_id": unit.record_id,
                "date": unit.on.isoformat() if unit.on else None, "about": unit.about,
                "rule": self.rule,
                "keep_until": self.keep_until.isoformat() if self.keep_until else None,
                "status": self.status, "reason": self.reason}


@dataclass
class _Term:
    until: date | None = None  # None with `open_reason`: kept for now, no end yet
    rule: str = ""
    open_reason: str = ""
    unknown: list[str] = field(default_factory=list)


def _term(unit: Unit, rules: RetentionRules) -> _Term:
    term = _Term()
    ends: list[tuple[date, str]] = []
    if unit.supervisees:
        employed = [s.name for s in unit.supervisees if s.left_on is None]
        if employed:
            term.open_reason = f"kept while {', '.join(employed)} is employed"
        else:
            last = max(s.left_on for s in unit.supervisees if s.left_on)
            ends.append((years_after(last, rules.supervision_years),
                         f"supervision record: {rules.supervision_years} years after leaving"))
    for child in unit.children:
        if child.dob is None:
            term.unknown.append(f"{child.name} has no date of birth recorded")
        elif child.statuses & set(rules.long_term_statuses):
            ends.append((years_after(child.dob, rules.long_term_years),
                         f"long-term: {rules.long_term_years} years from birth"))
        else:
            ends.append((years_after(child.dob, rules.child_until_age),
                         f"child's file: to the {rules.child_until_age}th birthday"))
    if ends:
        term.until, term.rule = max(ends)
    return term


def evaluate(units: list[Unit], holds: list[Hold], rules: RetentionRules,
             today: date) -> list[Row]:
    """Every record's retention at `today`, most urgent first."""
    rows: dict[tuple[str, int], Row] = {}
    for unit in units:
        term = _term(unit, rules)
        hold = next((h for h in holds if h.covers(unit)), None)
        if term.open_reason or term.until is None and not term.unknown:
            rows[unit.key] = Row(unit, term.rule or "supervision record", None, RETAINED,
                                 term.open_reason or "no rule applies yet")
        elif term.until is not None and term.until > today:
            soon = term.until <= today + timedelta(days=rules.review_within_days)
            rows[unit.key] = Row(unit, term.rule, term.until, DUE_SOON if soon else RETAINED,
                                 "retention ends soon: check nothing needs it kept"
                                 if soon else "")
        elif term.unknown:
            rows[unit.key] = Row(unit, term.rule or "child's file", term.until, REVIEW,
                                 "; ".join(term.unknown) + ": review it by hand")
        elif hold is not None:
            rows[unit.key] = Row(unit, term.rule, term.until, HELD,
                                 f"under hold {hold.id} on {hold.subject} ({hold.reason}), "
                                 f"placed by {hold.placed_by} on {hold.placed_at[:10]}", hold)
        else:
            rows[unit.key] = Row(unit, term.rule, term.until, DESTROY,
                                 "retention has ended")
    _keep_what_kept_records_need(rows)
    order = {status: n for n, status in enumerate((*LISTED, RETAINED))}
    return sorted(rows.values(), key=lambda r: (order[r.status], r.keep_until or date.max,
                                                r.unit.record_type, r.unit.record_id))


def _keep_what_kept_records_need(rows: dict[tuple[str, int], Row]) -> None:
    needed_by: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    for key, row in rows.items():
        for need in row.unit.needs:
            needed_by[need].append(key)
    changed = True
    while changed:
        changed = False
        for key, row in rows.items():
            if row.status != DESTROY:
                continue
            keeper = next((k for k in needed_by.get(key, ())
                           if k in rows and rows[k].status != DESTROY), None)
            if keeper is not None:
                row.status = KEPT
                row.reason = f"needed by {rows[keeper].unit.label}, which is kept"
                changed = True


def to_destroy(rows: list[Row]) -> list[Row]:
    return [row for row in rows if row.status == DESTROY]
