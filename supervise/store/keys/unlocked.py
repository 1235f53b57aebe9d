"""Unlocking once for a meeting (`supervise unlock`, `supervise lock`), after the Bitwarden CLI's
`bw unlock`: the store's keys are sealed in a file beside the store under a random session key
that is only ever given to the user (for their shell's environment), never written down.

    team.db.unlocked    0600: the store id in the clear; sealed under the session key: the
                        database key, the key slot's private key, who unlocked it, when, the
                        idle time and when it was last used

Neither half opens the store alone: the file is ciphertext, and the session key is 32 random
bytes that name no file. The session ends when it has been idle longer than its idle time, when
it is older than MAX_HOURS, at `lock`, when the key file no longer matches (a rotation, a removed
key holder), or when the clock reads more than a minute earlier than its last use; the file is
then deleted."""

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from supervise import keycrypto
from supervise.domain.records.canonical import iso_utc
from supervise.errors import Hint, UnlockError, UsageError
from supervise.files import atomic_write, write_new
from supervise.store.db.store_paths import StorePaths
from supervise.store.keys.key_file import OpenedSlot

DEFAULT_IDLE_MINUTES = 15
LONGEST_IDLE_MINUTES = 8 * 60
MAX_HOURS = 12
# A clock stepped back this far (an NTP correction) is not taken for someone winding it back
# to stretch the idle time; further back ends the session.
CLOCK_SLACK = timedelta(seconds=60)
VERSION = 1


def session_file(db_path: Path) -> Path:
    return StorePaths(db_path).unlocked


@dataclass(frozen=True)
class Unlocked:
    """What a sealed session holds."""

    opened: OpenedSlot
    store_id: str
    started: datetime
    last_used: datetime
    idle: timedelta


def _aad(db_path: Path, store_id: str) -> bytes:
    return f"supervise-unlocked:v{VERSION}:{store_id}:{db_path.resolve()}".encode()


def _seal(db_path: Path, token: bytes, state: Unlocked) -> bytes:
    inner = json.dumps({
        "user": state.opened.user, "slot_id": state.opened.slot_id,
        "private_key": keycrypto.b64(state.opened.private_key),
        "db_key": keycrypto.b64(state.opened.db_key), "anchored": state.opened.anchored,
        "started": iso_utc(state.started), "last_used": iso_utc(state.last_used),
        "idle_seconds": int(state.idle.total_seconds()),
    }).encode()
    box = keycrypto.encrypt(token, inner, _aad(db_path, state.store_id))
    return json.dumps({"version": VERSION, "store_id": state.store_id, "sealed": box}).encode()


def idle_time(minutes: int | None) -> timedelta:
    chosen = DEFAULT_IDLE_MINUTES if minutes is None else minutes
    if not 1 <= chosen <= LONGEST_IDLE_MINUTES:
        raise UsageError(f"An idle time of {chosen} minutes is not allowed: give 1 to "
                         f"{LONGEST_IDLE_MINUTES}.")
    return timedelta(minutes=chosen)


def start(db_path: Path, opened: OpenedSlot, store_id: str, *, now: datetime,
          idle: timedelta) -> str:
    """Seal the keys beside the store (replacing an earlier session's file) and return the
    session key, the only way back into them."""
    token = os.urandom(32)
    state = Unlocked(opened, store_id, now, now, idle)
    path = session_file(db_path)
    end(db_path)
    write_new(path, _seal(db_path, token, state))
    return keycrypto.b64(token)


def end(db_path: Path) -> bool:
    """Forget the session: its file is overwritten, then deleted. True if there was one."""
    path = session_file(db_path)
    try:
        size = path.stat().st_size
        with path.open("r+b") as handle:
            handle.write(b"\0" * size)
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
    except FileNotFoundError:
        return False
    return True


class SessionEnded(UnlockError):
    """There is a session key in the environment, but no session it opens (any more)."""


def resume(db_path: Path, token_text: str, *, now: datetime, user: str | None) -> Unlocked:
    """The sealed keys, if `token_text` opens the session beside this store and it has not
    ended; its last use is moved to `now`. An ended session's file is deleted."""
    from cryptography.exceptions import InvalidTag

    path = session_file(db_path)
    try:
        outer = json.loads(path.read_bytes())
        store_id = outer["store_id"]
        token = keycrypto.unb64(token_text.strip())
        inner = json.loads(keycrypto.decrypt(token, outer["sealed"], _aad(db_path, store_id)))
        opened = OpenedSlot(user=inner["user"], slot_id=inner["slot_id"],
                            private_key=keycrypto.unb64(inner["private_key"]),
                            db_key=keycrypto.unb64(inner["db_key"]),
                            anchored=inner.get("anchored") is True)
        state = Unlocked(opened, store_id, datetime.fromisoformat(inner["started"]),
                         datetime.fromisoformat(inner["last_used"]),
                         timedelta(seconds=int(inner["idle_seconds"])))
    except FileNotFoundError:
        raise SessionEnded("The store is locked: no unlocked session is open for it.",
                           Hint.of("unlock_again")) from None
    except (InvalidTag, ValueError, KeyError, TypeError):
        raise SessionEnded("The session key given does not open this store's "
                           "unlocked session.", Hint.of("unlock_again")) from None
    why = _ended(state, now)
    if why:
        end(db_path)
        raise SessionEnded(f"The unlocked session ended: {why}.", Hint.of("unlock_again"))
    if user and user.casefold() != opened.user.casefold():
        raise UnlockError(f"This store was unlocked by {opened.user}, not {user}:",
                          Hint.of("unlock_again"))
    state = Unlocked(opened, store_id, state.started, max(now, state.last_used), state.idle)
    atomic_write(path, _seal(db_path, token, state))
    return state


def _ended(state: Unlocked, now: datetime) -> str | None:
    if now < state.last_used - CLOCK_SLACK:
        return "the clock reads earlier than its last use"
    if now - state.last_used > state.idle:
        return f"idle for more than {int(state.idle.total_seconds() // 60)} minutes"
    if now - state.started > timedelta(hours=MAX_HOURS):
        return f"unlocked more than {MAX_HOURS} hours ago"
    return None
