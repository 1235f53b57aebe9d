"""Tamper evidence: the hash-chained audit trail, checking a store (`audit verify`) and checking
an export folder, which needs no store at all."""

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `supervise verify` loads nothing of the store
    from supervise.domain.rows import EventRow
    from supervise.export.bundle_verify import BundleCheck
    from supervise.store.db.opening import Store
    from supervise.store.integrity.doctor import Checkup
    from supervise.store.integrity.verify import Verification

# what the long checks report as they go: (what, how many done, of how many); what is
# "pages" (the file's pages, no count), "events" (the audit trail) or "records" (signed)
Progress = Callable[[str, int, int], None]


def audit_log(store: "Store", *, record: tuple[str, int] | None = None,
              last: int | None = None) -> list["EventRow"]:
    """The trail oldest first (one record's events, or the newest `last`, if asked)."""
    from supervise.app.unit import unit_of_work
    from supervise.store.integrity.audit_chain import audit_events, event_row

    with unit_of_work(store) as work:
        return [event_row(e) for e in audit_events(work.session, record=record, last=last)]


def verify_store(store: "Store", progress: Progress | None = None) -> "Verification":
    """Every page of the file, the database's guards, the audit chain, every signed record's
    digest and signatures, the record numbers, all recomputed, and the store held against what
    the unlocking key holder last saw of it. `progress` hears how far each check has got."""
    from supervise.app.unit import unit_of_work
    from supervise.errors import SuperviseError
    from supervise.store.integrity.verify import Verification, file_problems
    from supervise.store.integrity.verify import verify_store as verify

    if progress:
        progress("pages", 0, 0)
    damaged = file_problems(store.paths.db, store.db_key)
    try:
        with unit_of_work(store) as work:
            result = verify(work.session, keyfile=store.keyfile, opened=store.opened,
                            db=store.paths.db, progress=progress)
    except SuperviseError:
        if not damaged:
            raise
        return Verification(problems=damaged)  # too damaged to read on: the pages say why
    result.problems[:0] = damaged
    return result


def doctor(path: Path, *, passphrase: Callable[[], str], user: str | None,
           progress: Progress | None = None) -> "Checkup":
    """Every check on the store at `path` (store/integrity/doctor.py), reporting to `progress`
    as the long ones go."""
    from supervise.clock import now
    from supervise.store.integrity.doctor import doctor as run_doctor

    return run_doctor(path, passphrase=passphrase, user=user, now=now(), progress=progress)


def verify_export(folder: Path, confirmed: str | None = None) -> "BundleCheck":
    """An export folder checked on its own: every file's hash, the manifest's signature, each
    record's digest from its parts, and every signature; `confirmed`, the exporter's key
    fingerprint as the organisation gave it."""
    from supervise.export.bundle_verify import verify_bundle

    return verify_bundle(folder, confirmed)
