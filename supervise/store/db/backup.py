"""`backup --to FILE` (SPEC §6), and reading a backup back for `restore` (restore.py).

A backup is one file, a ZIP holding three entries:

    manifest.json   format, store id, when, schema version, audit chain head, each entry's SHA-256
    store.db        a consistent copy of the database (VACUUM INTO: one read transaction, so
                    writers carry on), still encrypted under the store's own key
    store.keys      the key file as it was, so the same passphrases and recovery key open it

Nothing in it is plaintext but the manifest, which holds no names. Restore unpacks beside the
store, opens the copy with the backup's own key file, runs every doctor check on it, and only
then replaces the store; the replaced one is kept in the store's backups folder.
"""

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from supervise.domain.records.canonical import iso_utc
from supervise.errors import (
    DiskFullError,
    Hint,
    StoreFileError,
    SuperviseError,
    UsageError,
    disk_full,
)
from supervise.files import create_private_file, fsync_path, sha256_file, temp_path_beside
from supervise.store.db import migrations as schema
from supervise.store.db.backend import backend
from supervise.store.db.writing import Stamp
from supervise.store.integrity.audit_append import append_event
from supervise.store.integrity.doctor import Checkup, examine
from supervise.store.keys.key_file import KeyFile

FORMAT = "supervise-backup"
VERSION = 1
DB_ENTRY, KEYS_ENTRY, MANIFEST_ENTRY = "store.db", "store.keys", "manifest.json"
CHUNK = 1 << 20


@dataclass(frozen=True)
class BackupMade:
    path: Path
    sha256: str
    size: int
    events: int


def _refuse_target(target: Path, store_db: Path) -> None:
    if target.suffix.lower() in (".db", ".keys"):
        raise UsageError(f"{target.name}: name the backup FILE.supervise-backup (or any name "
                         "not ending .db or .keys), so it is never mistaken for a store.")
    if target.exists():
        raise SuperviseError(f"{target} already exists: choose a new file name (backups are "
                             "never overwritten).")
    if not target.parent.is_dir():
        raise UsageError(f"The folder {target.parent} does not exist: create it first.")
    if target.resolve().parent == store_db.resolve().parent:
        raise UsageError("Put the backup somewhere other than the store's own folder (another "
                         "disk or a removable drive): a backup beside the store dies with it.")


def write_backup(store, target: Path, now: datetime) -> BackupMade:
    """Copy the open `store` into the backup file `target` (refused if it exists)."""

    _refuse_target(target, store.paths.db)
    copy = temp_path_beside(target, "db")
    packing = temp_path_beside(target, "pack")
    try:
        conn = backend.connect(store.paths.db, store.db_key)
        try:
            backend.backup_to(conn, copy)
        finally:
            conn.close()
        checkup = Checkup([])
        examine(copy, [store.db_key], checkup, audit=False)
        if not checkup.healthy:
            raise StoreFileError("The copy did not pass its checks, so no backup was written:",
                                 Hint.of("run_doctor"))
        events, head = _chain_head(copy, store.db_key)
        keys = store.paths.keys.read_bytes()
        create_private_file(packing)
        with zipfile.ZipFile(packing, "w", compression=zipfile.ZIP_STORED) as archive:
            db_sha256 = _copy_hashed(copy, archive)
            archive.writestr(KEYS_ENTRY, keys)
            archive.writestr(MANIFEST_ENTRY, json.dumps({
                "format": FORMAT, "version": VERSION, "store_id": store.store_id,
                "taken_at": iso_utc(now), "schema_version": schema.latest_version(),
                "audit_events": events, "audit_head": head,
                "entries": {DB_ENTRY: db_sha256, KEYS_ENTRY: hashlib.sha256(keys).hexdigest()},
            }, indent=1, sort_keys=True))
        fsync_path(packing)
        os.link(packing, target)  # never replaces a file that appeared meanwhile
        fsync_path(target.parent)
    finally:
        copy.unlink(missing_ok=True)
        packing.unlink(missing_ok=True)
    made = BackupMade(target, sha256_file(target), target.stat().st_size, events)
    with store.session() as session:
        append_event(Stamp(session, now, store.actor), action="store.backup",
                     digest=made.sha256,
                     detail={"audit_events": events, "size": made.size})
    return made


