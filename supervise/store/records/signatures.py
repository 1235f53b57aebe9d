"""Signing records (SPEC §2 Signature): each party signs the record's digest with their own key,
or types their full name witnessed by the signed-in user, whose key countersigns. A record with a
signature is never changed again (the application refuses, and so do the database's triggers)."""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from supervise import keycrypto
from supervise.domain.records.canonical import iso_utc
from supervise.domain.records.signing import (
    fingerprint,
    method_words,
    outstanding,
    short_fingerprint,
    signing_complete,
    statement_bytes,
)
from supervise.domain.rows import SignatureRow, SigningSummary
from supervise.errors import Hint, SuperviseError, UsageError, VerificationError
from supervise.keycrypto import b64
from supervise.store.db.tables import Person, Signature, SigningKey, id_of
from supervise.store.db.writing import Writing
from supervise.store.integrity.audit_append import append_event
from supervise.store.records.content import content_of, draft_session_of, parties_of
from supervise.store.records.numbered import label
from supervise.store.records.people import person_name


@dataclass
class SigningMaterial:
    """Whose key signs: the signer's own, or for a typed name the witness's."""

    key: SigningKey
    private: bytes
    method: str  # key | typed
    witness: Person | None = None


def signatures_of(session: Session, record_type: str, record_id: int) -> list[Signature]:
    return list(session.exec(select(Signature).where(
        Signature.record_type == record_type, Signature.record_id == record_id)
        .order_by(col(Signature.id))))


def _pairs(signatures: list[Signature]) -> set[tuple[int, str]]:
    return {(s.signer_id, s.role) for s in signatures}


def signed_digest(session: Session, record_type: str, record_id: int) -> str | None:
    """The digest the record's signatures cover, or None while it is unsigned."""
    signed = signatures_of(session, record_type, record_id)
    return signed[0].digest if signed else None


def statement_of(signature: Signature, key_fingerprint: str) -> bytes:
    return statement_bytes(signature.record_type, signature.record_id, signature.digest,
                           key_fingerprint, signature)


@dataclass
class Signer:
    """One party signing, for sign_together."""

    person: Person
    role: str
    comment: str | None
    material: SigningMaterial


def sign_record(work: Writing, record_type: str, record: Any, *, signer: Person, role: str,
                comment: str | None, material: SigningMaterial) -> Signature:
    return sign_together(work, record_type, record,
                         [Signer(signer, role, comment, material)])[0]


def sign_together(work: Writing, record_type: str, record: Any,
                  signers: list[Signer]) -> list[Signature]:
    """Each of `signers` signs the record, in order, as sign_record would one at a time (the
    supervisor and supervisee at the end of a meeting): the record's digest is computed once
    for all of them, not once each."""
    return sign_digest(work, record_type, record, signers, None)


def sign_digest(work: Writing, record_type: str, record: Any, signers: list[Signer],
                digest: str | None) -> list[Signature]:
    session = work.session
    what = label(record_type, record.id)
    draft = draft_session_of(session, record_type, record)
    if draft is not None:
        raise UsageError(f"Session {draft.id} is a draft:",
                         Hint.of("finish_draft_before_signing", session=draft.id))
    earlier = signatures_of(session, record_type, record.id)
    for number, one in enumerate(signers):
        for done in earlier:
            if done.signer_id == one.person.id and done.role == one.role:
                raise SuperviseError(f"{one.person.name} already signed {what} as {one.role} "
                                     f"on {done.signed_at[:10]}; nothing was changed.")
        if any(other.person.id == one.person.id and other.role == one.role
               for other in signers[:number]):
            raise SuperviseError(f"{one.person.name} is named twice to sign {what} as "
                                 f"{one.role}; nothing was changed.")
    if digest is None:
        digest = content_of(session, record_type, record).digest
    if earlier and earlier[0].digest != digest:
        raise VerificationError(f"{what.capitalize()} no longer matches what was signed:",
                                Hint.of("verify_audit_do_not_sign"))
    if record_type == "session" and not earlier and record.digest != digest:
        record.digest = digest  # completed before migration 4 changed how it is computed
        session.add(record)
        session.flush()
    return [_signature(work, record_type, record, digest, one) for one in signers]


def _signature(work: Writing, record_type: str, record: Any, digest: str,
               one: Signer) -> Signature:
    session, now = work.session, work.now
    signer, material = one.person, one.material
    row = Signature(
        record_type=record_type, record_id=record.id, digest=digest, signer_id=id_of(signer),
        signer_name=signer.name, role=one.role, method=material.method,
        comment=one.comment or None,
        witness_id=material.witness.id if material.witness else None,
        witness_name=material.witness.name if material.witness else None,
        key_id=id_of(material.key), public_key=material.key.public_key, signed_at=iso_utc(now),
        signature="")
    if keycrypto.ed25519_public_of(material.private) != keycrypto.unb64(material.key.public_key):
        raise VerificationError("That signing key does not match its stored public key:",
                                Hint.of("verify_audit"))
    row.signature = b64(keycrypto.ed25519_sign(material.private,
                                               statement_of(row, material.key.fingerprint)))
    session.add(row)
    session.flush()
    append_event(work, action=f"{record_type}.sign",
                 record_type=record_type, record_id=str(record.id), digest=digest,
                 detail={"signature": row.id, "signer": signer.id, "role": one.role,
                         "method": material.method})
    return row


def signature_row(signature: Signature) -> SignatureRow:
    """A signature as every view shows it; its key's fingerprint comes from the public key it
    carries (what verify checks against the signer's registered key)."""
    method = method_words(signature.method, signature.witness_name)
    return {
        "name": signature.signer_name, "role": signature.role,
        "signed_at": signature.signed_at, "date": signature.signed_at[:10], "method": method,
        "comment": signature.comment, "digest": signature.digest,
        "public_key": signature.public_key,
        "key": short_fingerprint(fingerprint(keycrypto.unb64(signature.public_key))),
    }


def signing_summary(session: Session, record_type: str, record: Any) -> SigningSummary:
    """Whether the record is signed, each signature, and who has still to sign."""
    signatures = signatures_of(session, record_type, record.id)
    parties = parties_of(session, record_type, record)
    return {
        "signed": signing_complete(record_type, parties, _pairs(signatures)),
        "signatures": [signature_row(s) for s in signatures],
        "awaiting": [f"{person_name(session, p.person_id)} ({p.role})"
                     for p in outstanding(record_type, parties, _pairs(signatures))],
    }


