"""The audit chain's rule: each event's hash covers its fields and the previous event's hash."""

from collections.abc import Iterable, Mapping
from typing import Any

from supervise.domain.records.canonical import digest
from supervise.domain.records.plain_digest import flat_digest

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "seq", "at", "actor", "action", "record_type", "record_id", "digest", "detail", "prev_hash",
)


def event_hash(event: Mapping[str, Any]) -> str:
    return digest({name: event[name] for name in CHAINED_FIELDS})


class ChainCheck:
    """The chain checked one event at a time, oldest first, so a trail too long to hold at once
    is checked as it is read: `problems` names every broken link or altered event so far."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.prev_hash, self.prev_seq = GENESIS, 0

    def add(self, event: Mapping[str, Any]) -> None:
        seq = event["seq"]
        if seq != self.prev_seq + 1:
            self.problems.append(f"audit events {self.prev_seq + 1}..{seq - 1} are missing")
        if event["prev_hash"] != self.prev_hash:
            self.problems.append(f"audit event {seq} does not link to the event before it")
        if flat_digest({name: event[name] for name in CHAINED_FIELDS}) != event["hash"]:
            self.problems.append(f"audit event {seq} was altered after it was written")
        self.prev_hash, self.prev_seq = event["hash"], seq


def chain_problems(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every broken link or altered event, in order; an empty list means the chain holds."""
    check = ChainCheck()
    for event in events:
        check.add(event)
    return check.problems
