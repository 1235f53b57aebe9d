"""What each key holder last saw of the store, kept outside it: in their own key slot.

Whoever holds the database key (an insider, or the recovery key) can rewrite every table and
the audit chain consistently, and whoever holds an older copy of the file can put it back. Both
leave the store *behind* what its key holders saw: fewer events, a different event at a place
they saw, fewer signatures or records. So each slot carries `seen` (the number and hash of the
newest audit event, the highest signature and record numbers, read when that holder's command
ended) and `seen_mac`, an HMAC keyed from the slot's own X25519 private key, which only that
holder's passphrase opens: neither the database key nor another holder's passphrase can forge
or move it. It is checked at every unlock by that slot (prefix consistency: the store must
extend what was seen) and moved forward, never back, when a command that wrote events ends.

A second copy, MAC'd the same way, is kept in the holder's own state folder (outside the
store's folder, keyed by a hash of the store's path, its id and the slot): an older genuine
anchor copied back into the key file from a backup is then still caught, by whoever keeps
that folder. The newer of the two is the one held against the store. A restore says in its
audit event how far the store it replaced had got, which explains a copy left ahead by it.

The check is deliberately one-sided: two processes racing to move it forward only leave it
older (weaker), never wrong, because it is always read from the committed store while the
write lock is held and the key file is re-read under that lock. `_mac_content` of the key file
is untouched: a key file without anchors is authenticated exactly as before.
"""

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from supervise.errors import UnlockError
from supervise.files import atomic_write, ensure_private_dir
from supervise.store.db.reading import Reader, reader_of
from supervise.store.db.store_paths import StorePaths
from supervise.store.keys.key_file import (
    SEEN,
    SEEN_MAC,
    KeyFile,
    OpenedSlot,
    load_keyfile,
    seen_mac,
)

__all__ = ["SEEN", "SEEN_MAC", "Seen", "anchor_problems", "keep_seen", "store_state"]

# The numbered records and their tables (records/numbered.py's MODELS; a test holds them equal).
# Read in plain SQL: every unlock reads them, and it should not pay for the ORM.
RECORD_TABLES = {"contract": "contract", "session": "session_record", "decision": "decision",
                 "amendment": "amendment"}


@dataclass(frozen=True)
class Seen:
    """The store as one key holder last saw it."""

    events: int  # the newest audit event's number
    head: str  # and its hash ("" before the first event)
    signatures: int  # the highest signature number
    records: dict[str, int]  # the highest number of each kind of record

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, value: Any) -> "Seen":
        return cls(events=int(value["events"]), head=str(value["head"]),
                   signatures=int(value["signatures"]),
                   records={str(k): int(v) for k, v in dict(value["records"]).items()})


def _read(source: Any) -> Reader:
    """A Reader for `source`: itself, or one in an ORM session's transaction."""
    return source if isinstance(source, Reader) else reader_of(source)


def store_state(source: Any) -> Seen:
    """The store now: a handful of index lookups, cheap enough for every unlock."""
    reader = _read(source)
    last = reader.one("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")
    signatures = reader.value("SELECT max(id) FROM signature") or 0
    records = {kind: reader.value(f"SELECT max(id) FROM {table}") or 0
               for kind, table in RECORD_TABLES.items()}
    return Seen(events=last[0] if last else 0, head=last[1] if last else "",
                signatures=signatures, records=records)


@dataclass(frozen=True)
class Anchor:
    """A slot's anchor as read from the key file: what was seen (None if nothing yet), and
    whether its MAC failed (moved or forged by someone without the holder's passphrase) or it
    was removed from a slot that always carries one."""

    seen: Seen | None
    altered: bool = False
    removed: bool = False


def read_anchor(keyfile: KeyFile, opened: OpenedSlot) -> Anchor:
    slot = next((s for s in keyfile.slots if s["id"] == opened.slot_id), None)
    if slot is None or (SEEN not in slot and SEEN_MAC not in slot):
        return Anchor(None, removed=slot is not None and opened.anchored)
    try:
        seen = Seen.from_dict(slot[SEEN])
        good = hmac.compare_digest(str(slot[SEEN_MAC]),
                                   seen_mac(opened, keyfile.store_id, slot[SEEN]))
    except (KeyError, TypeError, ValueError, AttributeError):
        return Anchor(None, altered=True)
    return Anchor(seen, altered=False) if good else Anchor(None, altered=True)


