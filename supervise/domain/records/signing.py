"""Signing rules (SPEC §2, §6): what a record's content is, what a signature states, who must
sign. Pure: the keys and the store live in store/signing_keys.py and store/signatures.py."""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from supervise.domain.records.canonical import canonical_json, record_digest
from supervise.domain.rows import SigningSummary
from supervise.errors import Hint, UsageError

ROLES = ("supervisor", "supervisee", "manager")
STATEMENT_VERSION = 1


@dataclass(frozen=True)
class Content:
    """A record as it is signed: a header and its parts (answers, case discussions, actions)."""

    header: dict[str, Any]
    parts: list[Any]
    # the store's secret, for version 3 sentences' salts (never printed with the record)
    salt_key: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def digest(self) -> str:
        return record_digest(self.header, self.parts, self.salt_key)

    def canonical(self) -> bytes:
        """The bytes a signature stands on, with every part in full."""
        return canonical_json({"header": self.header, "parts": self.parts})


@dataclass(frozen=True)
class Party:
    person_id: int
    role: str


def fingerprint(public_raw: bytes) -> str:
    """SHA-256 of the raw public key, in hex: what `openssl` and a reader can recompute."""
    return hashlib.sha256(public_raw).hexdigest()


def short_fingerprint(full: str) -> str:
    return " ".join(full[i:i + 4] for i in range(0, 16, 4))


def statement(*, record_type: str, record_id: int, digest: str, signer_id: int,
              signer_name: str, role: str, method: str, signed_at: str, comment: str | None,
              witness_id: int | None, witness_name: str | None, key: str) -> dict[str, Any]:
    """What a signature signs: the record's digest and who signed it, how, when, and their
    comment, so that none of these can be changed without breaking the signature. `key` is the
    signing key's fingerprint (the witness's, for a typed name)."""
    return {
        "v": STATEMENT_VERSION,
        "record": {"type": record_type, "id": record_id, "digest": digest},
        "signer": {"id": signer_id, "name": signer_name}, "role": role, "method": method,
        "signed_at": signed_at, "comment": comment,
        "witness": {"id": witness_id, "name": witness_name} if witness_id else None,
        "key": key,
    }


SIGNER_FIELDS = ("signer_id", "signer_name", "role", "method", "signed_at", "comment",
                 "witness_id", "witness_name")


def statement_bytes(record_type: str, record_id: int, digest: str, key: str,
                    signer: Any) -> bytes:
    """The exact bytes a signature signs. `signer` holds the SIGNER_FIELDS, as attributes (a
    stored signature) or keys (a manifest's entry): the store and `verify` build the same."""
    get = signer.__getitem__ if isinstance(signer, dict) else lambda name: getattr(signer, name)
    return canonical_json(statement(record_type=record_type, record_id=record_id,
                                    digest=digest, key=key,
                                    **{name: get(name) for name in SIGNER_FIELDS}))


def role_for(person_id: int, name: str, parties: list[Party], requested: str | None,
             what: str) -> str:
    """The role someone signs in: their part in the record, or `manager` when asked for."""
    theirs = [p.role for p in parties if p.person_id == person_id]
    if requested is not None and requested not in ROLES:
        raise UsageError("", Hint.of("give_a_role", role=requested, roles=", ".join(ROLES)))
    if requested == "manager" or (requested is None and not theirs):
        if requested is None:
            raise UsageError(f"{name} is not a party to {what}:",
                             Hint.of("countersign_as_manager"))
        return "manager"
    if requested is not None and requested not in theirs:
        raise UsageError(f"{name} is not the {requested} of {what}"
                         + (f" (they are its {theirs[0]})." if theirs else "."))
    return requested or theirs[0]


def signing_complete(record_type: str, parties: list[Party],
                     signed: set[tuple[int, str]]) -> bool:
    """A decision record is signed by its supervisor or a manager; every other record when
    each of its parties has signed."""
    if record_type == "decision":
        return any(role in ("supervisor", "manager") for _, role in signed)
    return all((p.person_id, p.role) in signed for p in parties)


def outstanding(record_type: str, parties: list[Party],
                signed: set[tuple[int, str]]) -> list[Party]:
    if signing_complete(record_type, parties, signed):
        return []
    return [p for p in parties if (p.person_id, p.role) not in signed]


def method_words(method: str, witness_name: str | None) -> str:
    """How a signature was made, as every view and printout says it."""
    return "personal key" if method == "key" else f"typed name, witnessed by {witness_name}"


def signing_word(summary: SigningSummary, unsigned: str = "completed") -> str:
    """A completed record's state: `signed`, `partly signed`, or `unsigned` with no signature
    yet (a session is still `completed`; an export says `not signed`)."""
    if summary["signed"]:
        return "signed"
    return "partly signed" if summary["signatures"] else unsigned
