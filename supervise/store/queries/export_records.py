"""Exports from the store (SPEC §7): each record's printout and manifest entry under a `Cut`, the
manifest's own facts (who, when, which filters, the audit chain head, the keys), and the audit
event that records every export with what it wrote."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from supervise import __version__
from supervise.domain.document import Document, RecordFile
from supervise.domain.printouts.layout import lay_out
from supervise.domain.records.canonical import iso_utc
from supervise.domain.records.signing import fingerprint
from supervise.domain.rows import SigningSummary
from supervise.keycrypto import unb64
from supervise.store.db.tables import Amendment, Person, StoreMeta
from supervise.store.db.writing import Writing
from supervise.store.integrity.audit_append import append_event
from supervise.store.integrity.audit_chain import audit_events
from supervise.store.keys.anchor import store_state
from supervise.store.keys.signing_keys import custodian_key
from supervise.store.queries.export_reads import Prefetched, prefetch
from supervise.store.queries.export_scope import Scope
from supervise.store.queries.extract_cuts import (
    EVERYTHING,
    Choice,
    Cut,
    manifest_entry,
)
from supervise.store.queries.printouts import printout_facts
from supervise.store.records.content import session_of_decision


def organisation(session: Session) -> str:
    row = session.get(StoreMeta, "organisation")
    return row.value if row else ""


def record_date(session: Session, record_type: str, record: Any) -> date:
    if record_type == "contract":
        return record.start_on
    if record_type == "decision":
        return session_of_decision(session, record).held_on
    return record.held_on


def file_name(session: Session, record_type: str, record: Any) -> str:
    """From the record's date, type and number only: never a name anyone typed."""
    return f"{record_date(session, record_type, record).isoformat()}-{record_type}-" \
           f"{record.id}.docx"


@dataclass
class Printout:
    """A record laid out as an export shows it (`doc`), with the choice of parts behind it,
    its signing summary and its amendments with theirs."""

    doc: Document
    choice: Choice
    summary: SigningSummary
    amended: list[tuple[Amendment, Choice]]


def printout(session: Session, record_type: str, record: Any, *, cut: Cut = EVERYTHING,
             author: str, now: datetime, organisation_name: str | None = None,
             pre: Prefetched | None = None) -> Printout:
    """The record's facts read (`printout_facts`), then laid out by domain/printouts."""
    got = printout_facts(session, record_type, record, cut, today=now.date(), pre=pre)
    doc = lay_out(got.facts, organisation=organisation_name or organisation(session),
                  author=author, now=now)
    return Printout(doc, got.choice, got.facts.summary, got.amended)


def record_file(session: Session, record_type: str, record: Any, cut: Cut, *, author: str,
                now: datetime, organisation_name: str,
                pre: Prefetched | None = None) -> tuple[RecordFile, list[str]]:
    """One record in a bundle, its amendments' manifest entries, and any warning about it."""
    page = printout(session, record_type, record, cut=cut, author=author, now=now,
                    organisation_name=organisation_name, pre=pre)
    name = file_name(session, record_type, record)
    entries = [manifest_entry(session, record_type, record, page.choice, name, page.summary,
                              pre)]
    for amendment, choice in page.amended:
        entries.append(manifest_entry(session, "amendment", amendment, choice, name, pre=pre))
    warnings = page.choice.warnings + [w for _, c in page.amended for w in c.warnings]
    return RecordFile(name, page.doc, entries), warnings


def record_files(session: Session, scope: Scope, *, author: str, now: datetime,
                 progress: Callable[[], None] = lambda: None
                 ) -> tuple[list[RecordFile], list[str]]:
    files, warnings = [], []
    name = organisation(session)
    pre = prefetch(session, scope.records)
    for record_type, record in scope.records:
        made, said = record_file(session, record_type, record, scope.cut, author=author,
                                 now=now, organisation_name=name, pre=pre)
        files.append(made)
        warnings += said
        progress()
    return files, warnings


def store_counts(session: Session) -> dict[str, Any]:
    """The highest signature and record numbers when the bundle left: with the chain head, what
    a later store can be held against (a store that has fewer was cut back)."""
    seen = store_state(session)
    return {"signatures": seen.signatures, "records": seen.records}


def chain_head(session: Session) -> dict[str, Any]:
    newest = audit_events(session, last=1)
    return {"seq": newest[0].seq, "hash": newest[0].hash} if newest else {"seq": 0, "hash": ""}


def exporter(work: Writing, person: Person, slot_private: bytes) -> tuple[dict[str, Any], bytes]:
    """Who exports, as the manifest names them, and their private signing key (their key
    slot's, opened by the store passphrase they gave)."""
    key, private = custodian_key(work, person, slot_private)
    public = unb64(key.public_key)
    full = fingerprint(public)
    return ({"id": person.id, "name": person.name, "public_key": key.public_key,
             "fingerprint": full, "key_file": f"keys/{full[:16]}.pem"}, private)


def manifest_head(session: Session, scope: Scope, files: list[RecordFile], *,
                  who: dict[str, Any], now: datetime, store_id: str) -> dict[str, Any]:
    """The manifest's own facts; the bundle writer adds the records and files."""
    people: set[int] = set()
    for made in files:
        for entry in made.entries:
            header = entry["header"]
            people.update(i for i in (header.get("supervisor"), header.get("supervisee"),
                                      header.get("author")) if isinstance(i, int))
            people.update(header.get("supervisees") or [])
    names = {str(p.id): p.name for p in session.exec(select(Person).where(
        col(Person.id).in_(sorted(people))))}
    return {
        "software": f"supervise {__version__}", "organisation": organisation(session),
        "store_id": store_id, "exported_at": iso_utc(now), "exported_by": who,
        "scope": {"kind": scope.kind, "description": scope.description,
                  "filters": scope.filters, "drafts_left_out": scope.drafts,
                  "personal_support": "included" if scope.cut.support else "omitted",
                  "gaps": scope.gap_rule},
        "audit_chain_head": chain_head(session), "store_counts": store_counts(session),
        "people": names,
    }


def record_export(work: Writing, scope: Scope, *, manifest_sha256: str, files: int,
                  records: int) -> None:
    append_event(work, action=f"export.{scope.kind}",
                 digest=manifest_sha256,
                 detail={"filters": scope.filters, "records": records, "files": files})


def record_single_export(work: Writing, record_type: str, record: Any, *, sha256: str,
                         digest: str) -> None:
    append_event(work, action=f"{record_type}.export",
                 record_type=record_type, record_id=str(record.id), digest=digest,
                 detail={"file_sha256": sha256})

