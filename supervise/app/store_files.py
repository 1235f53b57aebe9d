"""The store's files: creating one, unlocking it, backing it up, restoring and checking it, and
building the demo. The CLI gathers the names and secrets (asking for a passphrase only when a
`passphrase()` callable is called) and prints what comes back."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from supervise.app.unit import unit_of_work
from supervise.clock import now
from supervise.domain.rows import ContractRow, PersonRow, SessionRow
from supervise.store.db.backup import BackupMade, write_backup
from supervise.store.db.creating import check_new_store, create_store
from supervise.store.db.opening import Store, unlock_for_session
from supervise.store.db.opening import lock as lock_store
from supervise.store.db.restore import Restored, restore_backup
from supervise.store.keys.key_file import KDF_PROFILES
from supervise.store.keys.unlocked import idle_time

__all__ = ["BackupMade", "Restored", "Store", "Unlocked", "backup", "check_new",
           "create", "demo", "lock", "restore", "unlock"]


@dataclass(frozen=True)
class Unlocked:
    user: str
    session_key: str
    idle_minutes: int


def unlock(path: Path, *, passphrase: Callable[[], str], user: str | None,
           idle_minutes: int | None) -> Unlocked:
    """Unlock once for a meeting: the store's keys sealed beside it under a new session key,
    which later commands give instead of the passphrase until it is idle too long or locked."""
    idle = idle_time(idle_minutes)
    store, key = unlock_for_session(path, passphrase=passphrase, user=user, now=now(), idle=idle)
    store.close()
    return Unlocked(store.actor, key, int(idle.total_seconds() // 60))


def lock(path: Path, session_key: str | None) -> bool:
    """End the unlocked session of the store at `path`; True if there was one."""
    return lock_store(path, session_key, now=now())


def check_new(path: Path, *, org: str, user: str, role: str) -> tuple[str, str, str]:
    """Refuse a path that holds a store already, and bad details, before a passphrase is asked;
    the organisation, user and role as they will be stored."""
    return check_new_store(path, org=org, user=user, role=role)


@dataclass(frozen=True)
class Created:
    path: Path
    keys: Path
    recovery_key: bytes


def create(path: Path, *, org: str, policy: str, user: str, role: str, passphrase: str,
           kdf: str) -> Created:
    """A new store under the shipped policy profile `policy`, with `user` its first key holder;
    the key is Argon2id at the cost profile `kdf`."""
    from supervise.store.catalog import shipped_policy

    store, db_key = create_store(path, org=org, policy=shipped_policy(policy), user=user,
                                 role=role, passphrase=passphrase, kdf=KDF_PROFILES[kdf],
                                 now=now())
    store.close()
    return Created(path=path, keys=store.paths.keys, recovery_key=db_key)


def backup(store: Store, target: Path) -> BackupMade:
    return write_backup(store, target, now())


def restore(path: Path, source: Path, *, passphrase: Callable[[], str],
            user: str | None) -> Restored:
    return restore_backup(path, source, passphrase=passphrase, user=user, now=now())


@dataclass(frozen=True)
class Demo:
    path: Path
    org: str
    user: str
    passphrase: str
    first_policy: str
    second_policy: str
    people: list[PersonRow]
    contracts: list[ContractRow]
    sessions_held: int
    recent_sessions: list[SessionRow]


def demo(path: Path) -> Demo:
    """Build the sample store at `path` (a simulated year, through the ordinary paths) and read
    back its staff, contracts and latest sessions."""
    from supervise.demo import trust as sample
    from supervise.demo.history import at
    from supervise.demo.signing import SampleSigner
    from supervise.store.catalog import shipped_policy
    from supervise.store.queries.session_rows import list_sessions, session_row
    from supervise.store.records.contracts import contract_row, list_contracts
    from supervise.store.records.people import list_people, person_row

    built, _ = create_store(path, org=sample.ORG, policy=shipped_policy(sample.FIRST_POLICY),
                            user=sample.USER, role="Designated Safeguarding Lead",
                            passphrase=sample.PASSPHRASE, kdf=KDF_PROFILES["strong"],
                            now=at(sample.START), demo=True)
    assert built.opened is not None
    with built, unit_of_work(built) as work:
        session, today = work.session, work.now.date()
        sample.build_sample(session, SampleSigner(sample.USER, built.opened.private_key))
        held = list_sessions(session)
        recent = [session_row(session, r) for r in held][-6:]
        people = [person_row(p) for p in list_people(session, include_left=False)]
        contracts = [contract_row(session, c, today)
                     for c in list_contracts(session, today=today, include_closed=True)]
        return Demo(path=path, org=sample.ORG, user=sample.USER, passphrase=sample.PASSPHRASE,
                    first_policy=sample.FIRST_POLICY, second_policy=sample.SECOND_POLICY,
                    people=people, contracts=contracts, sessions_held=len(held),
                    recent_sessions=recent)
