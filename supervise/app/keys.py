"""Keys: key holders' passphrases and slots, rotation, recovery, and personal signing keys for
staff who hold no key to the store. The CLI asks for each secret between the steps."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from supervise.app.unit import unit_of_work
from supervise.clock import now
from supervise.errors import Hint, SuperviseError, UnlockError
from supervise.store.db.opening import Store, unlock_with_recovery_key
from supervise.store.keys import key_management
from supervise.store.keys.key_file import KDF_PROFILES
from supervise.store.keys.key_management import Recovery
from supervise.store.keys.signing_keys import current_key
from supervise.store.records.people import find_person

__all__ = ["Enrolment", "Recovery", "add_user", "change_passphrase", "check_signing_passphrase",
           "enrol", "enrolment", "recover", "recovery_opened", "remove_user", "rotate"]


def change_passphrase(store: Store, new_passphrase: str) -> str:
    """Change the passphrase of the key holder who unlocked the store; their name."""
    key_management.change_passphrase(store, new_passphrase, now())
    return store.actor


def add_user(store: Store, name: str, passphrase: str) -> str:
    """Give a recorded person a key slot; their name as recorded."""
    return key_management.add_user(store, name, passphrase, now())


def remove_user(store: Store, name: str) -> str:
    return key_management.remove_user(store, name, now())


def rotate(store: Store, shown: Callable[[bytes], None]) -> bool:
    """Re-key the database; `shown(new recovery key)` before the old one stops working. True if
    this finished a rotation that had been cut short."""
    return key_management.rotate(store, now(), shown)


@contextmanager
def recovery_opened(path: Path, *, recovery_key: Callable[[], bytes]) -> Iterator[Store]:
    """The store opened by its recovery key (asked for once the file checks out), closed when
    the block ends."""
    with unlock_with_recovery_key(path, recovery_key=recovery_key, now=now()) as store:
        yield store


def recover(store: Store, user: str | None, new_passphrase: str, kdf: str) -> Recovery:
    """On a store opened by its recovery key: `user` gets a new passphrase (Argon2id at the cost
    profile `kdf` if the key file is rebuilt)."""
    return key_management.recover(store, user, new_passphrase, KDF_PROFILES[kdf], now())


@dataclass(frozen=True)
class Enrolment:
    name: str
    has_key: bool  # they were enrolled before: replacing it needs its passphrase, or a reset


def enrolment(store: Store, name: str) -> Enrolment:
    """Whether `name` can be given a personal signing key: refused for a key holder (they sign
    with their store passphrase) and for someone who has left."""
    with unit_of_work(store) as work:
        person = find_person(work.session, name)
        existing = current_key(work.session, person)
        if store.keyfile is None or store.keyfile.slot_for(person.name) is not None:
            raise SuperviseError(f"{person.name} holds a key to the store: they sign with their "
                                 f"store passphrase, and need no enrolment.")
        if person.left_date:
            raise SuperviseError(f"{person.name} left on {person.left_date}: they cannot be "
                                 f"enrolled.")
        return Enrolment(person.name, existing is not None)


def check_signing_passphrase(store: Store, name: str, passphrase: str) -> None:
    """Refuse a passphrase that does not open `name`'s current signing key."""
    from supervise.store.keys.signing_keys import WrongSigningPassphrase, open_enrolled

    with unit_of_work(store) as work:
        person = find_person(work.session, name)
        existing = current_key(work.session, person)
        if existing is None:
            return
        try:
            open_enrolled(existing, passphrase)
        except WrongSigningPassphrase:
            raise UnlockError(f"That is not {person.name}'s current signing passphrase; "
                              f"nothing was changed.",
                              hint=Hint.of("keys.signing_passphrase_forgotten")) from None


def enrol(store: Store, name: str, passphrase: str, *, reset: bool) -> str:
    """Give `name` a new personal signing key opened by `passphrase`; `reset` records that a key
    they had was replaced without its passphrase. The key's fingerprint."""
    from supervise.store.keys.signing_keys import enrol as enrol_key

    assert store.keyfile is not None
    with unit_of_work(store) as work:
        person = find_person(work.session, name)
        was_enrolled = current_key(work.session, person) is not None
        key = enrol_key(work, person, passphrase, store.keyfile.default_kdf,
                        reset=reset and was_enrolled)
        return key.fingerprint