def _copy_hashed(source: Path, archive: zipfile.ZipFile) -> str:
    """`source` into the archive as the database entry; its SHA-256, from the same read."""
    digest = hashlib.sha256()
    with source.open("rb") as inside, archive.open(DB_ENTRY, "w", force_zip64=True) as outside:
        while chunk := inside.read(CHUNK):
            digest.update(chunk)
            outside.write(chunk)
    return digest.hexdigest()


def _chain_head(db: Path, key: bytes) -> tuple[int, str | None]:
    conn = backend.connect(db, key, read_only=True)
    try:
        row = conn.execute("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")
        found = row.fetchone()
    finally:
        conn.close()
    return (found[0], found[1]) if found else (0, None)


@dataclass
class Unpacked:
    manifest: dict
    db: Path
    keys: Path
    keyfile: KeyFile | None
    committed: bool = False  # the swap is written down: these files are the store now

    def discard(self) -> None:
        if self.committed:
            return
        for path in (self.db, self.keys):
            for leftover in (path, path.with_name(path.name + "-wal"),
                             path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)


def unpack(source: Path, beside: Path) -> Unpacked:
    """The backup's entries as private files next to `beside`, each checked against the
    manifest; refused whole if anything is missing, extra or altered."""
    not_a_backup = f"{source} is not a supervise backup (or it is damaged):"
    if not source.is_file():
        raise UsageError(f"No backup file at {source}: check the path.")
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        raise StoreFileError(not_a_backup, Hint.of("give_backup_file")) from None
    staged = Unpacked({}, temp_path_beside(beside, "restore-db"),
                      temp_path_beside(beside, "restore-keys"), None)
    try:
        with archive:
            if set(archive.namelist()) != {MANIFEST_ENTRY, DB_ENTRY, KEYS_ENTRY}:
                raise StoreFileError(not_a_backup, Hint.of("give_backup_file"))
            staged.manifest = json.loads(archive.read(MANIFEST_ENTRY))
            if staged.manifest.get("format") != FORMAT:
                raise StoreFileError(not_a_backup, Hint.of("give_backup_file"))
            if staged.manifest.get("version") != VERSION:
                raise StoreFileError(f"{source} is a backup format",
                                     Hint.of("upgrade_to_restore"))
            for entry, path in ((DB_ENTRY, staged.db), (KEYS_ENTRY, staged.keys)):
                create_private_file(path)
                digest = hashlib.sha256()
                with archive.open(entry) as inside, path.open("wb") as outside:
                    while chunk := inside.read(CHUNK):
                        digest.update(chunk)
                        outside.write(chunk)
                if digest.hexdigest() != staged.manifest["entries"][entry]:
                    raise StoreFileError(f"{source} is damaged ({entry} does not match its "
                                         "checksum): use another backup.")
        staged.keyfile = KeyFile.from_bytes(staged.keys.read_bytes())
        if staged.keyfile.store_id != staged.manifest.get("store_id"):
            raise StoreFileError(not_a_backup, Hint.of("give_backup_file"))
    except BaseException as exc:
        staged.discard()
        if isinstance(exc, zipfile.BadZipFile):  # a CRC that fails while reading: damaged
            raise StoreFileError(f"{source} is damaged ({str(exc)[:60]}): use another "
                                 "backup.") from None
        if disk_full(exc):  # no room to unpack it beside the store: the backup is fine
            raise DiskFullError() from None
        if isinstance(exc, (KeyError, ValueError, TypeError, OSError, EOFError)):
            raise StoreFileError(not_a_backup, Hint.of("give_backup_file")) from None
        raise
    return staged
