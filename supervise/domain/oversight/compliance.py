"""Compliance with the policy's frequency over a period (`report compliance`): sessions held
against sessions due, how many dues were met on time, cancellations and who cancelled, late
entries and unsigned records, for the organisation, each team and each supervisor, by month.

How dues are counted, per contract: from the last counted session (SPEC §8's rule) the next due
date follows; a session held on or before it meets it on time. A due that passes with no session
is missed, and the next due runs on from the missed date, so a long gap misses a due every
period; a late session starts the clock again from its own date.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from supervise.domain.oversight.overdue import due_after
from supervise.domain.policy.frequency import (
    Frequency,
    Schedule,
    Term,
    frequency_on,
    next_due,
)
from supervise.domain.policy.organisation_policy import Policy

GROUPS = ("organisation", "team", "supervisor")
NO_TEAM = "(no team)"


@dataclass
class Tally:
    due: int = 0
    held: int = 0
    on_time: int = 0
    cancelled: int = 0
    cancelled_by_supervisor: int = 0
    cancelled_by_supervisee: int = 0
    late_entries: int = 0
    unsigned: int = 0

    @property
    def on_time_percent(self) -> float | None:
        return round(100 * self.on_time / self.due, 1) if self.due else None

    def as_dict(self) -> dict:
        return {"due": self.due, "held": self.held, "on_time": self.on_time,
                "on_time_percent": self.on_time_percent, "cancelled": self.cancelled,
                "cancelled_by_supervisor": self.cancelled_by_supervisor,
                "cancelled_by_supervisee": self.cancelled_by_supervisee,
                "late_entries": self.late_entries, "unsigned": self.unsigned}


@dataclass(frozen=True)
class Span:
    """One contract's time in force, with its supervisee's counted sessions (all dates)."""

    team: str
    supervisor: str
    frequency: Frequency
    start: date
    end: date | None  # its last day in force (None: still in force)
    sessions: tuple[date, ...]  # sorted
    is_review: bool = False  # a review carries the clock on from the contract it replaced
    schedule: Schedule | None = None
    schedule_from: date | None = None

    def frequency_on(self, day: date) -> Frequency:
        return frequency_on(self.frequency, self.schedule, self.schedule_from, day)


@dataclass(frozen=True)
class Event:
    """Something counted against a team and a supervisor on a day."""

    on: date
    team: str
    supervisor: str
    what: str  # cancelled-by-supervisor | cancelled-by-supervisee | late-entry | unsigned


@lru_cache(maxsize=8192)
def _next_due(last: date, frequency: Frequency, terms: tuple[Term, ...]) -> date:
    """next_due, remembered: a large trust asks it of the same few frequencies on the same
    days tens of thousands of times."""
    return next_due(last, frequency, terms)


def dues(span: Span, start: date, end: date, policy: Policy) -> tuple[list, list[date]]:
    """([(due date, met on time)] falling in [start, end], [counted sessions held in it])."""
    first, last_day = max(start, span.start), min(end, span.end or end)
    if first > last_day:
        return [], []
    before = [s for s in span.sessions if s < first]
    if before and (span.is_review or before[-1] >= span.start):
        last: date | None = before[-1]
    else:
        last = None
    held = [s for s in span.sessions if first <= s <= last_day]
    pending = iter(held)
    upcoming = next(pending, None)
    found = []
    due = due_after(last, span.start, span.frequency_on(first), policy)
    while due <= last_day:
        if upcoming is not None and upcoming <= due:
            found.append((due, True))
            current = upcoming
            while upcoming is not None and upcoming <= current:
                upcoming = next(pending, None)
            due = _next_due(current, span.frequency_on(current), policy.terms)
            continue
        found.append((due, False))
        following = _next_due(due, span.frequency_on(due), policy.terms)
        if upcoming is not None and upcoming <= following:  # late: the clock starts again
            current = upcoming
            while upcoming is not None and upcoming <= current:
                upcoming = next(pending, None)
            following = _next_due(current, span.frequency_on(current), policy.terms)
        due = following
    return [(d, met) for d, met in found if d >= first], held


@dataclass
class Group:
    group: str
    name: str
    total: Tally = field(default_factory=Tally)
    months: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))

    def add(self, month: str, what: str, times: int = 1) -> None:
        """Count `what` (`times` over) in the total and in `month` (YYYY-MM)."""
        for tally in (self.total, self.months[month]):
            if what == "due":
                tally.due += times
            elif what == "on-time":
                tally.due += times
                tally.on_time += times
            elif what == "held":
                tally.held += times
            elif what.startswith("cancelled-by-"):
                tally.cancelled += times
                if what.endswith("supervisor"):
                    tally.cancelled_by_supervisor += times
                else:
                    tally.cancelled_by_supervisee += times
            elif what == "late-entry":
                tally.late_entries += times
            elif what == "unsigned":
                tally.unsigned += times


def months_between(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def compliance(spans: Iterable[Span], events: Iterable[Event], start: date, end: date,
               policy: Policy) -> list[Group]:
    """The organisation first, then each team and each supervisor by name."""
    # Counted first by team, supervisor, month and what, then added to the groups: a large
    # trust's period has a hundred thousand sessions and only a few thousand such counts.
    counts: Counter[tuple[str, str, str, str]] = Counter()
    months: dict[date, str] = {}  # each day's YYYY-MM, worked out once

    def add(team: str, supervisor: str, on: date, what: str) -> None:
        month = months.get(on) or months.setdefault(on, f"{on.year:04d}-{on.month:02d}")
        counts[(team, supervisor, month, what)] += 1

    for span in spans:
        found, held = dues(span, start, end, policy)
        for day, met in found:
            add(span.team, span.supervisor, day, "on-time" if met else "due")
        for day in held:
            add(span.team, span.supervisor, day, "held")
    for event in events:
        if start <= event.on <= end:
            add(event.team, event.supervisor, event.on, event.what)
    groups = {("organisation", "organisation"): Group("organisation", "organisation")}
    for (team, supervisor, month, what), times in counts.items():
        for key in (("organisation", "organisation"), ("team", team or NO_TEAM),
                    ("supervisor", supervisor)):
            group = groups.get(key)
            if group is None:
                group = groups[key] = Group(*key)
            group.add(month, what, times)
    every_month = months_between(start, end)
    for group in groups.values():  # every month shown, even a quiet one
        group.months = {m: group.months.get(m, Tally()) for m in every_month}
    order = {name: i for i, name in enumerate(GROUPS)}
    return sorted(groups.values(), key=lambda g: (order[g.group], g.name.casefold()))


def group_rows(groups: list[Group], start: date, end: date) -> list[dict]:
    """The one shape the table, JSON, CSV and DOCX are built from."""
    return [{"group": g.group, "name": g.name, "from": start.isoformat(),
             "to": end.isoformat(), **g.total.as_dict(),
             "months": [{"month": m, **t.as_dict()} for m, t in g.months.items()]}
            for g in groups]


def monthly_rows(rows: list[dict]) -> list[dict]:
    """The monthly return: one row per group and month."""
    return [{"group": r["group"], "name": r["name"], **month} for r in rows
            for month in r["months"]]
