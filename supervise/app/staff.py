"""Reading the staff list: a use case with no ORM behind it, so `person list` starts fast."""

from supervise.app.unit import reading
from supervise.domain.rows import PersonRow
from supervise.store.db.opening import Store
from supervise.store.queries.people_rows import people_rows


def list_people(store: Store, *, include_left: bool) -> list[PersonRow]:
    with reading(store) as work:
        return people_rows(work.reader, include_left=include_left)
