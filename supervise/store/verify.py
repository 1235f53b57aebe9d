"""`audit verify` (SPEC §6): the audit chain, and every signed record's digest and signatures,
recomputed from what is stored now. Each problem names the record or the link that broke."""

import json
from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, select

from supervise.errors import SuperviseError
from supervise.store import keycrypto
from supervise.store.audit import audit_events
from supervise.store.models import Signature
from supervise.store.records import MODELS, content_of, label
from supervise.store.signatures import statement_of
from supervise.store.signing_keys import keys_by_id


@dataclass
class Verification:
    events: int = 0
    records: int = 0
    signatures: int = 0
    problems: list[str] = field(default_factory=list)


def _chain(session: Session, result: Verification, signature_ids: set[int]) -> None:
    from supervise.domain.audit import chain_problems

    events = [event.model_dump() for event in audit_events(session)]
    result.events = len(events)
    result.problems += chain_problems(events)
    for event in events:
        if event["action"].endswith(".sign"):
            signed = json.loads(event["detail"]).get("signature")
            if signed not in signature_ids:
                result.problems.append(
                    f"{label(event['record_type'], event['record_id'])}: signature {signed}, "
                    f"recorded by audit event {event['seq']}, is missing")


def _signature_problem(signature: Signature, keys: dict, what: str) -> str | None:
    who = f"{what}: the signature of {signature.signer_name} ({signature.role})"
    key = keys.get(signature.key_id)
    if key is None:
        return f"{who} names a signing key the store does not hold"
    holder = signature.witness_id if signature.method == "typed" else signature.signer_id
    if key.public_key != signature.public_key or key.person_id != holder:
        whose = "their own" if holder == signature.signer_id else \
            f"the witness {signature.witness_name}'s"
        return f"{who} was not made with {whose} key"
    try:
        public, raw = keycrypto.unb64(key.public_key), keycrypto.unb64(signature.signature)
    except ValueError:
        return f"{who} is unreadable"
    if not keycrypto.ed25519_valid(public, raw, statement_of(signature, key.fingerprint)):
        return f"{who} does not match its key: it or what it states was altered"
    return None


def verify_store(session: Session) -> Verification:
    result = Verification()
    signatures = list(session.exec(select(Signature).order_by(Signature.id)))
    result.signatures = len(signatures)
    _chain(session, result, {s.id for s in signatures})
    keys = keys_by_id(session)
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
        except SuperviseError as exc:
            result.problems.append(f"{what}: cannot be read back ({exc.message})")
            continue
        if any(s.digest != digest for s in signed):
            result.problems.append(f"{what}: its content was changed after it was signed "
                                   f"(signed {signed[0].digest[:12]}, now {digest[:12]})")
        for signature in signed:
            problem = _signature_problem(signature, keys, what)
            if problem:
                result.problems.append(problem)
    return result
