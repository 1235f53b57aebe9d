"""Drifting actions (SPEC §2, `report drift`): open, and carried forward twice or more or overdue
by more than 28 days."""

from dataclasses import dataclass
from datetime import date

CARRIED_TIMES = 2
OVERDUE_DAYS = 28


@dataclass(frozen=True)
class Tracked:
    """An open action agreed in a completed session."""

    id: int
    text: str
    owner: str
    due: date
    session: int
    raised_on: date
    carried: int  # times carried forward in a review


def drift_rows(actions: list[Tracked], on: date) -> list[dict]:
    """Drifting actions by owner, the most overdue first within each."""
    rows = []
    for action in actions:
        late = max((on - action.due).days, 0)
        reasons = ([f"carried forward {action.carried} times"]
                   if action.carried >= CARRIED_TIMES else []) + \
                  ([f"{late} days overdue"] if late > OVERDUE_DAYS else [])
        if reasons:
            rows.append({"owner": action.owner, "action": action.id, "text": action.text,
                         "raised_on": action.raised_on.isoformat(), "session": action.session,
                         "due": action.due.isoformat(), "days_overdue": late,
                         "carried": action.carried, "reasons": reasons})
    return sorted(rows, key=lambda r: (r["owner"].casefold(), -r["days_overdue"], r["action"]))
