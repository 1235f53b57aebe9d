"""The unit of work: one transaction on an unlocked store, the moment it happens (read once from
the one clock) and who does it. A use case opens one, does its reads and writes through the
store, and returns plain data; the transaction commits when the block ends, so whatever the CLI
prints about it is printed after the commit."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from supervise.clock import now
from supervise.store.db.opening import Store
from supervise.store.db.reading import Reader


@dataclass(frozen=True)
class Work:
    store: Store
    session: Any  # the store's transaction (sqlmodel.Session), only ever passed to store/
    now: datetime
    actor: str


@contextmanager
def unit_of_work(store: Store) -> Iterator[Work]:
    with store.session() as session:
        yield Work(store=store, session=session, now=now(), actor=store.actor)


@dataclass(frozen=True)
class Reading:
    """A use case that only reads, in plain SQL (store/db/reading.py): no ORM to import."""

    store: Store
    reader: Reader
    now: datetime
    actor: str


@contextmanager
def reading(store: Store) -> Iterator[Reading]:
    with store.reader() as reader:
        yield Reading(store=store, reader=reader, now=now(), actor=store.actor)
