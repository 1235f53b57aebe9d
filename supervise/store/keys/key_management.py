"""Key management on an unlocked store: passphrases, users' slots, rotation and recovery.

The database and the key file change together; each step is ordered so that a crash leaves a
store that its old or its new keys open.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from supervise.errors import Hint, SuperviseError, UnlockError, UsageError, disk_full
from supervise.files import atomic_write, fsync_path, temp_path_beside
from supervise.store.db.backend import backend
from supervise.store.db.opening import Store
from supervise.store.db.writing import Stamp
from supervise.store.integrity.audit_append import append_event
from supervise.store.keys import unlocked
from supervise.store.keys.key_file import KdfParams, KeyFile, load_keyfile
from supervise.store.keys.signing_keys import custodian_key
from supervise.store.records.people import find_person, list_people


class _KeyFileBack:
    """The key file is written inside the transaction that audits the change, so a key file
    that cannot be written rolls the change back; this covers the other way round: a commit
    that fails after it (a full disk) puts the key file back as it was. `kept(session)` takes
    the write lock first (key files change only under it), then keeps the old file by a second
    name (a hard link: no room needed), which a rename puts back and needs none either; where
    the disk has no hard links (FAT), its bytes are kept and written back."""

    def __init__(self, store: Store) -> None:
        self.keys = store.paths.keys
        self.link = temp_path_beside(self.keys, "keys-before")
        self.state = "not kept"
        self.before: bytes | None = None

    def kept(self, session: Any) -> None:
        session.connection()  # BEGIN IMMEDIATE: the write lock
        try:
            os.link(self.keys, self.link)
            self.state = "linked"
        except FileNotFoundError:  # recovering a lost key file: none to put back, none to leave
            self.state = "none"
        except OSError:
            self.before, self.state = self.keys.read_bytes(), "bytes"

    def __enter__(self) -> "_KeyFileBack":
        return self

    def __exit__(self, kind: Any, *_: Any) -> None:
        try:
            if kind is None:
                return
            if self.state == "linked" and not os.path.samefile(self.keys, self.link):
                os.replace(self.link, self.keys)
            elif self.state == "bytes" and self.before is not None \
                    and self.keys.read_bytes() != self.before:
                atomic_write(self.keys, self.before)
            elif self.state == "none":
                self.keys.unlink(missing_ok=True)
            if self.state != "not kept":
                fsync_path(self.keys.parent)
        finally:
            self.link.unlink(missing_ok=True)


def _keyfile(store: Store) -> KeyFile:
    if store.keyfile is None:
        raise SuperviseError("Unlock with a passphrase, not the recovery key, for this command.")
    return store.keyfile


def change_passphrase(store: Store, new_passphrase: str, now: datetime) -> None:
    keyfile = _keyfile(store)
    assert store.opened is not None
    with _KeyFileBack(store) as back, store.session() as session:
        back.kept(session)
        keyfile.change_passphrase(store.opened, new_passphrase)
        append_event(Stamp(session, now, store.actor), action="key.passwd")
        keyfile.save(store.paths.keys, store.db_key)


def add_user(store: Store, name: str, passphrase: str, now: datetime) -> str:
    keyfile = _keyfile(store)
    with _KeyFileBack(store) as back, store.session() as session:
        back.kept(session)
        person = find_person(session, name)
        if person.left_date:
            raise SuperviseError(f"{person.name} has left: they cannot be given a key.")
        if keyfile.slot_for(person.name) is not None:
            raise SuperviseError(f"{person.name} already holds a key:",
                                 Hint.of("change_own_passphrase"))
        opened = keyfile.add_slot(person.name, passphrase, store.db_key)
        custodian_key(Stamp(session, now, store.actor), person, opened.private_key)
        _save_holder_change(session, store, keyfile, person, holds_key=True, now=now)
        return person.name


def remove_user(store: Store, name: str, now: datetime) -> str:
    keyfile = _keyfile(store)
    with _KeyFileBack(store) as back, store.session() as session:
        back.kept(session)
        person = find_person(session, name)
        if keyfile.slot_for(person.name) is None:
            raise SuperviseError(f"{person.name} holds no key to this store.")
        if len(keyfile.slots) == 1:
            raise SuperviseError(
                f"{person.name} holds the only key:", Hint.of("add_user_before_removing")
            )
        keyfile.remove_slot(person.name)
        _save_holder_change(session, store, keyfile, person, holds_key=False, now=now)
        unlocked.end(store.paths.db)  # whoever unlocked it, their key may be the one removed
        return person.name


def _save_holder_change(session, store: Store, keyfile: KeyFile, person, *, holds_key: bool,
                        now: datetime) -> None:
    """Record who holds a key, audit it, then write the key file; a failed write rolls back."""
    person.custodian = holds_key
    session.add(person)
    append_event(Stamp(session, now, store.actor),
                 action="key.add-user" if holds_key else "key.remove-user",
                 record_type="person", record_id=str(person.id))
    keyfile.save(store.paths.keys, store.db_key)


def rotate(store: Store, now: datetime, shown: Callable[[bytes], None]) -> bool:
    """Re-key the database under a new random key, sealed to every slot; `shown(new_key)` is
    called once the database answers to the new key and before the old one stops working.
    True if this finished a rotation that was cut short.

    1. The key file learns the new key beside the old one, and each key sealed under the other.
    2. The database is replaced by a copy under the new key (skipped if that happened already).
    3. The new recovery key is shown.
    4. The rotation is audited, then the key file forgets the old key.
    Killed anywhere, every holder's passphrase still opens the store, and so does whichever
    recovery key was shown last; `doctor` names the unfinished rotation and this finishes it.
    Nobody else may have the store open meanwhile."""
    keyfile = _keyfile(store)
    assert store.opened is not None
    paths = store.paths
    unlocked.end(paths.db)  # it holds the key being replaced
    pending = keyfile.rotation_keys(store.db_key)
    if pending is None or store.db_key != pending[1]:
        store.dispose()
        rekeyed = temp_path_beside(paths.db, "rotate")
        conn = backend.connect(paths.db, store.db_key)
        try:
            with backend.sole_access(conn, paths.db):  # refused before anything is written
                if pending is None:
                    new_key = os.urandom(32)
                    keyfile.begin_rotation(store.db_key, new_key)
                    keyfile.save(paths.keys, store.opened.db_key)
                else:
                    new_key = pending[1]
                    if not all("sealed_key_next" in s for s in keyfile.slots):
                        keyfile.seal_next(new_key)  # a recovery meanwhile resealed the slots
                        keyfile.save(paths.keys, store.opened.db_key)
                try:
                    backend.export_rekeyed(conn, rekeyed, new_key)
                    backend.connect(rekeyed, new_key).close()  # the copy opens under it
                    fsync_path(rekeyed)
                except BaseException:
                    if pending is None:  # the database was never replaced: nothing begun stays
                        _abandon(keyfile, paths, store.opened.db_key)
                    raise
                os.replace(rekeyed, paths.db)
                fsync_path(paths.db.parent)
        finally:
            for leftover in (rekeyed, *(rekeyed.with_name(rekeyed.name + x)
                                        for x in ("-wal", "-shm"))):
                leftover.unlink(missing_ok=True)
        store.reopen(new_key)
    else:
        new_key = pending[1]
    shown(new_key)
    try:
        with store.session() as session:
            append_event(Stamp(session, now, store.actor), action="key.rotate",
                         detail={"finished": "after an interruption"} if pending else None)
        keyfile.end_rotation()
        keyfile.save(paths.keys, new_key)
    except (OSError, SuperviseError) as error:
        why = " (the disk is full)" if disk_full(error) else ""
        raise SuperviseError(f"The new recovery key shown above opens the store, and so does "
                             f"the old one until the rotation is finished; it could not be "
                             f"finished now{why}:", Hint.of("finish_rotation")) from None
    return pending is not None


def _abandon(keyfile: KeyFile, paths, sealed_under: bytes) -> None:
    """Take back a rotation begun in this call whose copy failed (a full disk, say). If even
    the key file cannot be written, it stays begun: every key still opens the store, and
    doctor asks for it to be finished."""
    keyfile.rotation = None
    keyfile.drop_next()
    try:
        keyfile.save(paths.keys, sealed_under)
    except OSError:
        raise SuperviseError("The disk is full: the rotation could not be made, nor taken back "
                             "from the key file; every passphrase and the recovery key you have "
                             "still open the store, and no new key was made. Free some space,",
                             Hint.of("retry_rotation")) from None


@dataclass
class Recovery:
    user: str
    rebuilt: bool
    dropped: list[str]


def recover(store: Store, user: str | None, new_passphrase: str, kdf: KdfParams,
            now: datetime) -> Recovery:
    """On a store opened by its recovery key: give `user` a new passphrase. The key file is kept
    only if the database key vouches for its slot list; otherwise it is rebuilt with `user` alone,
    so a slot slipped into a lost or altered key file never survives recovery."""
    keyfile = _trusted_keyfile(store)
    rebuilt = keyfile is None
    if keyfile is None:
        keyfile = KeyFile.new(store.store_id, kdf)
    with _KeyFileBack(store) as back, store.session() as session:
        back.kept(session)
        custodians = [p for p in list_people(session) if p.custodian]
        if user is None:
            if len(custodians) != 1:
                names = ", ".join(p.name for p in custodians) or "nobody"
                raise UsageError("Say whose passphrase to set",
                                 Hint.of("passphrase_of_which_user", names=names))
            person = custodians[0]
        else:
            person = find_person(session, user)
        keyfile.reseal_all(store.db_key)
        opened = keyfile.add_slot(person.name, new_passphrase, store.db_key)
        holders = {s["id"] for s in keyfile.slots}
        dropped = [p.name for p in custodians if keyfile.slot_id(p.name) not in holders]
        for other in custodians:
            other.custodian = keyfile.slot_id(other.name) in holders
            session.add(other)
        person.custodian = True
        session.add(person)
        # The old signing key was wrapped for the old slot: a new one, for the new slot.
        custodian_key(Stamp(session, now, person.name), person, opened.private_key)
        append_event(Stamp(session, now, person.name), action="key.recover",
                     record_type="person", record_id=str(person.id),
                     detail={"key_file": "rebuilt" if rebuilt else "updated"})
        keyfile.save(store.paths.keys, store.db_key)
    return Recovery(user=person.name, rebuilt=rebuilt, dropped=dropped)


def _trusted_keyfile(store: Store) -> KeyFile | None:

    try:
        keyfile = load_keyfile(store.paths.keys)
    except UnlockError:
        return None
    if keyfile.store_id != store.store_id or not keyfile.authentic(store.db_key):
        return None
    return keyfile
