"""`restore FILE` (SPEC §6): a backup (backup.py) put in place of the store, checked first,
the store it replaces kept byte for byte in the store's backups folder."""

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from supervise.errors import Hint, StoreFileError, SuperviseError
from supervise.files import create_private_file, ensure_private_dir, fsync_path, temp_path_beside
from supervise.store.db import migrations as schema
from supervise.store.db.backend import backend
from supervise.store.db.backup import Unpacked, unpack
from supervise.store.db.engine import make_engine, translated_errors
from supervise.store.db.opening import StorePaths, open_slot, open_with_slot, pick_slot
from supervise.store.db.staging import begin_swap, finish_swap
from supervise.store.db.writing import Stamp
from supervise.store.integrity.audit_append import append_event
from supervise.store.integrity.doctor import ChecksFailed, Checkup, examine
from supervise.store.keys.key_file import KeyFile, WrongPassphrase, load_keyfile

OTHER_STORE = "That backup is of another store: nothing was replaced."


@dataclass(frozen=True)
class Restored:
    taken_at: str
    kept: Path | None


def restore_backup(db_path: Path, source: Path, *, passphrase: Callable[[], str],
                   user: str | None, now: datetime) -> Restored:
    """Put the backup `source` in place of the store at `db_path`, checked first; the store it
    replaces (if any) is kept in its backups folder."""

    paths = StorePaths(db_path)
    ensure_private_dir(paths.db.parent)
    finish_swap(paths)  # an earlier restore cut short is finished (and kept) before this one
    staged = unpack(source, paths.db)
    keyfile = staged.keyfile
    assert keyfile is not None  # unpack() reads the backup's key file or refuses the backup
    try:
        current = KeyFile.from_bytes(paths.keys.read_bytes()).store_id
    except (OSError, SuperviseError):
        current = None  # no key file, or a damaged one: the store is kept aside regardless
    if current is not None and current != keyfile.store_id:
        staged.discard()
        raise SuperviseError(OTHER_STORE, Hint.of("restore_to_new_store"))
    try:
        given = passphrase()
        opened = open_slot(paths, keyfile,
                           pick_slot(paths, keyfile, user, now), given, now)
        keyfile.verify(opened.db_key)
        checkup = Checkup([])
        examine(staged.db, [k for k in (opened.db_key, opened.next_key) if k], checkup)
        if not checkup.healthy:
            bad = [f for f in checkup.findings if not f.ok]
            raise ChecksFailed("The backup did not pass its checks, so nothing was replaced",
                               bad, Hint.of("another_or_newer_backup"))
        assert checkup.db_key is not None  # a healthy checkup opened the file under a key
        keys = [checkup.db_key, *_current_keys(paths, user, given)]
        restored_key = checkup.db_key

        def record(kept: Path, replaced: dict | None) -> None:
            """The restore's audit event, written into the restored copy before it is swapped
            in, so a restore is never without it, however it is cut short."""
            _record_restore(staged.db, restored_key, opened.user, now, {
                "taken_at": staged.manifest.get("taken_at"),
                "backup_events": staged.manifest.get("audit_events"),
                "kept": kept.name, "replaced": replaced})

        kept = _replace(paths, staged, keyfile.store_id, keys, now, record)
    finally:
        staged.discard()
    open_with_slot(paths, keyfile, opened, now).close()  # its unlock; a cut rotation put straight
    return Restored(staged.manifest.get("taken_at", ""), kept)


def _record_restore(db: Path, key: bytes, actor: str, now: datetime, detail: dict) -> None:
    from sqlmodel import Session

    engine = make_engine(db, key)
    try:
        with translated_errors(db), Session(engine) as session:
            append_event(Stamp(session, now, actor), action="store.restore", detail=detail)
            session.commit()
    finally:
        engine.dispose()
    backend.checkpoint_truncate(db, key)  # all in the file itself: no log is renamed with it


