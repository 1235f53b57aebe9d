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

from supervise.domain.canonical import iso_utc
from supervise.errors import StoreFileError, SuperviseError, UsageError
from supervise.files import create_private_file, fsync_dir, temp_path_beside
from supervise.store import schema, sqlite
from supervise.store.health import Checkup, examine
from supervise.store.keyfile import KeyFile

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


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    from supervise.store.audit import append_event

    _refuse_target(target, store.paths.db)
    copy = temp_path_beside(target, "db")
    packing = temp_path_beside(target, "pack")
    try:
        conn = sqlite.connect(store.paths.db, store.db_key)
        try:
            sqlite.backup_to(conn, copy)
        finally:
            conn.close()
        checkup = Checkup([])
        examine(copy, [store.db_key], checkup, audit=False)
        if not checkup.healthy:
            raise StoreFileError("The copy did not pass its checks, so no backup was written: "
                                 "run `supervise doctor` on the store.")
        events, head = _chain_head(copy, store.db_key)
        keys = store.paths.keys.read_bytes()
        manifest = {
            "format": FORMAT, "version": VERSION, "store_id": store.store_id,
            "taken_at": iso_utc(now),
            "schema_version": schema.latest_version(),
            "audit_events": events, "audit_head": head,
            "entries": {DB_ENTRY: _sha256_file(copy),
                        KEYS_ENTRY: hashlib.sha256(keys).hexdigest()},
        }
        create_private_file(packing)
        with zipfile.ZipFile(packing, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(MANIFEST_ENTRY, json.dumps(manifest, indent=1, sort_keys=True))
            archive.write(copy, DB_ENTRY)
            archive.writestr(KEYS_ENTRY, keys)
        fsync_file(packing)
        os.link(packing, target)  # never replaces a file that appeared meanwhile
        fsync_dir(target.parent)
    finally:
        copy.unlink(missing_ok=True)
        packing.unlink(missing_ok=True)
    made = BackupMade(target, _sha256_file(target), target.stat().st_size, events)
    with store.session() as session:
        append_event(session, now=now, actor=store.actor, action="store.backup",
                     digest=made.sha256,
                     detail={"audit_events": events, "size": made.size})
    return made


def _chain_head(db: Path, key: bytes) -> tuple[int, str | None]:
    conn = sqlite.connect(db, key, prefer_wal=False)
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
    keyfile: KeyFile

    def discard(self) -> None:
        for path in (self.db, self.keys):
            for leftover in (path, path.with_name(path.name + "-wal"),
                             path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)


def unpack(source: Path, beside: Path) -> Unpacked:
    """The backup's entries as private files next to `beside`, each checked against the
    manifest; refused whole if anything is missing, extra or altered."""
    not_a_backup = (f"{source} is not a supervise backup (or it is damaged): give a file made "
                    "by `supervise backup --to FILE`.")
    if not source.is_file():
        raise UsageError(f"No backup file at {source}: check the path.")
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        raise StoreFileError(not_a_backup) from None
    db, keys = temp_path_beside(beside, "restore-db"), temp_path_beside(beside, "restore-keys")
    try:
        with archive:
            names = set(archive.namelist())
            if names != {MANIFEST_ENTRY, DB_ENTRY, KEYS_ENTRY}:
                raise StoreFileError(not_a_backup)
            manifest = json.loads(archive.read(MANIFEST_ENTRY))
            if manifest.get("format") != FORMAT:
                raise StoreFileError(not_a_backup)
            if manifest.get("version") != VERSION:
                raise StoreFileError(f"{source} is a backup format this supervise does not "
                                     "know: upgrade supervise to restore it.")
            for entry, path in ((DB_ENTRY, db), (KEYS_ENTRY, keys)):
                create_private_file(path)
                digest = hashlib.sha256()
                with archive.open(entry) as inside, path.open("wb") as outside:
                    while chunk := inside.read(CHUNK):
                        digest.update(chunk)
                        outside.write(chunk)
                if digest.hexdigest() != manifest["entries"][entry]:
                    raise StoreFileError(f"{source} is damaged ({entry} does not match its "
                                         "checksum): use another backup.")
        keyfile = KeyFile.from_bytes(keys.read_bytes())
    except zipfile.BadZipFile as exc:  # a CRC that fails while reading: damaged in storage
        db.unlink(missing_ok=True)
        keys.unlink(missing_ok=True)
        raise StoreFileError(f"{source} is damaged ({str(exc)[:60]}): use another "
                             "backup.") from None
    except (KeyError, ValueError, TypeError, OSError, EOFError):
        db.unlink(missing_ok=True)
        keys.unlink(missing_ok=True)
        raise StoreFileError(not_a_backup) from None
    except BaseException:
        db.unlink(missing_ok=True)
        keys.unlink(missing_ok=True)
        raise
    if keyfile.store_id != manifest.get("store_id"):
        Unpacked(manifest, db, keys, keyfile).discard()
        raise StoreFileError(not_a_backup)
    return Unpacked(manifest, db, keys, keyfile)
