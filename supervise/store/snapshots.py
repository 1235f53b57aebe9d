"""Stored copies of the template versions records were made with: a record shows the questions
it was answered against, whatever has happened to the template since."""

from datetime import datetime

from sqlmodel import Session

from supervise.domain.canonical import iso_utc
from supervise.domain.templates import Template, parse_template
from supervise.errors import StoreFileError
from supervise.store.models import TemplateSnapshot


def keep_snapshot(session: Session, template: Template, now: datetime) -> str:
    if session.get(TemplateSnapshot, template.digest) is None:
        session.add(TemplateSnapshot(
            digest=template.digest, template_id=template.id, version=template.version,
            kind=template.kind, title=template.title, text=template.text,
            stored_at=iso_utc(now)))
        session.flush()
    return template.digest


def snapshot(session: Session, digest: str) -> Template:
    row = session.get(TemplateSnapshot, digest)
    if row is None:
        raise StoreFileError(f"The template copy {digest[:12]} is missing from the store: "
                             f"run `supervise audit verify`.")
    template = parse_template(row.text, f"{row.template_id} version {row.version}")
    if template.digest != digest:
        raise StoreFileError(f"The template copy {digest[:12]} was altered in the store: run "
                             f"`supervise audit verify`.")
    return template
