"""How often supervision happens: `4w`, `1m`, `termly`, and the stepped schedules a policy can set
(a newly qualified social worker: weekly for 6 weeks, fortnightly to 6 months, then monthly).

Weeks add days; calendar months clamp to the month's end (31 Jan + 1m = 28 or 29 Feb); `termly`
means by the end of the next term.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from supervise.domain.text import counted
from supervise.errors import UsageError

VALID = ("1w", "2w", "4w", "6w", "1m", "2m", "3m", "6m", "12m", "termly")
_WORDS = {
    "weekly": "1w", "fortnightly": "2w", "monthly": "1m", "quarterly": "3m", "3-monthly": "3m",
    "6-monthly": "6m", "half-yearly": "6m",
    "yearly": "12m", "annually": "12m", "annual": "12m", "every term": "termly",
}
_NAMES = {"1w": "weekly", "2w": "fortnightly", "1m": "monthly", "3m": "quarterly",
          "12m": "yearly", "termly": "termly"}
_SPAN = re.compile(r"^(\d{1,3})([wm])$")
_EVERY = re.compile(r"^every (\d{1,2}) (week|month)s?$")


@dataclass(frozen=True, order=True)
class Span:
    """A length of time in weeks or calendar months: `6w`, `6m`."""

    count: int
    unit: str  # "w" or "m"

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"

    def words(self) -> str:
        noun = "week" if self.unit == "w" else "month"
        return counted(self.count, noun)

    def after(self, start: date) -> date:
        if self.unit == "w":
            return start + timedelta(weeks=self.count)
        return add_months(start, self.count)


def parse_span(text: str, what: str = "length of time") -> Span:
    match = _SPAN.match(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise UsageError(f"The {what} {text!r} is not a length of time: write e.g. 6w or 6m.")
    return Span(int(match.group(1)), match.group(2))


@lru_cache(maxsize=64)
def _span_of(text: str) -> Span:
    """A frequency's span, parsed once: `overdue` and the compliance report ask per meeting."""
    return parse_span(text)


@dataclass(frozen=True)
class Frequency:
    """One of VALID. `span` is None for termly."""

    text: str

    @property
    def span(self) -> Span | None:
        return None if self.text == "termly" else _span_of(self.text)

    def __str__(self) -> str:
        return self.text

    def words(self) -> str:
        if self.text in _NAMES:
            return _NAMES[self.text]
        assert self.span is not None
        return f"every {self.span.words()}"


def parse_frequency(text: str) -> Frequency:
    """Accepts the codes of SPEC §5 and the words people write on forms ('monthly')."""
    key = " ".join(str(text).strip().lower().split())
    key = _WORDS.get(key, key)
    every = _EVERY.match(key)
    if every:
        key = f"{every.group(1)}{every.group(2)[0]}"
    if key not in VALID:
        raise UsageError(f"Unknown frequency {text!r}. Use one of: {', '.join(VALID)}.")
    return Frequency(key)


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Term:
    name: str
    start: tuple[int, int]  # (month, day)
    end: tuple[int, int]


ENGLAND_TERMS = (
    Term("autumn", (9, 1), (12, 31)),
    Term("spring", (1, 1), (3, 31)),
    Term("summer", (4, 1), (8, 31)),
)


def _term_dates(term: Term, year: int) -> tuple[date, date]:
    start = date(year, *term.start)
    end = date(year, *term.end)
    if end < start:  # a term across the new year ends in the next one
        end = date(year + 1, *term.end)
    return start, end


def term_ends(terms: tuple[Term, ...], around: date) -> list[date]:
    """Every term end from the year before `around` to two years after, in order."""
    ends = {_term_dates(t, y)[1] for t in terms for y in range(around.year - 1, around.year + 3)}
    return sorted(ends)


def term_end_on(terms: tuple[Term, ...], day: date) -> date:
    """The end of the term `day` falls in (or of the next term, in a gap between terms)."""
    return next(end for end in term_ends(terms, day) if end >= day)


def next_due(last: date, frequency: Frequency, terms: tuple[Term, ...] = ENGLAND_TERMS) -> date:
    """When the next session is due after one held on `last`."""
    span = frequency.span
    if span is not None:
        return span.after(last)
    ends = term_ends(terms, last)
    # A session in the holidays between terms counts for the term just ended (the stricter).
    current = _end_of_term_containing(terms, last) or max(end for end in ends if end < last)
    return next(end for end in ends if end > current)


def _end_of_term_containing(terms: tuple[Term, ...], day: date) -> date | None:
    for term in terms:
        for year in (day.year - 1, day.year):
            start, end = _term_dates(term, year)
            if start <= day <= end:
                return end
    return None


@dataclass(frozen=True)
class Step:
    every: Frequency
    until: Span  # measured from the schedule's anchor (e.g. the qualification date)


@dataclass(frozen=True)
class Schedule:
    """Frequencies that change with time since an anchor date, then settle."""

    name: str
    steps: tuple[Step, ...]
    then: Frequency

    def on(self, anchor: date, day: date) -> Frequency:
        for step in self.steps:
            if day < step.until.after(anchor):
                return step.every
        return self.then

    def words(self) -> str:
        parts = [f"{s.every.words()} for {s.until.words()}" if i == 0
                 else f"{s.every.words()} to {s.until.words()}"
                 for i, s in enumerate(self.steps)]
        return ", ".join([*parts, f"then {self.then.words()}"])


def frequency_on(frequency: Frequency, schedule: Schedule | None, anchor: date | None,
                 day: date) -> Frequency:
    """A contract's frequency on `day`: a stepped schedule (newly qualified) moves on by itself
    as time passes from its anchor; otherwise the contract's own."""
    if schedule is not None and anchor is not None:
        return schedule.on(anchor, day)
    return frequency