def home_copy(db: Path, store_id: str, slot_id: str) -> Path:
    """Where the holder's second copy is: their state folder, named by a hash (no name, no
    path in the clear), so copies of a store elsewhere are not held against each other."""
    from platformdirs import user_state_path

    tag = hashlib.sha256(f"{db.resolve()}\0{store_id}\0{slot_id}".encode()).hexdigest()[:32]
    return user_state_path("supervise", appauthor=False) / "seen" / f"{tag}.json"


def read_home(db: Path | None, store_id: str, opened: OpenedSlot) -> Anchor:
    if db is None:
        return Anchor(None)
    try:
        document = json.loads(home_copy(db, store_id, opened.slot_id).read_text())
        seen = Seen.from_dict(document[SEEN])
        good = hmac.compare_digest(str(document[SEEN_MAC]),
                                   seen_mac(opened, store_id, document[SEEN]))
    except FileNotFoundError:
        return Anchor(None)
    except (OSError, KeyError, TypeError, ValueError, AttributeError):
        return Anchor(None, altered=True)
    return Anchor(seen) if good else Anchor(None, altered=True)


def _write_home(db: Path, store_id: str, opened: OpenedSlot, seen: dict) -> None:
    target = home_copy(db, store_id, opened.slot_id)
    try:
        ensure_private_dir(target.parent)
        atomic_write(target, json.dumps(
            {SEEN: seen, SEEN_MAC: seen_mac(opened, store_id, seen)}).encode())
    except OSError:
        pass  # a read-only or full home folder: the key file's copy still holds


def restored_past(source: Any, seen: Seen) -> bool:
    """Whether a restore (its audit event) replaced a store that had got at least as far as
    `seen`, or one too damaged to say: then the store being behind `seen` is that restore, not
    a removal. (A forged restore event would explain it too, but shows as a restore.)"""
    for (text,) in _read(source).rows(
            "SELECT detail FROM audit_event WHERE action = 'store.restore'"):
        detail = json.loads(text or "{}")
        if "replaced" in detail and detail["replaced"] is None:
            return True  # it replaced a store too damaged to read: how far it got is unknown
        replaced = detail.get("replaced") or {}
        events = int(replaced.get("events") or 0)
        if events > seen.events or (events == seen.events and
                                    replaced.get("head") == seen.head):
            return True
    return False


def _newest(*anchors: Seen | None) -> Seen | None:
    known = [a for a in anchors if a is not None]
    return max(known, key=lambda a: a.events) if known else None


def _unexplained(reader: Reader, kind: str, numbers: range) -> list[int]:
    """Of `numbers` (of records of `kind`, or signatures), those no audit event says were
    destroyed by retention or (drafts) discarded. Read only when something is behind."""
    if not numbers:
        return []
    explained: set[int] = set()
    events = reader.rows(
        "SELECT action, record_type, record_id, detail FROM audit_event "
        "WHERE action LIKE '%.destroyed' OR action = 'session.discard'")
    listed = {"signature": "signatures", "decision": "decisions", "amendment": "amendments"}
    for action, record_type, record_id, detail in events:
        if record_type == kind and record_id and record_id.isdigit():
            explained.add(int(record_id))
        if kind in listed and action.endswith(".destroyed"):
            explained.update(int(n) for n in json.loads(detail).get(listed[kind], []))
        if kind == "decision" and action == "session.discard":
            explained.update(numbers)  # a discarded draft takes its decisions, unlisted
    return [n for n in numbers if n not in explained]


