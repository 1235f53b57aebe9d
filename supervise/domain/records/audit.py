"""The audit chain's rule: each event's hash covers its fields and the previous event's hash."""

from collections.abc import Iterable, Mapping
from typing import Any

from supervise.domain.records.canonical import digest

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "seq", "at", "actor", "action", "record_type", "record_id", "digest", "detail", "prev_hash",
)


def event_hash(event: Mapping[str, Any]) -> str:
    return digest({name: event[name] for name in CHAINED_FIELDS})


def chain_problems(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every broken link or altered event, in order; an empty list means the chain holds."""
    problems: list[str] = []
    prev_hash, prev_seq = GENESIS, 0
    for event in events:
        seq = event["seq"]
        if seq != prev_seq + 1:
            problems.append(f"audit events {prev_seq + 1}..{seq - 1} are missing")
        if event["prev_hash"] != prev_hash:
            problems.append(f"audit event {seq} does not link to the event before it")
        if event_hash(event) != event["hash"]:
            problems.append(f"audit event {seq} was altered after it was written")
        prev_hash, prev_seq = event["hash"], seq
    return problems