def _replaced_head(conn) -> dict | None:
    """How far the store being replaced had got (its newest audit event), which explains a key
    holder's record of what they last saw being ahead of the restored store (keys/anchor.py);
    None if it cannot be read (damaged: a restore over it explains any such record)."""
    try:
        row = conn.execute("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")\
            .fetchone()
    except Exception:  # noqa: BLE001 - a damaged store is kept as it is, not judged
        return None
    return {"events": row[0], "head": row[1]} if row else {"events": 0, "head": ""}


def _current_keys(paths, user: str | None, passphrase: str) -> list[bytes]:
    """The key the store being replaced answers to, if its own key file opens with the same
    passphrase (after a `key rotate` the backup's key no longer does)."""

    try:
        keyfile = load_keyfile(paths.keys)
        slots = [keyfile.slot_for(user)] if user else keyfile.slots[:1]
        opened = keyfile.open_slot(slots[0], passphrase) if slots and slots[0] else None
    except (SuperviseError, WrongPassphrase, OSError):
        return []
    return [k for k in (opened.db_key, opened.next_key) if k] if opened else []


def _replace(paths, staged: Unpacked, store_id: str, keys: list[bytes], now: datetime,
             record: Callable[[Path, dict | None], None]) -> Path | None:
    """Swap the staged files in, after copying the replaced store's files byte for byte (damage
    and all, for investigation) into its backups folder. A store that opens under one of `keys`
    is copied under sole access, so no other process is writing meanwhile; one that does not
    (damaged) is copied as it is. Until the final rename the old store stays in place, so a
    crash part way leaves it, or the restored one, never neither."""
    kept = schema.backup_path(paths.db, now, "before-restore")
    if not paths.db.exists():
        _keep(paths, kept)  # a key file left without its database is kept all the same
        record(kept, None)
        _swap_in(paths, staged)
        return kept if kept.with_name(kept.name + ".keys").exists() else None
    conn = None
    for key in keys:
        try:
            conn = backend.connect(paths.db, key)
            break
        except (backend.WrongKey, StoreFileError):
            continue
    if conn is not None:
        try:
            row = conn.execute("SELECT value FROM store_meta WHERE key = 'store_id'").fetchone()
        except Exception:  # noqa: BLE001 - a damaged store is kept as it is, not judged
            row = (store_id,)
        if row is None or row[0] != store_id:
            conn.close()
            raise SuperviseError(OTHER_STORE, Hint.of("restore_to_new_store"))
        try:
            with backend.sole_access(conn, paths.db):
                _keep(paths, kept)
                record(kept, _replaced_head(conn))
                _swap_in(paths, staged)
            return kept
        except StoreFileError:
            pass  # too damaged to lock cleanly: copied as it is
    _keep(paths, kept)
    record(kept, None)
    _swap_in(paths, staged)
    return kept


def _keep(paths, kept: Path) -> None:
    """Copies of the store's files (database, any write-ahead log, key file) under `kept`'s
    names, on disk before anything is replaced; none at all if there is no room. Each is
    copied under a hidden name and renamed, the database last, so a kept database is whole."""
    import shutil

    made: list[Path] = []
    try:
        for current, target in ((paths.keys, kept.with_name(kept.name + ".keys")),
                                *((paths.db.with_name(paths.db.name + s),
                                   kept.with_name(kept.name + s)) for s in ("-wal", "-shm")),
                                (paths.db, kept)):
            if not current.exists():
                continue
            copying = temp_path_beside(target, "keep")
            create_private_file(copying)
            made.append(copying)
            shutil.copyfile(current, copying)
            fsync_path(copying)
            os.replace(copying, target)
            made.append(target)
        fsync_path(kept.parent)
    except OSError as exc:
        for target in made:
            target.unlink(missing_ok=True)
        raise StoreFileError(f"Could not keep a copy of the store being replaced in "
                             f"{kept.parent} ({exc.strerror}): free some space there; nothing "
                             "was replaced.") from None


def _swap_in(paths, staged: Unpacked) -> None:
    """Write down the swap (the commit point: staging.py), then do it: the old store's log goes
    first (it must never be replayed onto the restored file; the kept copy has it), then the
    key file, then the database. A crash part way is finished by the next command."""
    begin_swap(paths, staged.db, staged.keys)
    staged.committed = True  # from here the staged files are the store: never discarded
    finish_swap(paths)
