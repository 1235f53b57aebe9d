"""`audit verify` (SPEC §6): the audit chain, and every signed record's digest and signatures,
recomputed from what is stored now. Each problem names the record or the link that broke.

Signatures and signing keys are also held against the audit events that recorded them: a key or
a signature slipped into its table without its event (or with an event that says otherwise) is
reported, so a forger must rewrite the chain consistently too (see docs/threat-model.md).

What a forger who rewrites the chain consistently leaves is caught outside the tables checked:
the database's guards against the set the migrations make (guards.py), record numbers against
the trail's destructions (record_numbers.py), the file's pages (file_problems), and the store
against what the unlocking key holder last saw of it, kept in their key slot (keys/anchor.py)."""

import os
import sys
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from supervise.domain.records.signing import Content
from supervise.store.db.backend import backend
from supervise.store.db.reading import Reader, reader_of
from supervise.store.db.tables import SigningKey
from supervise.store.integrity.chain_stream import Progress, destroyed_problems, walk_trail
from supervise.store.integrity.guards import trigger_problems
from supervise.store.integrity.record_digests import Digests, Signed, signed_records
from supervise.store.integrity.record_numbers import gap_problems
from supervise.store.integrity.signed_work import Checked, Checkers, KeyFacts
from supervise.store.keys.anchor import anchor_problems
from supervise.store.keys.signing_keys import keys_by_id
from supervise.store.records.content import content_of
from supervise.store.records.numbered import MODELS, label

if TYPE_CHECKING:
    from supervise.store.keys.key_file import KeyFile, OpenedSlot


@dataclass
class Verification:
    events: int = 0
    records: int = 0
    signatures: int = 0
    problems: list[str] = field(default_factory=list)


def _recorded_keys(recorded: dict[Any, tuple[str | None, str | None]],
                   keys: dict[int, SigningKey]) -> list[str]:
    """Each signing key against the `person.signing-key` event that made it."""
    problems = []
    for key in keys.values():
        event = recorded.get(key.id)
        if event is None or event != (key.fingerprint, str(key.person_id)):
            problems.append(f"signing key {key.id} (person {key.person_id}) does not "
                            f"match the audit trail: it was not made by supervise")
    return problems


def _digest_again(session: Session, kind: str, number: int) -> str | None:
    """A record's digest built by content.py, one read at a time (None: it is not stored), for
    what the set-based read could not build: it raises what it finds."""
    record = session.get(MODELS[kind], number)
    return None if record is None else content_of(session, kind, record).digest


def _findings(session: Session, result: Verification, signed: Signed, built: dict[int, Any],
              checked: Checked) -> None:
    record_type, record_id, signatures = signed
    what = label(record_type, record_id)
    result.records += 1
    digest, signature_problems = checked
    if record_type not in MODELS or record_id not in built:
        result.problems.append(f"{what}: signed, but the record is missing")
        return
    if digest is None:
        try:
            digest = _digest_again(session, record_type, record_id)
        except Exception as exc:  # noqa: BLE001 - damage of any kind is a finding, not a crash
            reason = getattr(exc, "message", None) or "its stored data is damaged"
            result.problems.append(f"{what}: cannot be read back ({reason})")
            return
        if digest is None:
            result.problems.append(f"{what}: signed, but the record is missing")
            return
    if any(s.digest != digest for s in signatures):
        result.problems.append(f"{what}: its content was changed after it was signed "
                               f"(signed {signatures[0].digest[:12]}, now {digest[:12]})")
    result.problems += [problem for problem in signature_problems if problem]


def _workers(records: int) -> int:
    """Processes to check signatures and digests in beside this one: one per core, on a store
    large enough to repay starting them. Only on Linux, where they are forked safely; Windows
    cannot fork, and macOS forbids forking a process that has loaded its system frameworks,
    so there the checks run here, in turn."""
    if not sys.platform.startswith("linux"):
        return 0
    cores = len(os.sched_getaffinity(0))
    return min(cores, MAX_WORKERS) if cores > 1 and records >= PARALLEL_FROM else 0


PARALLEL_FROM, MAX_WORKERS = 2000, 4


def _signed_records(session: Session, reader: Reader, result: Verification,
                    keys: dict[int, SigningKey], progress: Progress | None,
                    workers: int | None) -> None:
    """Every signed record's digest recomputed, a chunk of one kind at a time, in (type, id)
    order, and each of its signatures checked; the chunks read here are checked by
    signed_work.py, in worker processes on a large store, and their findings taken in order."""
    digests = Digests(reader, session)
    total = reader.value("SELECT COUNT(*) FROM (SELECT DISTINCT record_type, record_id FROM "
                         "signature) AS signed")
    count = _workers(total) if workers is None else workers
    checkers = Checkers({key.id: KeyFacts(key.public_key, key.person_id, key.created_at,
                                          key.fingerprint)
                         for key in keys.values() if key.id is not None}, count)
    pending: deque[tuple[list[Signed], dict[int, Any], Any]] = deque()

    def take_one() -> None:
        chunk, built, checking = pending.popleft()
        for signed, checked in zip(chunk, checkers.result(checking), strict=True):
            _findings(session, result, signed, built, checked)
        if progress:
            progress("records", result.records, total)

    try:
        for chunk in signed_records(reader):
            kind = chunk[0][0]
            built = digests.of(kind, [number for _, number, _ in chunk]) \
                if kind in MODELS else {}
            pending.append((chunk, built, checkers.submit(
                [(label(record_type, number), _plain(built.get(number)), signatures)
                 for record_type, number, signatures in chunk])))
            while len(pending) > 2 * count:
                take_one()
        while pending:
            take_one()
    finally:
        checkers.close()


def _plain(content: Content | None) -> tuple | None:
    return None if content is None else (content.header, content.parts, content.salt_key)


def verify_store(session: Session, *, keyfile: "KeyFile | None" = None,
                 opened: "OpenedSlot | None" = None, db: Path | None = None,
                 progress: Progress | None = None, workers: int | None = None
                 ) -> Verification:
    """Everything held inside the store, and (given the unlocking holder's key slot) against
    what that holder last saw of it (store/keys/anchor.py). The trail and the signed records
    are read from cursors, in bounded memory; `progress` hears how far each has got.
    `workers`: how many processes check the signed records beside this one (by default one
    per core on a large store)."""
    result = Verification()
    reader = reader_of(session)
    result.signatures = reader.value("SELECT COUNT(*) FROM signature")
    keys = keys_by_id(session)
    result.problems += anchor_problems(session, keyfile, opened, db)
    result.problems += trigger_problems(session)
    trail = walk_trail(reader, progress)
    result.events = trail.events
    result.problems += trail.chain
    result.problems += trail.signatures
    result.problems += _recorded_keys(trail.keys, keys)
    result.problems += destroyed_problems(reader, trail.destroyed)
    result.problems += gap_problems(reader, trail.explained)
    _signed_records(session, reader, result, keys, progress, workers)
    return result


def file_problems(path: Path, key: bytes) -> list[str]:
    """SQLCipher's HMAC check of every page and SQLite's own structure check, on the file as
    it is: a page put back from an older copy has a valid HMAC but breaks its index."""
    conn = backend.connect(path, key, read_only=True)
    try:
        damaged = backend.damaged_pages(conn)
        if damaged:
            return [f"{len(damaged)} damaged page(s) in the store file: " + "; ".join(damaged[:5])]
        return [f"the store file's structure is damaged: {problem}"
                for problem in backend.structure_problems(conn)[:5]]
    finally:
        conn.close()
