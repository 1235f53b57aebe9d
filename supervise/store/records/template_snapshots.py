"""Stored copies of the template versions records were made with: a record shows the questions
it was answered against, whatever has happened to the template since."""

from datetime import datetime

from sqlmodel import Session

from supervise.domain.policy.templates import Template, parse_template
from supervise.domain.records.canonical import iso_utc, sha256_hex
from supervise.errors import Hint, StoreFileError
from supervise.store.db.tables import TemplateSnapshot


def keep_snapshot(session: Session, template: Template, now: datetime) -> str:
    if session.get(TemplateSnapshot, template.digest) is None:
        session.add(TemplateSnapshot(
            digest=template.digest, template_id=template.id, version=template.version,
            kind=template.kind, title=template.title, text=template.text,
            stored_at=iso_utc(now)))
        session.flush()
    return template.digest


_parsed: dict[str, Template] = {}


def snapshot(session: Session, digest: str) -> Template:
    """The template version stored under `digest`, checked against it on every read (an altered
    copy is refused); parsed once per process, as the same text always parses the same."""
    row = session.get(TemplateSnapshot, digest)
    if row is None:
        raise StoreFileError(f"The template copy {digest[:12]} is missing from the store:",
                             Hint.of("verify_audit"))
    if sha256_hex(row.text.encode("utf-8")) != digest:
        raise StoreFileError(f"The template copy {digest[:12]} was altered in the store:",
                             Hint.of("verify_audit"))
    if digest not in _parsed:
        _parsed[digest] = parse_template(row.text, f"{row.template_id} version {row.version}",
                                         stored=True)
    return _parsed[digest]
