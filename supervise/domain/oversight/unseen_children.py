"""Children on a Child Protection Plan or looked after who have not been discussed in supervision
for longer than the policy's interval (default 8 weeks): `report children`."""

from dataclasses import dataclass
from datetime import date

from supervise.domain.policy.frequency import Span

WATCHED = ("child-protection", "looked-after")


@dataclass(frozen=True)
class Watched:
    name: str
    family: str | None
    status: str
    status_since: date | None
    last_discussed: date | None
    session: int | None
    supervisor: str | None  # who led that discussion


def unseen_rows(children: list[Watched], on: date, interval: Span) -> list[dict]:
    """Those whose last discussion (or, never discussed, the day their status began) is more
    than `interval` ago; the longest unseen first."""
    rows = []
    for child in children:
        since = child.last_discussed or child.status_since
        if since is None:
            continue
        due = interval.after(since)
        if on > due:
            rows.append({"child": child.name, "family": child.family, "status": child.status,
                         "status_since": child.status_since.isoformat()
                         if child.status_since else None,
                         "last_discussed": child.last_discussed.isoformat()
                         if child.last_discussed else None,
                         "session": child.session, "supervisor": child.supervisor,
                         "due": due.isoformat(), "days_overdue": (on - due).days})
    return sorted(rows, key=lambda r: (-r["days_overdue"], r["child"].casefold()))
