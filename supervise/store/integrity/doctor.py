"""`doctor` (SPEC §6): the store's file, its key file, SQLCipher's page check, SQLite's integrity
check, and the audit chain with every signed record, each reported as a finding in plain words
with what to do. The same checks vet a backup before `restore` puts it in place.

Nothing here writes to a store that failed a check: a damaged file is looked at, never changed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from supervise.errors import Hint, Spell, StoreFileError, SuperviseError, UnlockError, joined
from supervise.store.db import migrations as schema
from supervise.store.db import staging
from supervise.store.db.backend import backend
from supervise.store.db.engine import translated_errors
from supervise.store.db.opening import StorePaths, open_slot, open_with_slot, pick_slot
from supervise.store.db.tables import AuditEvent
from supervise.store.db.writing import Stamp
from supervise.store.integrity.audit_append import append_event
from supervise.store.integrity.chain_stream import Progress
from supervise.store.integrity.verify import verify_store
from supervise.store.keys.anchor import anchor_problems
from supervise.store.keys.key_file import KeyFile, OpenedSlot, load_keyfile

RESTORE = Hint.of("restore_newest_backup")
MAX_LISTED = 5


@dataclass(frozen=True)
class Finding:
    """One check's result: what was found (`detail`, with the hint of the error that said so)
    and what to do (`advice`), both hints worded by the CLI."""

    check: str
    ok: bool
    detail: str
    advice: Hint | None = None
    detail_hint: Hint | None = None

    def said(self, spell: Spell) -> str:
        return joined(self.detail, self.detail_hint, spell)

    def row(self, spell: Spell) -> dict:
        return {"check": self.check, "ok": self.ok, "detail": self.said(spell),
                "advice": spell(self.advice) if self.advice else ""}


class ChecksFailed(StoreFileError):
    """Checks that failed, each with what it found, in one line: `lead (check: detail; …):`
    then `hint`."""

    def __init__(self, lead: str, failed: list[Finding], hint: Hint) -> None:
        self.lead, self.failed = lead, failed
        super().__init__(self._line(lambda finding: finding.detail), hint)

    def _line(self, detail: Callable[[Finding], str]) -> str:
        return f"{self.lead} ({'; '.join(f'{f.check}: {detail(f)}' for f in self.failed)}):"

    def said(self, spell: Spell) -> str:
        return joined(self._line(lambda finding: finding.said(spell)), self.hint, spell)


@dataclass
class Checkup:
    findings: list[Finding]
    db_key: bytes | None = None

    @property
    def healthy(self) -> bool:
        return all(f.ok for f in self.findings)

    def add(self, check: str, ok: bool, detail: str | SuperviseError,
            advice: Hint | None = None) -> None:
        """A finding; its detail may be the error a check raised (whose hint is kept)."""
        if isinstance(detail, SuperviseError):
            self.findings.append(Finding(check, ok, detail.message, advice, detail.hint))
        else:
            self.findings.append(Finding(check, ok, detail, advice))


def file_check(path: Path, checkup: Checkup) -> bool:
    try:
        backend.check_store_file(path)
    except StoreFileError as error:
        if not path.is_file():
            raise  # no store at all is a wrong path, not damage
        checkup.add("store file", False, error, RESTORE)
        return False
    pages = path.stat().st_size // backend.PAGE_SIZE
    checkup.add("store file", True, f"{path} ({pages:,} pages of {backend.PAGE_SIZE} bytes)")
    return True


def key_check(keyfile: KeyFile, opened: OpenedSlot, checkup: Checkup) -> None:
    if keyfile.authentic(opened.db_key):
        holders = len(keyfile.slots)
        checkup.add("key file", True, f"intact; {holders} key holder{'s' * (holders != 1)}")
    else:
        checkup.add("key file", False, "its slots do not match their seal: it was damaged or "
                    "altered", Hint.of("rebuild_key_file_or_restore_it"))


def open_checked(path: Path, keys: list[bytes], checkup: Checkup, *, untouched: bool = False):
    """A raw connection under whichever of `keys` opens the file, or None (with a finding).
    `untouched`: nothing is made beside the file (sqlcipher.connect)."""
    for key in keys:
        try:
            conn = backend.connect(path, key, read_only=True, untouched=untouched)
        except backend.WrongKey:
            continue
        except StoreFileError as error:
            checkup.add("encryption", False, error, RESTORE)
            return None
        checkup.db_key = key
        return conn
    checkup.add("encryption", False, "the database does not open with its own key: its first "
                "page (which holds the encryption salt) is damaged, or the key file belongs to "
                "another store", RESTORE)
    return None


def page_checks(conn, checkup: Checkup) -> bool:
    """SQLCipher's HMAC check of every page, then SQLite's own structure and reference checks."""
    try:
        bad_pages = backend.damaged_pages(conn)
    except Exception as exc:  # noqa: BLE001 - a damaged file fails in many ways; all are findings
        checkup.add("encryption", False, f"the page check could not run ({_reason(exc)})",
                    RESTORE)
        return False
    if bad_pages:
        checkup.add("encryption", False, f"{len(bad_pages)} damaged page(s): "
                    + "; ".join(bad_pages[:MAX_LISTED]), RESTORE)
        return False
    checkup.add("encryption", True, "every page decrypts and matches its checksum (HMAC)")
    try:
        problems = backend.structure_problems(conn)
    except Exception as exc:  # noqa: BLE001
        checkup.add("database structure", False, f"the check could not run ({_reason(exc)})",
                    RESTORE)
        return False
    if problems:
        checkup.add("database structure", False, "; ".join(problems[:MAX_LISTED]), RESTORE)
        return False
    version, latest = schema.schema_version(conn), schema.latest_version()
    if version > latest:
        checkup.add("database structure", False, f"written by a newer supervise (schema "
                    f"{version}; this one knows {latest})", Hint.of("upgrade_before_using"))
        return False
    note = "" if version == latest else f"; schema {version}, brought to {latest} at next open"
    checkup.add("database structure", True, "SQLite's integrity check passes" + note)
    return True


def audit_check(session, checkup: Checkup, keyfile: KeyFile | None = None,
                opened: OpenedSlot | None = None, db: Path | None = None,
                progress: Progress | None = None) -> None:
    """The audit trail and everything signed (verify.py), and, given the unlocking holder's
    slot, the store held against what they last saw of it (keys/anchor.py)."""
    try:
        result = verify_store(session, progress=progress)
        behind = anchor_problems(session, keyfile, opened, db)
    except SuperviseError as error:
        checkup.add("audit trail", False, error, RESTORE)
        return
    if behind:
        checkup.add("last seen", False, "; ".join(behind[:MAX_LISTED]),
                    Hint.of("keep_store_for_investigation"))
    elif opened is not None:
        checkup.add("last seen", True, f"the store holds everything {opened.user} last saw")
    summary = (f"{result.events:,} events, {result.records:,} signed records, "
               f"{result.signatures:,} signatures")
    if result.problems:
        listed = "; ".join(result.problems[:MAX_LISTED])
        more = len(result.problems) - MAX_LISTED
        checkup.add("audit trail", False, f"{len(result.problems)} problem(s) in {summary}: "
                    f"{listed}" + (f" (and {more} more)" if more > 0 else ""),
                    Hint.of("verify_audit_in_full"))
    else:
        checkup.add("audit trail", True, f"chain intact; {summary} verify")


def examine(path: Path, keys: list[bytes], checkup: Checkup, *, audit: bool = True,
            keyfile: KeyFile | None = None, opened: OpenedSlot | None = None,
            progress: Progress | None = None) -> None:
    """Every database check on the file at `path`; the audit check (unless `audit` is false)
    only on an intact file. A file with no log beside it is read without making one (a
    read-only connection otherwise leaves -wal and -shm behind, on a damaged store too)."""
    untouched = not any(path.with_name(path.name + end).exists() for end in ("-wal", "-shm"))
    conn = open_checked(path, keys, checkup, untouched=untouched)
    key = checkup.db_key  # set by open_checked with every connection it returns
    if conn is None or key is None:
        return
    if progress:
        progress("pages", 0, 0)
    try:
        intact = page_checks(conn, checkup)
    finally:
        conn.close()
    if intact and audit:
        from sqlmodel import Session


        engine = backend.engine(path, key, writes=False, untouched=untouched)
        try:
            with translated_errors(), Session(engine) as session:
                audit_check(session, checkup, keyfile, opened, path, progress)
        finally:
            engine.dispose()


def _reason(exc: BaseException) -> str:
    return str(exc).split("\n")[0][:80]


def doctor(db_path: Path, *, passphrase: Callable[[], str], user: str | None,
           now: datetime, progress: Progress | None = None) -> Checkup:
    """Every check on the store at `db_path`. Only a store that passes them all is opened
    normally (its unlock and this check are then audit events). `progress` hears how far the
    long checks have got."""

    paths = StorePaths(db_path)
    checkup = Checkup([])
    staging_check(paths, checkup)
    if not file_check(paths.db, checkup):
        return checkup
    try:
        keyfile = load_keyfile(paths.keys)
    except UnlockError as error:
        checkup.add("key file", False, error, Hint.of("rebuild_key_file_or_restore"))
        return checkup
    opened = open_slot(paths, keyfile, pick_slot(paths, keyfile, user, now), passphrase(), now)
    key_check(keyfile, opened, checkup)
    rotation_check(keyfile, checkup)
    examine(paths.db, [k for k in (opened.db_key, opened.next_key) if k], checkup,
            keyfile=keyfile, opened=opened, progress=progress)
    if checkup.healthy:
        with open_with_slot(paths, keyfile, opened, now) as store, store.session() as session:
            last = _last_backup(session)
            if last:
                checkup.add("backups", True, f"last backup taken {last[:10]}")
            else:
                checkup.add("backups", True, "no backup recorded", Hint.of("take_backup"))
            append_event(Stamp(session, now, store.actor), action="store.doctor",
                         detail={"checks": len(checkup.findings)})
    return checkup


def staging_check(paths: StorePaths, checkup: Checkup) -> None:
    """A restore cut short is finished first (renames only: staging.py); files a crash left
    behind are named, not removed, as another command may be using them now."""
    if staging.finish_swap(paths):
        checkup.add("restore", True, "a restore that was cut short has been finished")
    left = staging.leftovers(paths)
    if left:
        names = ", ".join(p.name for p in left[:MAX_LISTED])
        checkup.add("staging files", False,
                    f"{len(left)} file(s) left beside the store by a command that was cut short "
                    f"({names}); they hold encrypted copies of the store or its key file",
                    Hint.of("remove_staging_files"))


def rotation_check(keyfile: KeyFile, checkup: Checkup) -> None:
    if keyfile.rotation is not None:
        checkup.add("key rotation", False, "a key rotation was cut short: the recovery key "
                    "shown last still opens the store, but the new one was not confirmed",
                    Hint.of("finish_rotation"))


def _last_backup(session) -> str | None:
    from sqlmodel import func, select


    return session.exec(select(func.max(AuditEvent.at))
                        .where(AuditEvent.action == "store.backup")).first()
