"""`audit verify` (SPEC §6): the audit chain, and every signed record's digest and signatures,
recomputed from what is stored now. Each problem names the record or the link that broke.

Signatures and signing keys are also held against the audit events that recorded them: a key or
a signature slipped into its table without its event (or with an event that says otherwise) is
reported, so a forger must rewrite the chain consistently too (see docs/threat-model.md).

What a forger who rewrites the chain consistently leaves is caught outside the tables checked:
the database's guards against the set the migrations make (guards.py), record numbers against
the trail's destructions (record_numbers.py), the file's pages (file_problems), and the store
against what the unlocking key holder last saw of it, kept in their key slot (keys/anchor.py)."""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from supervise import keycrypto
from supervise.domain.records.audit import chain_problems
from supervise.store.db.backend import backend
from supervise.store.db.tables import Signature, SigningKey
from supervise.store.integrity.audit_chain import audit_events
from supervise.store.integrity.guards import trigger_problems
from supervise.store.integrity.record_numbers import gap_problems
from supervise.store.keys.anchor import anchor_problems
from supervise.store.keys.signing_keys import keys_by_id
from supervise.store.records.content import content_of
from supervise.store.records.numbered import MODELS, label
from supervise.store.records.signatures import statement_of

if TYPE_CHECKING:
    from supervise.store.keys.key_file import KeyFile, OpenedSlot


@dataclass
class Verification:
    events: int = 0
    records: int = 0
    signatures: int = 0
    problems: list[str] = field(default_factory=list)


def _events_by(events: list[dict[str, Any]], action_suffix: str, key: str) -> dict[Any, dict]:
    found = {}
    for event in events:
        if event["action"].endswith(action_suffix):
            found[json.loads(event["detail"]).get(key)] = event
    return found


def _chain(session: Session, result: Verification) -> list[dict[str, Any]]:
    events = [event.model_dump() for event in audit_events(session)]
    result.events = len(events)
    result.problems += chain_problems(events)
    return events


def _recorded_signatures(result: Verification, events: list[dict[str, Any]],
                         signatures: list[Signature]) -> None:
    """Each signature against the `*.sign` event written with it, and back."""
    recorded = _events_by(events, ".sign", "signature")
    ids = {s.id for s in signatures}
    destroyed = {number for event in events if event["action"].endswith(".destroyed")
                 for number in json.loads(event["detail"]).get("signatures", [])}
    for number, sign_event in recorded.items():
        if number not in ids and number not in destroyed:
            result.problems.append(
                f"{label(sign_event['record_type'], sign_event['record_id'])}: signature "
                f"{number}, recorded by audit event {sign_event['seq']}, is missing")
    for signature in signatures:
        event = recorded.get(signature.id)
        what = label(signature.record_type, signature.record_id)
        detail = json.loads(event["detail"]) if event else {}
        if event is None or (event["record_type"], event["record_id"], event["digest"],
                             detail.get("signer"), detail.get("role")) != (
                signature.record_type, str(signature.record_id), signature.digest,
                signature.signer_id, signature.role):
            result.problems.append(f"{what}: the signature of {signature.signer_name} "
                                   f"({signature.role}) does not match the audit trail")


def _recorded_keys(result: Verification, events: list[dict[str, Any]],
                   keys: dict[int, SigningKey]) -> None:
    recorded = _events_by(events, "person.signing-key", "key")
    for key in keys.values():
        event = recorded.get(key.id)
        if event is None or event["digest"] != key.fingerprint or \
                event["record_id"] != str(key.person_id):
            result.problems.append(f"signing key {key.id} (person {key.person_id}) does not "
                                   f"match the audit trail: it was not made by supervise")


def _signature_problem(signature: Signature, keys: dict[int, SigningKey],
                       what: str) -> str | None:
    who = f"{what}: the signature of {signature.signer_name} ({signature.role})"
    key = keys.get(signature.key_id)
    if key is None:
        return f"{who} names a signing key the store does not hold"
    holder = signature.witness_id if signature.method == "typed" else signature.signer_id
    if key.public_key != signature.public_key or key.person_id != holder:
        whose = "their own" if holder == signature.signer_id else \
            f"the witness {signature.witness_name}'s"
        return f"{who} was not made with {whose} key"
    if key.created_at > signature.signed_at:
        return f"{who} is dated before the key that made it"
    try:
        public, raw = keycrypto.unb64(key.public_key), keycrypto.unb64(signature.signature)
    except ValueError:
        return f"{who} is unreadable"
    if not keycrypto.ed25519_valid(public, raw, statement_of(signature, key.fingerprint)):
        return f"{who} does not match its key: it or what it states was altered"
    return None


def _signed_records(session: Session, result: Verification, signatures: list[Signature],
                    keys: dict[int, SigningKey]) -> None:
    by_record: dict[tuple[str, int], list[Signature]] = defaultdict(list)
    for signature in signatures:
        by_record[(signature.record_type, signature.record_id)].append(signature)
    for (record_type, record_id), signed in sorted(by_record.items()):
        what = label(record_type, record_id)
        result.records += 1
        record = session.get(MODELS[record_type], record_id) if record_type in MODELS else None
        if record is None:
            result.problems.append(f"{what}: signed, but the record is missing")
            continue
        try:
            digest = content_of(session, record_type, record).digest
        except Exception as exc:  # noqa: BLE001 - damage of any kind is a finding, not a crash
            reason = getattr(exc, "message", None) or "its stored data is damaged"
            result.problems.append(f"{what}: cannot be read back ({reason})")
            continue
        if any(s.digest != digest for s in signed):
            result.problems.append(f"{what}: its content was changed after it was signed "
                                   f"(signed {signed[0].digest[:12]}, now {digest[:12]})")
        for signature in signed:
            problem = _signature_problem(signature, keys, what)
            if problem:
                result.problems.append(problem)


def _destroyed_records(session: Session, result: Verification,
                       events: list[dict[str, Any]]) -> None:
    """A record the trail says retention destroyed must be gone: otherwise its `.destroyed`
    event would excuse signatures removed from a record that is still there. (Contracts reuse
    a freed number: one made after the destruction is another record.)"""
    for event in events:
        kind = event["record_type"]
        if not (event["action"].endswith(".destroyed") and kind in MODELS):
            continue
        present = session.get(MODELS[kind], int(event["record_id"]))
        made = getattr(present, "created_at", None) or getattr(present, "saved_at", None)
        if present is not None and not (made and made > event["at"]):
            result.problems.append(f"{label(kind, int(event['record_id']))}: recorded as "
                                   f"destroyed by audit event {event['seq']}, but still present")


def verify_store(session: Session, *, keyfile: "KeyFile | None" = None,
                 opened: "OpenedSlot | None" = None, db: Path | None = None) -> Verification:
    """Everything held inside the store, and (given the unlocking holder's key slot) against
    what that holder last saw of it (store/keys/anchor.py)."""
    result = Verification()
    signatures = list(session.exec(select(Signature).order_by(col(Signature.id))))
    result.signatures = len(signatures)
    keys = keys_by_id(session)
    result.problems += anchor_problems(session, keyfile, opened, db)
    result.problems += trigger_problems(session)
    events = _chain(session, result)
    _recorded_signatures(result, events, signatures)
    _recorded_keys(result, events, keys)
    _destroyed_records(session, result, events)
    result.problems += gap_problems(session)
    _signed_records(session, result, signatures, keys)
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
