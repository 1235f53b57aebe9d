"""Who is overdue for supervision (SPEC §8): read in plain SQL in one snapshot, weighed by
domain/oversight/overdue.py. Apart from the reports, so `overdue` loads no DOCX writer, no ORM."""

from datetime import date

from supervise.app.unit import reading
from supervise.domain.oversight.overdue import Row, overdue_rows
from supervise.store.db.opening import Store
from supervise.store.queries.overdue_facts import oversight_facts
from supervise.store.queries.person_lookup import person_named
from supervise.store.queries.policy_read import policy_read


def overdue(store: Store, day: date, *, supervisor: str | None) -> list[Row]:
    """Everyone's supervision on `day`, most overdue first, with what is flagged (only one
    supervisor's supervisees, when named)."""
    with reading(store) as read:
        chosen = person_named(read.reader, supervisor)[1] if supervisor else None
        policy, _ = policy_read(read.reader)
        rows = overdue_rows(oversight_facts(read.reader, policy, day), policy, day)
    return [r for r in rows if chosen is None or r.supervisor == chosen]
