"""The one place the product reads the time.

Nothing a user can set moves it: no option, no environment variable, no file. A settable clock
would let anyone backdate a record or hide a late entry. The test suite replaces `read`
in-process (tests/clock.py); nothing outside a test process can."""

from datetime import UTC, datetime


def read() -> datetime:
    """The moment, in UTC."""
    return datetime.now(UTC)


def now() -> datetime:
    """The moment in the local time zone: "today" is the user's day (a meeting at 00:30 in
    summer time is not yesterday's). Stored times are converted to UTC (iso_utc)."""
    return read().astimezone()