def behind(source: Any, seen: Seen, who: str) -> list[str]:
    """How the store falls short of what `who` last saw: each a finding naming what."""
    reader = _read(source)
    problems: list[str] = []
    if seen.events:
        head = reader.value("SELECT hash FROM audit_event WHERE seq = :seq", {"seq": seen.events})
        if head is None:
            count = reader.value("SELECT count(*) FROM audit_event")
            problems.append(
                f"the audit trail has {count} events, but {who} last saw event {seen.events}: "
                "events were removed, or an older copy of the store was put back")
        elif head != seen.head:
            problems.append(
                f"audit event {seen.events} is not the one {who} last saw: the trail was "
                "rewritten, or an older copy of the store was put back")
    now = store_state(reader)
    missing = _unexplained(reader, "signature", range(now.signatures + 1, seen.signatures + 1))
    if missing:
        problems.append(f"signature {missing[0]} is missing: {who} last saw signatures up to "
                        f"{seen.signatures}, and no audit event says it was destroyed")
    for kind, highest in sorted(seen.records.items()):
        if kind not in RECORD_TABLES:
            continue
        gone = _unexplained(reader, kind, range(now.records.get(kind, 0) + 1, highest + 1))
        if gone:
            problems.append(f"{kind} {gone[0]} is missing: {who} last saw {kind}s up to "
                            f"{highest}, and no audit event says it was destroyed")
    return problems


def anchor_problems(source: Any, keyfile: KeyFile | None,
                    opened: OpenedSlot | None, db: Path | None = None) -> list[str]:
    """The unlocking holder's anchor (the newer of the key slot's and the state folder's copy,
    given the store's path `db`) checked against the store; nothing to check when the store
    was opened by its recovery key (no slot's secret is at hand)."""
    if keyfile is None or opened is None:
        return []
    anchor = read_anchor(keyfile, opened)
    home = read_home(db, keyfile.store_id, opened)
    problems = []
    if anchor.altered or anchor.removed:
        problems.append(f"the record of what {opened.user} last saw, kept in their key slot, "
                        f"was {'altered' if anchor.altered else 'removed'}: someone without "
                        "their passphrase changed the key file")
    if home.altered:
        problems.append(f"the copy of what {opened.user} last saw, kept in their own state "
                        "folder, was altered")
    seen = _newest(anchor.seen, home.seen)
    if seen is not None:
        short = behind(source, seen, opened.user)
        if short and not restored_past(source, seen):  # the restore event is read only then
            problems += short
    return problems


def move_forward(source: Any, paths: StorePaths, opened: OpenedSlot, store_id: str) -> bool:
    """Record the store as it is now in the holder's slot, if it extends what the slot says
    they saw. Call inside a write transaction (its lock keeps other writers, and key management,
    which writes the key file under the same lock, out); the key file is read again here and
    only this slot's anchor changes, so a slot added or a passphrase changed meanwhile stays.
    True if the key file was written."""
    now = store_state(source)  # the first read takes the write lock: then the key file
    try:
        keyfile = load_keyfile(paths.keys)
    except UnlockError:
        return False
    slot = next((s for s in keyfile.slots if s["id"] == opened.slot_id), None)
    if slot is None or keyfile.store_id != store_id:
        return False  # the slot was removed meanwhile, or the file is another store's
    seen = now.as_dict()
    home = read_home(paths.db, store_id, opened)
    if _movable(source, home, now, opened.user):
        _write_home(paths.db, store_id, opened, seen)
    anchor = read_anchor(keyfile, opened)
    if not _movable(source, anchor, now, opened.user):
        return False
    slot[SEEN], slot[SEEN_MAC] = seen, seen_mac(opened, keyfile.store_id, seen)
    atomic_write(paths.keys, keyfile.to_bytes())
    return True


def _movable(source: Any, anchor: Anchor, now: Seen, who: str) -> bool:
    """An anchor moves to `now` unless it is evidence (altered, removed, or ahead of the store
    with no restore to explain it) or already there; it never moves back otherwise."""
    if anchor.altered or anchor.removed:
        return False
    if anchor.seen is None:
        return True
    if anchor.seen == now:
        return False
    return not behind(source, anchor.seen, who) or restored_past(source, anchor.seen)


def keep_seen(store: Any) -> None:
    """At the end of a command that wrote events (opening.Store.close): move the unlocking
    holder's anchor forward in a write transaction of its own, after the command's own commits
    (inside them, a commit that then failed, a full disk, would leave the anchor ahead of the
    store and a false finding). Whatever keeps it from being written (another writer holding
    the lock, a full disk) leaves the anchor older, which only weakens it."""
    if store.opened is None or store.keyfile is None:
        return
    try:
        with store.writer() as reader:
            move_forward(reader, store.paths, store.opened, store.store_id)
    except Exception:  # noqa: BLE001 - the command's own work is done and committed
        pass
