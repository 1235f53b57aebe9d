"""Signing many records in one transaction (bulk.py's records, and any other), in plain SQL on
the transaction's own connection: the same checks, rows, statements and audit events as
signatures.sign_digest, without an ORM object per row."""

import json
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from supervise import keycrypto
from supervise.domain.records.audit import event_hash
from supervise.domain.records.canonical import (
    CANONICAL_VERSION,
    canonical_json,
    digest,
    iso_utc,
    plain,
    salt_of,
    salted_digest,
    sealed,
)
from supervise.errors import Hint, SuperviseError, UsageError, VerificationError
from supervise.keycrypto import b64
from supervise.store.db.reading import Reader, reader_of
from supervise.store.db.writing import Stamp, Writing
from supervise.store.integrity.audit_append import append_event
from supervise.store.records.numbered import label
from supervise.store.records.signatures import Signer, statement_of

# The record types whose rows keep their own digest (a decision's is computed when signed).
DIGEST_COLUMN = {"session": "session_record", "contract": "contract"}

SIGNATURE_COLUMNS = ("record_type", "record_id", "digest", "signer_id", "signer_name", "role",
                     "method", "comment", "witness_id", "witness_name", "key_id", "public_key",
                     "signed_at", "signature")
INSERT_SIGNATURE = (f"INSERT INTO signature ({', '.join(SIGNATURE_COLUMNS)}) "
                    f"VALUES ({', '.join(':' + c for c in SIGNATURE_COLUMNS)})")


def sql_date(day: date | None) -> str | None:
    """A date as the store keeps it (what the ORM's Date column writes)."""
    return day.isoformat() if day is not None else None


