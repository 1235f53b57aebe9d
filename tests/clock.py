"""The suite's one "today" and the product's clock in tests.

TODAY is read once, when the suite starts, and every date a test writes is relative to it, so a
run that crosses midnight (or starts on 29 February) still agrees with itself. In-process, the
product's clock (supervise.clock.read) is replaced for every test by a `TestClock` that starts
at noon on TODAY and runs on; a test sets another moment with `clock.set(...)`. Subprocesses and
pseudo-terminals run the real clock: their day is TODAY or, after midnight, the day after, so
their dates keep a day's margin either side (a "future" date is at least two days ahead)."""

import time as _time
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day

TODAY: date = date.today()
YESTERDAY: date = TODAY - timedelta(days=1)
# What a subprocess or pseudo-terminal may read as today: TODAY, or the day after past midnight.
SUBPROCESS_DAYS: tuple[date, date] = (TODAY, TODAY + timedelta(days=1))


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """That day at that local time, as an aware moment."""
    return datetime.combine(day, time_of_day(hour, minute)).astimezone()


NOON: datetime = at(TODAY)


class TestClock:
    """What the product reads as the time in-process: a set moment that runs on from then."""

    __test__ = False  # not a test class

    def __init__(self, moment: datetime = NOON) -> None:
        self.set(moment)

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("give an aware moment")
        self._base, self._started = moment.astimezone(UTC), _time.monotonic()

    def read(self) -> datetime:
        return self._base + timedelta(seconds=_time.monotonic() - self._started)

    def now(self) -> datetime:
        return self.read().astimezone()

    def today(self) -> date:
        return self.now().date()


def product_now() -> datetime:
    """The moment as the product reads it: in-process, the running test's clock."""
    from supervise import clock

    return clock.now()


def years_after(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes the 28th in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
