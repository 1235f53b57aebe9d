"""Dates as users type them: strict YYYY-MM-DD, with messages that say what to write instead."""

import re
from datetime import date

from supervise.errors import UsageError

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_date(text: str, what: str = "date") -> date:
    cleaned = text.strip()
    match = _ISO_DATE.match(cleaned)
    if not match:
        raise UsageError(f"{what} {text!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-09-01.")
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise UsageError(
            f"{what} {text!r} is not a real date (no such day): check the day and month."
        ) from None


def parse_optional_date(text: str | None, what: str = "date") -> date | None:
    return None if text is None or text.strip() == "" else parse_date(text, what)


def iso_or_none(value: date | None) -> str | None:
    return value.isoformat() if value else None