def day_of(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


class Chain:
    """The audit events of one bulk write, each as audit_append.append_event writes it (the
    same fields and hash): the first through append_event itself, the rest linked to it in
    memory rather than by reading the chain's end again before each. Made afresh for each
    write, as anything else in the transaction may append between two writes."""

    def __init__(self, work: Writing) -> None:
        self.work = work
        self.reader: Reader | None = None
        self.seq, self.hash = 0, ""

    def append(self, *, action: str, record_type: str, record_id: str,
               digest: str | None = None, detail: dict[str, Any] | None = None,
               now: datetime | None = None) -> None:
        work = self.work
        if self.reader is None:
            append_event(work if now is None else stamp(work, now), action=action,
                         record_type=record_type, record_id=record_id, digest=digest,
                         detail=detail)
            self.reader = reader_of(work.session)
            last = self.reader.one("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")
            assert last is not None
            self.seq, self.hash = int(last[0]), str(last[1])
            return
        fields: dict[str, Any] = {
            "seq": self.seq + 1, "at": iso_utc(now or work.now), "actor": work.actor,
            "action": action, "record_type": record_type, "record_id": record_id,
            "digest": digest, "detail": canonical_json(detail or {}).decode("utf-8"),
            "prev_hash": self.hash}
        fields["hash"] = event_hash(fields)
        self.reader.execute(INSERT_EVENT, fields)
        self.seq, self.hash = fields["seq"], fields["hash"]


EVENT_COLUMNS = ("seq", "at", "actor", "action", "record_type", "record_id", "digest", "detail",
                 "prev_hash", "hash")
INSERT_EVENT = (f"INSERT INTO audit_event ({', '.join(EVENT_COLUMNS)}) "
                f"VALUES ({', '.join(':' + c for c in EVENT_COLUMNS)})")


class Digests:
    """Record digests as domain/records/canonical.record_digest makes them for a record of the
    newest version, with each sentence's salted digest remembered: records written in bulk
    repeat their sentences (a contract's standing terms, an agenda), and salting each one
    anew is most of the cost of a digest."""

    def __init__(self, key: bytes | None, size: int = 1 << 16) -> None:
        if key is None:
            raise ValueError("a version 3 record's sentences need the store's secret")
        self.piece = lru_cache(maxsize=size)(
            lambda sentence: salted_digest(sentence, salt_of(key, sentence)))
        self.size = size
        self._known: dict[str, str] = {}  # a part's JSON text -> its digest

    def _part(self, part: Any) -> str:
        return digest(sealed(plain(part), piece=self.piece))

    def part(self, part: Any) -> str:
        """A part's digest; a part of plain JSON (an answer) remembered by its JSON text."""
        try:
            text = json.dumps(part, sort_keys=True, ensure_ascii=False)
        except TypeError:  # a date in it: not remembered
            return self._part(part)
        return self._parts_by_text(text, part)

    def _parts_by_text(self, text: str, part: Any) -> str:
        known = self._known.get(text)
        if known is None:
            if len(self._known) >= self.size:
                self._known.clear()
            known = self._known[text] = self._part(part)
        return known

    def record(self, header: dict[str, Any], parts: list[Any]) -> str:
        header = {**header, "canonical": CANONICAL_VERSION}
        return digest({"header": header, "parts": [self.part(p) for p in parts]})


class Signing:
    """Signs records as signatures.sign_digest does. One per transaction or per build: it
    remembers which private keys it has seen match their stored public key."""

    def __init__(self) -> None:
        self._matched: set[tuple[bytes, str]] = set()
        self._signers: dict[bytes, Callable[[bytes], bytes]] = {}  # each key loaded once

    def sign(self, work: Writing, record_type: str, record_id: int, signers: list[Signer], *,
             digest: str | None = None, draft_of: int | None = None,
             chain: Chain | None = None) -> list[int]:
        """`signers` sign the record, at `work.now`; returns the signatures' ids. `digest`:
        what they sign (None: the digest the record keeps, for a session or a contract).
        `draft_of`: the session a decision was made in, for the draft check. `chain`: the
        audit events of the write that has just made the record, completed, with `digest`
        (so it is no draft and has no signatures yet)."""
        reader = reader_of(work.session)
        what = label(record_type, record_id)
        earlier: list[tuple] = []
        if chain is None:
            session_id = record_id if record_type == "session" else draft_of
            if session_id is not None and reader.value(
                    "SELECT status FROM session_record WHERE id = :id",
                    {"id": session_id}) == "draft":
                raise UsageError(f"Session {session_id} is a draft:",
                                 Hint.of("finish_draft_before_signing", session=session_id))
            earlier = reader.rows("SELECT signer_id, role, digest, signed_at FROM signature "
                                  "WHERE record_type = :t AND record_id = :id ORDER BY id",
                                  {"t": record_type, "id": record_id})
        for number, one in enumerate(signers):
            for signer_id, role, _, signed_at in earlier:
                if signer_id == one.person.id and role == one.role:
                    raise SuperviseError(f"{one.person.name} already signed {what} as {role} "
                                         f"on {signed_at[:10]}; nothing was changed.")
            if any(other.person.id == one.person.id and other.role == one.role
                   for other in signers[:number]):
                raise SuperviseError(f"{one.person.name} is named twice to sign {what} as "
                                     f"{one.role}; nothing was changed.")
        if digest is None:
            digest = reader.value(f"SELECT digest FROM {DIGEST_COLUMN[record_type]} "
                                  "WHERE id = :id", {"id": record_id})
        if not digest or (earlier and earlier[0][2] != digest):
            raise VerificationError(f"{what.capitalize()} no longer matches what was signed:",
                                    Hint.of("verify_audit_do_not_sign"))
        chain = chain or Chain(work)
        return [self._one(work, reader, chain, record_type, record_id, digest, one)
                for one in signers]

    def _one(self, work: Writing, reader: Reader, chain: Chain, record_type: str,
             record_id: int, digest: str, one: Signer) -> int:
        signer, material = one.person, one.material
        row = SimpleNamespace(
            record_type=record_type, record_id=record_id, digest=digest, signer_id=signer.id,
            signer_name=signer.name, role=one.role, method=material.method,
            comment=one.comment or None,
            witness_id=material.witness.id if material.witness else None,
            witness_name=material.witness.name if material.witness else None,
            key_id=material.key.id, public_key=material.key.public_key,
            signed_at=iso_utc(work.now), signature="")
        checked = (material.private, material.key.public_key)
        if checked not in self._matched:
            if keycrypto.ed25519_public_of(material.private) != \
                    keycrypto.unb64(material.key.public_key):
                raise VerificationError("That signing key does not match its stored public key:",
                                        Hint.of("verify_audit"))
            self._matched.add(checked)
        if material.private not in self._signers:
            self._signers[material.private] = keycrypto.ed25519_signer(material.private)
        row.signature = b64(self._signers[material.private](
            statement_of(row, material.key.fingerprint)))  # type: ignore[arg-type]
        signature_id = reader.conn.execute(INSERT_SIGNATURE, vars(row)).lastrowid
        chain.append(action=f"{record_type}.sign", record_type=record_type,
                     record_id=str(record_id), digest=digest, now=work.now,
                     detail={"signature": signature_id, "signer": signer.id, "role": one.role,
                             "method": material.method})
        return int(signature_id)


def stamp(work: Writing, now: datetime) -> Stamp:
    return Stamp(work.session, now, work.actor)
