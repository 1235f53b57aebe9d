"""Personal Ed25519 signing keys (SPEC §6).

A custodian's private key is wrapped under a key derived from their key slot's private key, which
only their store passphrase opens: signing as themselves costs no second passphrase, and
`key passwd` changes nothing here. Anyone else sets a signing passphrase at `person enrol`
(Argon2id with the store's parameters). A person's current key is their newest row; older keys
stay, so older signatures still verify.
"""

import json
import os
from dataclasses import asdict

from sqlmodel import Session, col, select

from supervise import keycrypto
from supervise.domain.records.canonical import iso_utc
from supervise.domain.records.signing import fingerprint
from supervise.keycrypto import KdfParams, b64, unb64
from supervise.store.db.tables import Person, SigningKey, id_of
from supervise.store.db.writing import Writing
from supervise.store.integrity.audit_append import append_event


class WrongSigningPassphrase(Exception):
    pass


def _aad(person_id: int, public_b64: str) -> bytes:
    return f"supervise-signing-key/{person_id}/{public_b64}".encode()


def _slot_wrapping_key(slot_private: bytes) -> bytes:
    return keycrypto.hkdf(slot_private, b"supervise signing key v1")


def current_key(session: Session, person: Person) -> SigningKey | None:
    return session.exec(select(SigningKey).where(SigningKey.person_id == person.id)
                        .order_by(col(SigningKey.id).desc()).limit(1)).first()


def keys_by_id(session: Session) -> dict[int, SigningKey]:
    return {id_of(key): key for key in session.exec(select(SigningKey))}


def _store(work: Writing, person: Person, *, public: bytes, protection: str,
           wrapped: dict, slot_public: str | None = None,
           kdf: dict | None = None, reset: bool = False) -> SigningKey:
    session, now, actor = work.session, work.now, work.actor
    row = SigningKey(person_id=id_of(person), public_key=b64(public),
                     fingerprint=fingerprint(public), protection=protection,
                     slot_public=slot_public,
                     kdf=json.dumps(kdf) if kdf else None, wrapped=json.dumps(wrapped),
                     created_at=iso_utc(now), created_by=actor)
    session.add(row)
    session.flush()
    append_event(work, action="person.signing-key",
                 record_type="person", record_id=str(person.id), digest=row.fingerprint,
                 detail={"key": row.id, "protection": protection, "reset": reset})
    return row


def custodian_key(work: Writing, person: Person, slot_private: bytes) -> tuple[SigningKey, bytes]:
    """The custodian's key wrapped for this key slot, made on first use (and again after
    `key recover` gives them a new slot). Returns the row and the private key."""
    session = work.session
    slot_public = b64(keycrypto.public_of(slot_private))
    key = current_key(session, person)
    if key is not None and key.protection == "store-slot" and key.slot_public == slot_public:
        private = keycrypto.decrypt(_slot_wrapping_key(slot_private), json.loads(key.wrapped),
                                    _aad(id_of(person), key.public_key))
        return key, private
    private, public = keycrypto.new_ed25519()
    wrapped = keycrypto.encrypt(_slot_wrapping_key(slot_private), private,
                                _aad(id_of(person), b64(public)))
    row = _store(work, person, public=public, protection="store-slot", wrapped=wrapped,
                 slot_public=slot_public)
    return row, private


def enrol(work: Writing, person: Person, passphrase: str, kdf: KdfParams, *,
          reset: bool = False) -> SigningKey:
    """A new key for `person`, opened by their own signing passphrase; any older key is
    retired (it still verifies what it signed). `reset`: replaced without its old passphrase
    (forgotten), which the audit trail says."""
    private, public = keycrypto.new_ed25519()
    salt = os.urandom(16)
    kek = keycrypto.derive_kek(passphrase, kdf, salt)
    wrapped = keycrypto.encrypt(kek, private, _aad(id_of(person), b64(public)))
    return _store(work, person, public=public, protection="passphrase", wrapped=wrapped,
                  kdf={**asdict(kdf), "salt": b64(salt)}, reset=reset)


def open_enrolled(key: SigningKey, passphrase: str) -> bytes:
    """The private key of an enrolled person; raises WrongSigningPassphrase."""
    from cryptography.exceptions import InvalidTag

    kdf = json.loads(key.kdf or "{}")
    params = KdfParams(memory_kib=kdf["memory_kib"], iterations=kdf["iterations"],
                       lanes=kdf["lanes"])
    kek = keycrypto.derive_kek(passphrase, params, unb64(kdf["salt"]))
    try:
        return keycrypto.decrypt(kek, json.loads(key.wrapped), _aad(key.person_id,
                                                                     key.public_key))
    except InvalidTag:
        raise WrongSigningPassphrase() from None
