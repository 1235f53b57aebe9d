"""The audit trail walked once, oldest first, from a cursor: each link checked as it is read
(domain/records/audit.py), and what the other checks need of the trail kept as it passes (the
signatures, signing keys and records it says were made or destroyed), so a trail of any length
is checked in bounded memory. Nothing is held per event but what a destruction leaves."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from supervise.domain.records.audit import CHAINED_FIELDS, ChainCheck
from supervise.store.db.reading import Reader
from supervise.store.integrity.record_numbers import Explained
from supervise.store.records.numbered import MODELS, label

# what a long check reports as it goes: (what, how many done, of how many)
Progress = Callable[[str, int, int], None]
EVERY = 5000  # events between two progress reports

EVENTS = ("SELECT seq, at, actor, action, record_type, record_id, digest, detail, prev_hash, "
          "hash FROM audit_event ORDER BY seq")
SIGNATURES = ("SELECT id, record_type, record_id, digest, signer_id, role, signer_name "
              "FROM signature ORDER BY id")
_FIELDS = (*CHAINED_FIELDS, "hash")


def _problem(row: tuple) -> str:
    _, record_type, record_id, _, _, role, signer_name = row
    return (f"{label(record_type, record_id)}: the signature of {signer_name} ({role}) does not "
            "match the audit trail")


def _differs(row: tuple, event: tuple | None) -> bool:
    """A signature against the `*.sign` event said to record it: (record_type, record_id,
    digest, signer, role) of each."""
    _, record_type, record_id, digest, signer_id, role, _ = row
    return event is None or event != (record_type, str(record_id), digest, signer_id, role)


class RecordedSignatures:
    """Each signature against the `*.sign` event written with it, and back. Both are read in
    order (events by seq, signatures by number), and a trail supervise wrote names its
    signatures in rising order, so the two are matched as they pass. A trail that names them
    out of order, or twice, was not written by supervise: `in_order` turns false and the
    signatures are matched again in full (`in_full`), with the same findings."""

    def __init__(self, reader: Reader) -> None:
        self._rows = reader.iterate(SIGNATURES)
        self._next: tuple | None = next(self._rows, None)
        self._last: int | None = None
        self.in_order = True
        self.unmatched: list[str] = []  # signatures without their event, in number order
        self._absent: list[tuple[Any, str, Any, int]] = []  # events without their signature

    def _advance(self) -> None:
        self._next = next(self._rows, None)

    def event(self, seq: int, record_type: str, record_id: str, digest: str | None,
              detail: dict[str, Any]) -> None:
        number = detail.get("signature")
        if not self.in_order:
            return
        if type(number) is not int or (self._last is not None and number <= self._last):
            self.in_order = False
            return
        self._last = number
        while self._next is not None and self._next[0] < number:
            self.unmatched.append(_problem(self._next))  # no later event can name it
            self._advance()
        if self._next is not None and self._next[0] == number:
            if _differs(self._next, (record_type, record_id, digest, detail.get("signer"),
                                     detail.get("role"))):
                self.unmatched.append(_problem(self._next))
            self._advance()
        else:
            self._absent.append((number, record_type, record_id, seq))

    def problems(self, destroyed: set[Any]) -> list[str]:
        """Once the whole trail has passed: events whose signature is gone (and not destroyed
        by retention), then signatures no event records."""
        while self._next is not None:
            self.unmatched.append(_problem(self._next))
            self._advance()
        return [f"{label(record_type, record_id)}: signature {number}, recorded by audit event "
                f"{seq}, is missing" for number, record_type, record_id, seq in self._absent
                if number not in destroyed] + self.unmatched


def in_full(reader: Reader, destroyed: set[Any]) -> list[str]:
    """The same match as RecordedSignatures with every `*.sign` event held, for a trail whose
    signatures are out of order: the newest event naming a signature is the one it is held
    against."""
    recorded: dict[Any, tuple] = {}
    for seq, action, record_type, record_id, digest, detail in reader.iterate(
            "SELECT seq, action, record_type, record_id, digest, detail FROM audit_event "
            "ORDER BY seq"):
        if action.endswith(".sign"):
            said = json.loads(detail)
            recorded[said.get("signature")] = (seq, (record_type, record_id, digest,
                                                     said.get("signer"), said.get("role")))
    problems: list[str] = []
    ids = {row[0] for row in reader.iterate("SELECT id FROM signature")}
    for number, (seq, (record_type, record_id, *_)) in recorded.items():
        if number not in ids and number not in destroyed:
            problems.append(f"{label(record_type, record_id)}: signature {number}, recorded by "
                            f"audit event {seq}, is missing")
    for row in reader.iterate(SIGNATURES):
        event = recorded.get(row[0])
        if _differs(row, event[1] if event else None):
            problems.append(_problem(row))
    return problems


@dataclass
class Trail:
    """What one pass over the trail found, and kept for the checks after it."""

    events: int = 0
    chain: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    keys: dict[Any, tuple[str | None, str | None]] = field(default_factory=dict)
    destroyed: list[tuple[str, str, str, int]] = field(default_factory=list)  # kind, id, at, seq
    explained: Explained = field(default_factory=Explained)


def walk_trail(reader: Reader, progress: Progress | None = None, *,
               size: int = 2000) -> Trail:
    trail, check = Trail(), ChainCheck()
    recorded = RecordedSignatures(reader)
    destroyed: set[Any] = set()
    total = reader.value("SELECT COUNT(*) FROM audit_event") if progress else 0
    for row in reader.iterate(EVENTS, size=size):
        event = dict(zip(_FIELDS, row, strict=True))
        check.add(event)
        trail.events += 1
        if progress and trail.events % EVERY == 0:
            progress("events", trail.events, total)
        seq, at, _, action, record_type, record_id, digest, detail = row[:8]
        if action.endswith(".sign"):
            recorded.event(seq, record_type, record_id, digest, json.loads(detail))
        elif action.endswith(".destroyed"):
            said = json.loads(detail)
            destroyed.update(said.get("signatures", []))
            if record_type in MODELS:
                trail.destroyed.append((record_type, record_id, at, seq))
        if action.endswith("person.signing-key"):
            trail.keys[json.loads(detail).get("key")] = (digest, record_id)
        trail.explained.see(action, record_type, record_id, detail)
    if progress:
        progress("events", trail.events, total)
    trail.chain = check.problems
    trail.signatures = recorded.problems(destroyed) if recorded.in_order else \
        in_full(reader, destroyed)
    return trail


def destroyed_problems(reader: Reader, destroyed: list[tuple[str, str, str, int]],
                       size: int = 500) -> list[str]:
    """A record the trail says retention destroyed must be gone: otherwise its `.destroyed`
    event would excuse signatures removed from a record that is still there. (Contracts reuse
    a freed number: one made after the destruction is another record.)"""
    problems: list[str] = []
    for start in range(0, len(destroyed), size):
        chunk = destroyed[start:start + size]
        made = {kind: _made(reader, kind, {int(record_id) for k, record_id, _, _ in chunk
                                           if k == kind})
                for kind in {kind for kind, _, _, _ in chunk}}
        for kind, record_id, at, seq in chunk:
            number = int(record_id)
            if number in made[kind] and not (made[kind][number] and made[kind][number] > at):
                problems.append(f"{label(kind, number)}: recorded as destroyed by audit event "
                                f"{seq}, but still present")
    return problems


def _made(reader: Reader, kind: str, numbers: set[int]) -> dict[int, Any]:
    """When each of these records that is present was made."""
    model: Any = MODELS[kind]
    column = "saved_at" if kind == "decision" else "created_at"
    params = {f"n{i}": number for i, number in enumerate(sorted(numbers))}
    found = reader.rows(f"SELECT id, {column} FROM {model.__tablename__} WHERE id IN "
                        f"({', '.join(':' + name for name in params)})", params)
    return dict(found)
