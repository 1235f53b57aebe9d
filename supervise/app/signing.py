"""Signing a contract, session or decision record (or one of its amendments): who may sign with
what, and the signature itself. A wrong signing passphrase signs nothing and is kept in the
audit trail."""

from dataclasses import dataclass
from typing import Any

from supervise.app.unit import Work, unit_of_work
from supervise.domain.records.signing import role_for
from supervise.domain.rows import SigningSummary
from supervise.errors import Hint, SuperviseError, UnlockError, UsageError
from supervise.store.db.opening import Store
from supervise.store.db.tables import Person, id_of
from supervise.store.integrity.audit_chain import append_event
from supervise.store.keys.key_file import WrongPassphrase
from supervise.store.keys.signing_keys import (
    WrongSigningPassphrase,
    current_key,
    custodian_key,
    open_enrolled,
)
from supervise.store.records.amendments import find_amendment
from supervise.store.records.content import content_of, parties_of
from supervise.store.records.numbered import find_record
from supervise.store.records.people import find_person
from supervise.store.records.signatures import SigningMaterial, sign_record, signing_summary

NOUNS = {"contract": "contract", "session": "session", "decision": "decision record"}


def _target(work: Work, record_type: str, given: str, amendment: int | None) -> tuple[str, Any]:
    record = find_record(work.session, record_type, given)
    if amendment is None:
        return record_type, record
    return "amendment", find_amendment(work.session, record_type, record.id, amendment)


def _describe(record_type: str, given_type: str, target: Any) -> str:
    if given_type == "amendment":
        return f"amendment {target.number} to {NOUNS[record_type]} {target.record_id}"
    return f"{NOUNS[record_type]} {target.id}"


@dataclass(frozen=True)
class Signing:
    """What is about to be signed, by whom and how."""

    what: str  # e.g. "session 3", "amendment 1 to decision record 2"
    signer: str
    role: str
    digest: str
    own_key: bool  # the signer is the signed-in user: the store passphrase opened their key


def plan_signature(store: Store, record_type: str, given: str, amendment: int | None, *,
                   signer: str, role: str | None, typed: bool) -> Signing:
    """The record, the signer's role in it and its digest; refused when the signer's key and
    the way they sign (`typed`: their typed name, witnessed) do not fit."""
    with unit_of_work(store) as work:
        target_type, target = _target(work, record_type, given, amendment)
        what = _describe(record_type, target_type, target)
        person, me = find_person(work.session, signer), find_person(work.session, work.actor)
        role = role_for(id_of(person), person.name, parties_of(work.session, target_type, target),
                        role, what)
        digest = content_of(work.session, target_type, target).digest
        holds_slot = store.keyfile is not None and store.keyfile.slot_for(person.name)
        enrolled = current_key(work.session, person)
        own_key = person.id == me.id
        name = person.name
    with_passphrase = enrolled is not None and enrolled.protection == "passphrase"
    if typed and (own_key or holds_slot or with_passphrase):
        raise UsageError(f"{name} has a signing key and signs with it (their own "
                         f"passphrase):", Hint.of("typed_has_key"))
    if not typed and not own_key and not holds_slot and not with_passphrase:
        raise SuperviseError(f"{name} has no signing key:", Hint.of("no_signing_key",
                                                                     person=name))
    return Signing(what, name, role, digest, own_key)


def sign(store: Store, record_type: str, given: str, amendment: int | None, *, signer: str,
         role: str, comment: str | None, typed: bool, passphrase: str | None) -> SigningSummary:
    """The signature made; the record's signing summary (signed, signatures, awaiting)."""
    try:
        with unit_of_work(store) as work:
            target_type, target = _target(work, record_type, given, amendment)
            person = find_person(work.session, signer)
            me = find_person(work.session, work.actor)
            material = _material(work, person, me, typed, passphrase)
            sign_record(work, target_type, target, signer=person, role=role,
                        comment=comment, material=material)
            return signing_summary(work.session, target_type, target)
    except (WrongPassphrase, WrongSigningPassphrase):
        with unit_of_work(store) as work:
            target_type, target = _target(work, record_type, given, amendment)
            append_event(work, action=f"{target_type}.sign-failed", record_type=target_type,
                         record_id=str(target.id),
                         detail={"signer": find_person(work.session, signer).id,
                                 "reason": "wrong signing passphrase"})
        raise UnlockError(f"Wrong signing passphrase for {signer}; nothing was signed "
                          f"and the attempt is in the audit trail.") from None


def _material(work: Work, signer: Person, me: Person, typed: bool,
              passphrase: str | None) -> SigningMaterial:
    """The key that signs: the signer's own (opened by their passphrase, or by the store
    passphrase already given when they are the signed-in user), or the witness's for a typed
    name. Raises WrongPassphrase / WrongSigningPassphrase."""
    store = work.store
    assert store.opened is not None  # a store unlocked by a person's passphrase signs
    if typed or signer.id == me.id:
        key, private = custodian_key(work, me, store.opened.private_key)
        return SigningMaterial(key, private, "typed" if typed else "key",
                               witness=me if typed else None)
    assert store.keyfile is not None and passphrase is not None
    slot = store.keyfile.slot_for(signer.name)
    if slot is not None:
        opened = store.keyfile.open_slot(slot, passphrase)
        key, private = custodian_key(work, signer, opened.private_key)
        return SigningMaterial(key, private, "key")
    enrolled = current_key(work.session, signer)
    assert enrolled is not None  # plan_signature refused a signer with no key
    return SigningMaterial(enrolled, open_enrolled(enrolled, passphrase), "key")
