"""How a document shows a date, a moment and a stored code to a reader, in one place for every
printout (SPEC §7): UK dates ("17 December 2025"), moments in the organisation's local time with
its zone ("17 December 2025, 14:05 GMT"), and the product's own words for its codes."""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from supervise.domain.policy.frequency import parse_frequency
from supervise.domain.records.session_file import STATUSES
from supervise.domain.text import counted
from supervise.errors import UsageError

# The policy names no zone; every record so far is kept in England.
LOCAL_ZONE = ZoneInfo("Europe/London")

SESSION_KINDS = {"one-to-one": "One-to-one supervision", "group": "Group supervision",
                 "ad-hoc": "Ad hoc supervision", "external": "External supervision"}
SIGNING_ROLES = {"supervisor": "Supervisor", "supervisee": "Supervisee", "manager": "Manager"}
OUTCOMES = {"done": "Done", "carried": "Carried forward", "dropped": "Dropped",
            "rescheduled": "Rescheduled"}


def uk_date(value: date | str | None) -> str:
    """`17 December 2025`; an ISO date string is read first; anything else is shown as it is."""
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
    elif value is None:
        return ""
    else:
        day = value.date() if isinstance(value, datetime) else value
    return f"{day.day} {day:%B %Y}"


def month_words(month: str, short: bool = False) -> str:
    """`2026-03` as `March 2026` (`Mar 2026` short, for a chart's axis)."""
    try:
        day = date.fromisoformat(f"{month}-01")
    except ValueError:
        return month
    return f"{day:%b %Y}" if short else f"{day:%B %Y}"


def local_moment(iso: str | datetime) -> datetime | None:
    """A stored UTC moment (ISO text or aware datetime) in the local zone; None if not one."""
    try:
        moment = datetime.fromisoformat(iso) if isinstance(iso, str) else iso
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(LOCAL_ZONE)


def moment_words(iso: str | datetime | None) -> str:
    """`17 December 2025, 14:05 GMT` (BST in summer): one zone, the organisation's."""
    if not iso:
        return ""
    local = local_moment(iso)
    if local is None:
        return str(iso)
    return f"{uk_date(local.date())}, {local:%H:%M} {local.tzname()}"


def local_date(iso: str | None) -> str:
    """The local day of a stored UTC moment (a signature's), as a UK date."""
    local = local_moment(iso) if iso else None
    return uk_date(local.date()) if local else (iso or "")


def start_words(held_on: date, start_time: str | None) -> str:
    """A meeting's local start time with its zone that day: `15:30 GMT`."""
    if not start_time:
        return ""
    hour, minute = (int(x) for x in start_time.split(":"))
    zone = datetime(held_on.year, held_on.month, held_on.day, hour, minute,
                    tzinfo=LOCAL_ZONE).tzname()
    return f"{start_time} {zone}"


def status_label(code: str | None) -> str:
    """A child's status as the forms name it: `Child Protection Plan`."""
    return STATUSES.get(code or "", code or "not recorded")


def status_since(code: str | None, since: Any = None) -> str:
    when = uk_date(since) if since else ""
    return f"{status_label(code)} since {when}" if when else status_label(code)


def frequency_label(code: str | None) -> str:
    """`4w` as `Every 4 weeks`, `termly` as `Termly`."""
    if not code:
        return ""
    try:
        words = parse_frequency(code).words()
    except UsageError:
        return code
    return words[:1].upper() + words[1:]


def session_kind_label(code: str) -> str:
    return SESSION_KINDS.get(code, code)


def signing_role_label(code: str) -> str:
    return SIGNING_ROLES.get(code, code[:1].upper() + code[1:])


def outcome_label(code: str) -> str:
    return OUTCOMES.get(code, code)


def contract_kind_label(code: str, labels: Mapping[str, str]) -> str:
    """A contract kind by the policy's own label (`DSL / deputy DSL supervision`)."""
    return labels.get(code, code)


NO_FAMILY = "an experience shared, about no one family"


def family_words(family: str | None) -> str:
    """`Brown family`; with none, what such a case is: an experience shared (a theme, an
    incident) that names no family or child."""
    return f"{family} family" if family else NO_FAMILY


def case_label(position: int, family: str | None) -> str:
    """`Case 1: Brown family`; `Case 2: an experience shared, about no one family`."""
    return f"Case {position}: {family_words(family)}"


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_words(born: date, on: date) -> str:
    """`aged 7`; under two, in months (`aged 10 months`), as a baby's record gives it."""
    years = age_on(born, on)
    if years >= 2:
        return f"aged {years}"
    months = (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)
    return f"aged {counted(months, 'month')}"


def child_born(child: Mapping[str, Any], on: date | None) -> str:
    """`Lily Brown, born 3 March 2019, aged 7` (aged at `on`, the session's date)."""
    dob = child.get("dob")
    if isinstance(dob, str):
        try:
            dob = date.fromisoformat(dob)
        except ValueError:
            return f"{child['name']}, born {dob}"
    if not isinstance(dob, date):
        return f"{child['name']}, date of birth not known"
    aged = f", {age_words(dob, on)}" if on is not None and on >= dob else ""
    return f"{child['name']}, born {uk_date(dob)}{aged}"


def person_with_title(name: str, title: str | None) -> str:
    """A name with the job title under it, for attendee and signature tables."""
    return f"{name}\n{title}" if title else name
