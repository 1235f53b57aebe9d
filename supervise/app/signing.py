"""Signing a contract, session or decision record (or one of its amendments): who may sign with
what, and the signature itself. A wrong signing passphrase signs nothing and is kept in the
audit trail."""

from dataclasses import dataclass
from typing import Any

from supervise.app.unit import Work, unit_of_work
from supervise.domain.records.signing import role_for
from supervise.domain.rows import SigningSummary
from supervise.domain.wording import family_words
from supervise.errors import Hint, SuperviseError, UnlockError, UsageError
from supervise.store.db.opening import Store
from supervise.store.db.tables import Person, id_of
from supervise.store.integrity.audit_append import append_event
from supervise.store.keys.key_file import WrongPassphrase
from supervise.store.keys.signing_keys import (
    WrongSigningPassphrase,
    current_key,
    custodian_key,
    open_enrolled,
)
from supervise.store.queries import session_rows
from supervise.store.records.amendments import find_amendment
from supervise.store.records.content import content_of, parties_of
from supervise.store.records.contracts import contract_row
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
    summary: tuple[str, ...] = ()  # what the record says, in a few lines, for the signer to read
    record_id: int | None = None  # the record itself (an amendment's record, for one)


class WrongSignerPassphrase(UnlockError):
    """The signer's own passphrase was wrong: nothing was signed; they may try again."""


def _summary(work: Work, record_type: str, target_type: str, target: Any) -> tuple[str, ...]:
    """A few lines on what is being signed: the signer reads these before they sign."""
    if target_type == "amendment":
        return (f"Amendment {target.number}: {target.reason}", f"Corrected text: {target.text}")
    if record_type == "contract":
        c = contract_row(work.session, target, work.now.date())
        return (f"Contract {c['id']}: {c['kind']} supervision of {c['supervisee']} by "
                f"{c['supervisor']}, every {c['frequency']}, from {c['start']}, review by "
                f"{c['review']}.",)
    if record_type == "decision":
        d = session_rows.decision_row(work.session, target)
        children = ", ".join(c["name"] for c in d["children"])
        return (f"Decision record {d['id']} (session {d['session']}, {d['held_on']}) about "
                f"{children or d['family']}.",
                f"Decision: {d['answers'].get('decision') or '(none)'}")
    s = session_rows.session_detail(work.session, target)
    answered = sum(1 for a in s["answers"] if a["answer"] not in (None, "", []))
    families = ", ".join(family_words(c["family"]) for c in s["cases"])
    lines = [f"Session {s['id']}, {s['kind']}, held {s['held_on']}: supervisor {s['supervisor']}, "
             f"supervisee{'s' if len(s['supervisees']) > 1 else ''} "
             f"{', '.join(s['supervisees'])}.",
             f"{answered} of {len(s['answers'])} questions answered; "
             f"{len(s['cases'])} case discussion(s){': ' + families if families else ''}; "
             f"{len(s['actions'])} action(s) agreed."]
    lines += [f"Action: {a['text']} ({a['owner']}, by {a['due']})" for a in s["actions"]]
    return tuple(lines)


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
        summary = _summary(work, record_type, target_type, target)
        record_id = target.record_id if target_type == "amendment" else target.id
    with_passphrase = enrolled is not None and enrolled.protection == "passphrase"
    if typed and (own_key or holds_slot or with_passphrase):
        raise UsageError(f"{name} has a signing key and signs with it (their own "
                         f"passphrase):", Hint.of("typed_has_key"))
    if not typed and not own_key and not holds_slot and not with_passphrase:
        raise SuperviseError(f"{name} has no signing key:", Hint.of("no_signing_key",
                                                                     person=name))
    return Signing(what, name, role, digest, own_key, summary, record_id)


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
        raise WrongSignerPassphrase(f"Wrong signing passphrase for {signer}; nothing was "
                                    f"signed and the attempt is in the audit trail.") from None


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
