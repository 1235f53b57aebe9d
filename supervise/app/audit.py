"""Tamper evidence: the hash-chained audit trail, checking a store (`audit verify`) and checking
an export folder, which needs no store at all."""

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `supervise verify` loads nothing of the store
    from supervise.domain.rows import EventRow
    from supervise.export.bundle_verify import BundleCheck
    from supervise.store.db.opening import Store
    from supervise.store.integrity.verify import Verification


def audit_log(store: "Store", *, record: tuple[str, int] | None = None,
              last: int | None = None) -> list["EventRow"]:
    """The trail oldest first (one record's events, or the newest `last`, if asked)."""
    from supervise.app.unit import unit_of_work
    from supervise.store.integrity.audit_chain import audit_events, event_row

    with unit_of_work(store) as work:
        return [event_row(e) for e in audit_events(work.session, record=record, last=last)]


def verify_store(store: "Store") -> "Verification":
    """The audit chain and every signed record's digest and signatures, recomputed."""
    from supervise.app.unit import unit_of_work
    from supervise.store.integrity.verify import verify_store as verify

    with unit_of_work(store) as work:
        return verify(work.session)


def verify_export(folder: Path) -> "BundleCheck":
    """An export folder checked on its own: every file's hash, the manifest's signature, each
    record's digest from its parts, and every signature."""
    from supervise.export.bundle_verify import verify_bundle

    return verify_bundle(folder)
