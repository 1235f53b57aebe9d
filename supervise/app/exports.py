"""Records leaving the store as DOCX: a signed bundle for a review or a person's own copy
(read in one transaction, confirmed by the user, then written and put in the audit trail), and
one record on its own."""

import shutil
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from supervise.app.unit import unit_of_work
from supervise.domain.bundles.bundle_index import index_document
from supervise.domain.bundles.chronology import gaps
from supervise.domain.document import Document, RecordFile
from supervise.errors import Hint, SuperviseError
from supervise.export.bundle import check_folder, write_bundle, write_single
from supervise.keycrypto import ed25519_sign, unb64
from supervise.store.db.opening import Store
from supervise.store.db.writing import Stamp
from supervise.store.queries.export_records import (
    exporter,
    file_name,
    manifest_head,
    printout,
    record_export,
    record_files,
    record_single_export,
)
from supervise.store.queries.export_scope import Scope, resolve
from supervise.store.records.content import draft_session_of
from supervise.store.records.numbered import find_record
from supervise.store.records.people import find_person


class Progress(Protocol):
    """A progress reporter: `with progress(total, what) as step:` then `step()` per item."""

    def __call__(self, total: int, what: str) -> AbstractContextManager[Callable[[], None]]: ...


@dataclass(frozen=True)
class Bundle:
    """An export read and laid out, not written yet: what the user is warned of first
    (`warnings`: a child outside it named where that cannot be left out), and what it holds."""

    description: str
    files: list[RecordFile]
    index: Document
    manifest: dict[str, Any]
    warnings: list[str]
    gaps: int
    drafts: int
    moment: datetime
    scope: Scope  # its facts only (kind, filters), without the rows it was chosen from
    who: dict[str, Any]
    private: bytes

    @property
    def amendments(self) -> int:
        return sum(len(f.entries) - 1 for f in self.files)

    @property
    def omitted(self) -> int:
        return sum(1 for f in self.files for e in f.entries for p in e["parts"]
                   if not p["included"])


def read_bundle(store: Store, out_dir: Path, filters: dict[str, Any],
                progress: Progress) -> Bundle:
    """The records an export holds, laid out with their manifest entries, index and
    chronology; refused before any work when it cannot be signed or written to `out_dir`."""
    if store.opened is None:
        raise SuperviseError("An export is signed by the person who makes it: unlock the "
                             "store with your own passphrase, not the recovery key.")
    check_folder(out_dir)
    with unit_of_work(store) as work:
        scope = resolve(work.session, **filters)
        if not scope.records:
            raise SuperviseError(f"No completed records about {scope.description} in that "
                                 f"period; nothing was exported.", Hint.of("widen_export"))
        me = find_person(work.session, work.actor)
        who, private = exporter(work, me, store.opened.private_key)
        with progress(len(scope.records), "Reading records") as step:
            files, warnings = record_files(work.session, scope, author=me.name, now=work.now,
                                           progress=step)
        manifest = manifest_head(work.session, scope, files, who=who, now=work.now,
                                 store_id=store.store_id)
        found = gaps(scope.events, start=scope.start, end=scope.end or work.now.date(),
                     due_after=scope.due_after, before=scope.before)
        index = index_document(manifest, files, scope.events, found, created=work.now)
        return Bundle(description=scope.description, files=files, index=index,
                      manifest=manifest, warnings=warnings, gaps=len(found),
                      drafts=scope.drafts, moment=work.now,
                      scope=replace(scope, records=[], contracts=[], pinned=[]), who=who,
                      private=private)


def write_export(store: Store, bundle: Bundle, out_dir: Path, progress: Progress) -> str:
    """The bundle written to `out_dir` and signed, and the export put in the audit trail;
    returns the manifest's SHA-256."""
    existed = out_dir.is_dir()
    with progress(len(bundle.files) + 1, "Writing the export") as step:
        written = write_bundle(out_dir, bundle.files, bundle.index, bundle.manifest,
                               sign=lambda data: ed25519_sign(bundle.private, data),
                               exporter_public=unb64(bundle.who["public_key"]), progress=step)
    try:
        with unit_of_work(store) as work:
            # dated as the manifest is: the moment the export was made
            record_export(Stamp(work.session, bundle.moment, work.actor), bundle.scope,
                          manifest_sha256=written.manifest_sha256,
                          files=len(written.files), records=len(bundle.files))
    except BaseException:  # (a full disk) no export is left that the audit trail does not hold
        shutil.rmtree(out_dir, ignore_errors=True)
        if existed:
            out_dir.mkdir(mode=0o700, exist_ok=True)
        raise
    return written.manifest_sha256


@dataclass(frozen=True)
class Single:
    reference: str
    target: Path
    digest: str


def export_record(store: Store, record_type: str, given: str, out_file: Path | None, *,
                  force: bool) -> Single:
    """One record, whole, as DOCX at `out_file` (default: its date, type and number here).
    If its audit event cannot be committed (a full disk), the file written is removed."""
    written: Path | None = None
    try:
        with unit_of_work(store) as work:
            record = find_record(work.session, record_type, given)
            draft = draft_session_of(work.session, record_type, record)
            if draft is not None:
                raise SuperviseError(f"Session {draft.id} is a draft:",
                                     Hint.of("finish_before_export", session=draft.id))
            me = find_person(work.session, work.actor)
            document = printout(work.session, record_type, record, author=me.name,
                                now=work.now).doc
            target = out_file or Path(file_name(work.session, record_type, record))
            if target.suffix.lower() != ".docx":
                raise SuperviseError(f"{target} does not end in .docx:", Hint.of("out_docx"))
            sha256 = write_single(target, document, force=force)
            written = target
            record_single_export(work, record_type, record, sha256=sha256,
                                 digest=document.digest)
    except BaseException:
        if written is not None:
            written.unlink(missing_ok=True)
        raise
    return Single(document.reference, target, document.digest)
