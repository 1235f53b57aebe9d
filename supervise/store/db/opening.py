"""Creating and unlocking a store. A store is a database file plus its key file beside it:

    team.db                 SQLCipher 4, random 256-bit raw key
    team.db.keys            key slots (keyfile.py)
    team.db.backups/        automatic encrypted backups taken before migrations
    team.db.unlock-failures failed unlock attempts (time and reason only), and unlocks by
                            commands that only read made while another process held the write
                            lock (time and slot id), folded into the audit trail at the next
                            unlock that writes: a wrong passphrase changes neither file above
"""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from supervise.domain.records.canonical import iso_utc
from supervise.errors import Hint, StoreFileError, SuperviseError, UnlockError
from supervise.files import (
    append_private,
    take_lines,
)
from supervise.store.db import staging
from supervise.store.db.backend import backend
from supervise.store.db.engine import make_engine, translated_errors
from supervise.store.db.reading import Reader
from supervise.store.db.schema_version import LATEST, schema_version
from supervise.store.db.store_paths import StorePaths
from supervise.store.db.writing import Stamp
from supervise.store.integrity.audit_append import append_event, appended_events
from supervise.store.keys import anchor, unlocked
from supervise.store.keys.key_file import (
    KeyFile,
    OpenedSlot,
    WrongPassphrase,
    load_keyfile,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


WRONG_PASSPHRASE = "Wrong passphrase for this store; nothing was changed."


class Store:
    """An unlocked store. `actor` is who unlocked it; every audit event names them."""

    def __init__(self, paths: StorePaths, db_key: bytes, store_id: str, actor: str,
                 keyfile: KeyFile | None, opened: OpenedSlot | None, *,
                 reading: bool = False) -> None:
        self.paths = paths
        self.db_key = db_key  # the truth after a rotation; `opened` keeps the slot's identity
        self.store_id = store_id
        self.actor = actor
        self.keyfile = keyfile
        self.opened = opened
        self.rotation_pending = False  # a `key rotate` was cut short (key_management.rotate)
        self.behind: list[str] = []  # how it falls short of what `opened` last saw (anchor.py)
        self.wrote_events = False
        self.reading = reading  # only reads: never waits for the write lock (make_engine)
        self._engine: Engine | None = None

    @property
    def engine(self) -> "Engine":
        """The ORM's engine, made (and SQLAlchemy imported) only when a command needs it."""
        if self._engine is None:
            self._engine = make_engine(self.paths.db, self.db_key, reading=self.reading)
        return self._engine

    @contextmanager
    def session(self) -> Iterator:
        from sqlmodel import Session

        with translated_errors(self.paths.db), Session(self.engine,
                                                     expire_on_commit=False) as session:
            yield session
            session.commit()
            self.wrote_events = self.wrote_events or appended_events(session)

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        """One snapshot read in plain SQL, never waiting for a writer (reading.py)."""
        with translated_errors(self.paths.db), \
                backend.transaction(self.paths.db, self.db_key) as conn:
            yield Reader(conn)

    @contextmanager
    def writer(self, *, waits: bool = True) -> Iterator[Reader]:
        """One write transaction in plain SQL, the write lock held from its start."""
        with translated_errors(self.paths.db), backend.transaction(
                self.paths.db, self.db_key, reading=False, waits=waits) as conn:
            yield Reader(conn)

    def dispose(self) -> None:
        """Let go of the ORM's pooled connections (before the file is swapped or rekeyed)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def reopen(self, db_key: bytes) -> None:
        self.dispose()
        self.db_key = db_key

    def close(self) -> None:
        if self.wrote_events:
            anchor.keep_seen(self)  # the holder's slot learns what this command left
        self.dispose()

    def checkpoint(self) -> bool:
        return backend.checkpoint_truncate(self.paths.db, self.db_key)

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _note(paths: StorePaths, entry: dict) -> None:
    """One line in the notes beside the store, folded into the audit trail by the next
    command that writes (`_fold_in_failures`)."""
    try:
        append_private(paths.failures, (json.dumps(entry) + "\n").encode())
    except OSError:
        pass  # a read-only folder must not turn a wrong passphrase into a different error


def _note_failure(paths: StorePaths, now: datetime, reason: str, slot_id: str | None) -> None:
    _note(paths, {"at": iso_utc(now), "reason": reason, "slot": slot_id})


def _note_unlock(paths: StorePaths, now: datetime, action: str, detail: dict | None,
                 opened: OpenedSlot | None) -> None:
    """A command that only reads found another process holding the write lock: rather than wait
    for it, its unlock is noted beside the failed ones (a slot id and the time, no name) and
    folded into the audit trail by the next command that writes."""
    _note(paths, {"at": iso_utc(now), "unlock": action, "by": (detail or {}).get("by"),
                  "slot": opened.slot_id if opened else None})


NOTED_UNLOCKS = ("store.unlock",)  # all a note may claim: the file is outside the store


def _fold_in_failures(store: Store, reader: Reader, now: datetime, lines: list[str]) -> None:
    names = {}
    if store.keyfile is not None and lines:
        names = {store.keyfile.slot_id(name): name
                 for (name,) in reader.rows("SELECT name FROM person")}
    for line in lines:
        try:
            attempt = json.loads(line)
        except ValueError:
            attempt = None
        if not isinstance(attempt, dict):
            attempt = {"reason": "unreadable entry"}
        who = Stamp(reader, now, names.get(str(attempt.get("slot")), "unknown"))
        if attempt.get("unlock") in NOTED_UNLOCKS:
            by = attempt.get("by")
            append_event(who, action=attempt["unlock"], detail={
                "unlocked_at": attempt.get("at"), "noted": "the store was busy",
                **({"by": "unlocked session"} if by == "unlocked session" else {})})
            continue
        append_event(who, action="store.unlock-failed",
                     detail={"attempted_at": attempt.get("at"), "reason": attempt.get("reason")})


def _record_unlock(store: Store, now: datetime, action: str, detail: dict | None) -> bool:
    """The unlock's audit event, with the noted unlocks folded in, in one write transaction.
    A store that only reads (`store.reading`) never waits for the write lock: if another
    process holds it, nothing is written and False is returned. The notes are taken under
    their file's lock only once the write lock is held, and deleted after the commit. Plain
    SQL (reading.py): every command begins here, and most need no ORM."""
    taken = None
    try:
        with store.writer(waits=not store.reading) as reader:  # the write lock, then the notes
            taken = take_lines(store.paths.failures)
            store.behind = anchor.anchor_problems(reader, store.keyfile, store.opened,
                                                  store.paths.db)
            _fold_in_failures(store, reader, now, taken.lines)
            append_event(Stamp(reader, now, store.actor), action=action, detail=detail)
        taken.remove()
        return True
    except backend.StoreInUse:
        if not store.reading:
            raise
        return False
    finally:
        if taken is not None:
            taken.release()


def _open(paths: StorePaths, db_key: bytes, *, actor: str, now: datetime, action: str,
          keyfile: KeyFile | None = None, opened: OpenedSlot | None = None,
          detail: dict | None = None, read_only: bool = False) -> Store:
    conn = backend.connect(paths.db, db_key)
    try:
        if schema_version(conn) != LATEST:  # only then are the migrations (and tables) loaded
            from supervise.store.db import migrations

            migrations.migrate(conn, paths.db, now)
        row = conn.execute("SELECT value FROM store_meta WHERE key = 'store_id'").fetchone()
    finally:
        conn.close()
    if row is None:
        raise StoreFileError(f"{paths.db} has no store id: restore it from a backup.")
    if keyfile is not None and row[0] != keyfile.store_id:
        raise UnlockError(
            f"The key file {paths.keys} belongs to a different store:",
            Hint.of("right_key_file")
        )
    store = Store(paths, db_key, row[0], actor, keyfile, opened, reading=read_only)
    if not _record_unlock(store, now, action, detail):  # busy, and this command only reads
        with store.reader() as reader:
            store.behind = anchor.anchor_problems(reader, keyfile, opened, paths.db)
        _note_unlock(paths, now, action, detail, opened)
    store.wrote_events = False  # the unlock alone leaves the key file as it was (anchor.py)
    return store


def settle(paths: StorePaths, now: datetime) -> None:
    """Before the files are judged: a restore cut short is finished, and staging files a crash
    left more than a day ago are removed (staging.py)."""
    staging.finish_swap(paths)
    staging.remove_stale(paths, now)


def pick_slot(paths: StorePaths, keyfile: KeyFile, user: str | None, now: datetime) -> dict:
    """The key slot of `user`, or the only one; an unknown user is a failed unlock."""
    slot = keyfile.chosen_slot(user)
    if slot is not None:
        return slot
    if user:
        _note_failure(paths, now, "unknown user", None)
        raise UnlockError(f"{user!r} holds no key to this store:", Hint.of("check_user"))
    raise UnlockError(
        f"This store has {len(keyfile.slots)} users:", Hint.of("say_which_user")
    )


def open_slot(paths: StorePaths, keyfile: KeyFile, slot: dict, passphrase: str,
              now: datetime) -> OpenedSlot:
    try:
        return keyfile.open_slot(slot, passphrase)
    except WrongPassphrase:
        _note_failure(paths, now, "wrong passphrase", slot["id"])
        raise UnlockError(WRONG_PASSPHRASE, Hint.of("forgotten_store_passphrase")) from None


def unlock_store(db_path: Path, *, passphrase: Callable[[], str], user: str | None,
                 now: datetime, read_only: bool = False) -> Store:
    """Check the files, pick the slot, and only then ask for the passphrase (`passphrase()`).
    `read_only`: for a command that only reads, which never waits behind a writer."""
    paths = StorePaths(db_path)
    settle(paths, now)
    backend.check_store_file(paths.db)
    keyfile = load_keyfile(paths.keys)
    slot = pick_slot(paths, keyfile, user, now)
    opened = open_slot(paths, keyfile, slot, passphrase(), now)
    keyfile.verify(opened.db_key)
    return open_with_slot(paths, keyfile, opened, now, read_only=read_only)


def open_with_slot(paths: StorePaths, keyfile: KeyFile, opened: OpenedSlot,
                    now: datetime, *, action: str = "store.unlock",
                    detail: dict | None = None, read_only: bool = False) -> Store:
    """Open with the slot's key; if a rotation was cut short, whichever key the database
    answers to is kept and the key file is put straight."""
    for key in (opened.db_key, opened.next_key):
        if key is None:
            continue
        try:
            store = _open(paths, key, actor=opened.user, now=now, action=action,
                          keyfile=keyfile, opened=opened, detail=detail, read_only=read_only)
        except backend.WrongKey:
            continue
        if keyfile.rotation is not None:
            store.rotation_pending = True  # finished by `key rotate`, which shows the new key
        elif key is opened.next_key:  # cut short by a version that kept no `rotation`
            keyfile.promote_next()
            keyfile.save(paths.keys, key)
        elif keyfile.drop_next():
            keyfile.save(paths.keys, key)
        return store
    raise UnlockError(
        f"{paths.db} does not open with its key file: the key file belongs to another store, or "
        "the database is damaged. Put the store's own key file beside it, or restore a backup."
    )


def unlock_for_session(db_path: Path, *, passphrase: Callable[[], str], user: str | None,
                       now: datetime, idle: timedelta) -> tuple[Store, str]:
    """Unlock as `unlock_store` does, and keep the store's keys sealed beside it for later
    commands (`unlocked.py`); returns the store and the session key."""
    store = unlock_store(db_path, passphrase=passphrase, user=user, now=now)
    assert store.opened is not None
    opened = OpenedSlot(store.opened.user, store.opened.slot_id, store.opened.private_key,
                        store.db_key, anchored=store.opened.anchored)
    token = unlocked.start(store.paths.db, opened, store.store_id, now=now, idle=idle)
    with store.session() as session:
        append_event(Stamp(session, now, store.actor), action="store.session-start",
                     detail={"idle_minutes": int(idle.total_seconds() // 60)})
    return store, token


def unlock_with_session(db_path: Path, token: str, *, user: str | None, now: datetime,
                        read_only: bool = False) -> Store:
    """Open the store with an unlocked session's keys, no passphrase asked. A session whose
    key holder no longer holds that key (a rotation, a removed key slot) has ended."""
    paths = StorePaths(db_path)
    settle(paths, now)
    backend.check_store_file(paths.db)
    keyfile = load_keyfile(paths.keys)
    state = unlocked.resume(paths.db, token, now=now, user=user)
    slot = keyfile.slot_for(state.opened.user)
    if slot is None or slot["id"] != state.opened.slot_id or not keyfile.authentic(
            state.opened.db_key) or state.store_id != keyfile.store_id:
        unlocked.end(paths.db)
        raise unlocked.SessionEnded("The unlocked session ended: the store's keys changed "
                                    "since.", Hint.of("unlock_again"))
    return open_with_slot(paths, keyfile, state.opened, now,
                          detail={"by": "unlocked session"}, read_only=read_only)


def lock(db_path: Path, token: str | None, *, now: datetime) -> bool:
    """End the unlocked session (audited when its key is at hand); True if there was one."""
    paths = StorePaths(db_path)
    if token and unlocked.session_file(paths.db).exists():
        try:
            with unlock_with_session(paths.db, token, user=None, now=now) as store, \
                    store.session() as session:
                append_event(Stamp(session, now, store.actor), action="store.lock")
        except SuperviseError:
            pass  # an ended or foreign session is forgotten all the same
    return unlocked.end(paths.db)


def unlock_with_recovery_key(db_path: Path, *, recovery_key: Callable[[], bytes],
                             now: datetime) -> Store:
    """Check the file, and only then ask for the recovery key (`recovery_key()`)."""
    paths = StorePaths(db_path)
    settle(paths, now)
    backend.check_store_file(paths.db)
    given = recovery_key()
    for key, pending in _recovery_candidates(paths, given):
        try:
            store = _open(paths, key, actor="recovery key", now=now,
                          action="store.unlock-recovery-key")
        except backend.WrongKey:
            continue
        store.rotation_pending = pending
        return store
    _note_failure(paths, now, "wrong recovery key", None)
    raise UnlockError("That recovery key does not open this store; nothing was changed.",
                      Hint.of("check_recovery_key"))


def _recovery_candidates(paths: StorePaths, given: bytes) -> list[tuple[bytes, bool]]:
    """The recovery key, then, while a `key rotate` is unfinished, the other key of that
    rotation (each is sealed under the other in the key file): so the recovery key shown last
    opens the store whether or not the database was re-keyed yet. A missing or damaged key
    file leaves just the key given."""
    try:
        keyfile = load_keyfile(paths.keys)
    except (UnlockError, OSError):
        return [(given, False)]
    pair = keyfile.rotation_keys(given)
    if pair is None:
        return [(given, False)]
    return [(given, True), (pair[1] if pair[0] == given else pair[0], True)]
