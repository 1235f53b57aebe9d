"""The balance of supervision's functions (`report balance`): per supervisee, over their last N
sessions or months, how often each of Morrison's four functions and the child's voice was
covered, and which has been absent three sessions running ("an over-emphasis on management will
leave the supervisee feeling overly controlled")."""

from dataclasses import dataclass
from datetime import date

from supervise.domain.policy.frequency import add_months
from supervise.domain.policy.templates import FUNCTIONS

ABSENT_RUN = 3


@dataclass(frozen=True)
class Seen:
    """One completed session of one supervisee and the functions its answers covered."""

    supervisee: str
    supervisor: str
    session: int
    held_on: date
    functions: frozenset[str]


def balance_rows(seen: list[Seen], on: date, *, sessions: int | None = None,
                 months: int | None = None) -> list[dict]:
    """One row per supervisee: the window's sessions, each function's count, and a flag for
    each function missing from the latest ABSENT_RUN sessions or more."""
    by_person: dict[str, list[Seen]] = {}
    for item in sorted(seen, key=lambda s: (s.held_on, s.session)):
        by_person.setdefault(item.supervisee, []).append(item)
    since = add_months(on, -months) if months else None
    rows = []
    for name in sorted(by_person, key=str.casefold):
        window = [s for s in by_person[name] if since is None or s.held_on > since]
        if sessions:
            window = window[-sessions:]
        if not window:
            continue
        counts = {f: sum(f in s.functions for s in window) for f in FUNCTIONS}
        flags = []
        for function in FUNCTIONS:
            run = 0
            for item in reversed(window):
                if function in item.functions:
                    break
                run += 1
            if run >= ABSENT_RUN:
                flags.append(f"{function} absent {run} sessions running")
        rows.append({"supervisee": name, "supervisor": window[-1].supervisor,
                     "sessions": len(window), "from": window[0].held_on.isoformat(),
                     "to": window[-1].held_on.isoformat(), **counts, "flags": flags})
    return rows
