"""The chronology of a review bundle (SPEC §7): every event in date order with its source record,
and the gaps where no supervision took place for longer than it should have."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Event:
    on: date
    time: str | None
    source: str  # the record it comes from: "Session S12", "Decision record D4"
    event: str
    outcome: str
    supervision: bool = False  # a supervision discussion: what gaps are measured between
    rank: int = 0  # order within the same moment: the session before what was decided in it


@dataclass(frozen=True)
class Gap:
    start: date  # the last supervision before it (or the start of the period)
    end: date  # the next one (or the end of the period)
    limit: date  # when the next supervision was due

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def ordered(events: list[Event]) -> list[Event]:
    return sorted(events, key=lambda e: (e.on, e.time or "", e.rank, e.source, e.event))


def gaps(events: list[Event], *, start: date | None, end: date,
         due_after: Callable[[date], date]) -> list[Gap]:
    """Stretches with no supervision beyond when the next was due: between two supervisions,
    from the start of the period to the first, and from the last to the end of the period."""
    days = sorted({e.on for e in events if e.supervision})
    marks = ([start] if start is not None and (not days or start < days[0]) else []) + days
    found: list[Gap] = []
    for before, after in zip(marks, marks[1:] + [end], strict=False):
        limit = due_after(before)
        if after > limit and after > before:
            found.append(Gap(before, after, limit))
    return found


def rows(events: list[Event], found: list[Gap]) -> list[dict[str, str | int | None]]:
    """The chronology table in date order: events numbered, each gap placed after the last
    event of the day it starts."""
    keyed: list[tuple[tuple, dict[str, str | int | None]]] = []
    for event in ordered(events):
        keyed.append(((event.on, 0), {
            "sequence": None, "date": event.on.isoformat(), "time": event.time,
            "source": event.source, "event": event.event, "outcome": event.outcome,
            "gap": False}))
    keyed += [((gap.start, 1), _gap_row(gap)) for gap in found]
    table = [row for _, row in sorted(keyed, key=lambda pair: pair[0])]
    sequence = 0
    for row in table:
        if not row["gap"]:
            sequence += 1
            row["sequence"] = sequence
    return table


def _gap_row(gap: Gap) -> dict[str, str | int | None]:
    return {"sequence": None, "date": gap.start.isoformat(), "time": None, "source": "",
            "event": f"No supervision for {gap.days} days, {gap.start.isoformat()} to "
                     f"{gap.end.isoformat()}",
            "outcome": f"next was due by {gap.limit.isoformat()}", "gap": True}
