"""The chronology of a review bundle (SPEC §7): every event in date order with its source record,
and the gaps where no supervision took place for longer than it should have."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from supervise.domain.wording import uk_date


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
    start: date  # the last supervision before it (perhaps before the period)
    end: date  # the next one (or the end of the period)
    limit: date  # when the next supervision was due
    before_period: bool = False  # it began before the period the export covers
    to_the_end: bool = False  # no supervision from its start to the end of the period

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def ordered(events: list[Event]) -> list[Event]:
    return sorted(events, key=lambda e: (e.on, e.time or "", e.rank, e.source, e.event))


def gaps(events: list[Event], *, start: date | None, end: date,
         due_after: Callable[[date], date], before: date | None = None) -> list[Gap]:
    """Stretches with no supervision beyond when the next was due: between two supervisions,
    and from the last to the end of the period. In a dated period the first runs from the last
    supervision before it (`before`), not from the period's start: the start of a period is
    not a supervision."""
    days = sorted({e.on for e in events if e.supervision})
    earlier = before if before is not None and (start is None or before < start) else None
    marks = ([earlier] if earlier is not None else []) + days
    found: list[Gap] = []
    for before_it, after in zip(marks, marks[1:] + [end], strict=False):
        limit = due_after(before_it)
        if after > limit and after > before_it:
            found.append(Gap(before_it, after, limit, before_it is earlier,
                             after == end and end not in days))
    return found


def rows(events: list[Event], found: list[Gap]) -> list[dict[str, str | int | None]]:
    """The chronology table in date order: events numbered, each gap placed after the last
    event of the day it starts."""
    keyed: list[tuple[tuple, dict[str, str | int | None]]] = []
    for event in ordered(events):
        keyed.append(((event.on, 0), {
            "sequence": None, "date": uk_date(event.on), "time": event.time,
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
    began = " (the last supervision before this period)" if gap.before_period else ""
    ended = " (the end of this period)" if gap.to_the_end else ""
    return {"sequence": None, "date": uk_date(gap.start), "time": None, "source": "",
            "event": f"No supervision for {gap.days} days, {uk_date(gap.start)}{began} to "
                     f"{uk_date(gap.end)}{ended}",
            "outcome": f"next was due by {uk_date(gap.limit)}", "gap": True}
