"""Everything specific to SQLite and SQLCipher lives here, so the rest of the store stays portable.

The raw 256-bit key is the first statement on every connection (PITFALLS: a global connect listener
runs too late), SQLCipher's log is silenced before anything can fail, and a fail-fast query turns
a wrong key into an error at once instead of at the first real query.
"""

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supervise.errors import DiskFullError, Hint, StoreFileError, SuperviseError, disk_full
from supervise.files import create_private_file, no_space_left

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect, Engine

PAGE_SIZE = 4096
BUSY_TIMEOUT_MS = 5000
SOLE_ACCESS_WAIT_MS = 1000
PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"


class WrongKey(Exception):
    """The key does not decrypt this file (or the file is not a SQLCipher database)."""


def dialect() -> "Dialect":
    """The SQL dialect the DDL is rendered in."""
    from sqlalchemy.dialects import sqlite

    return sqlite.dialect()


def check_store_file(path: Path) -> None:
    """Refuse, without opening or changing it, a path that cannot be a supervise store."""
    if not path.exists():
        raise StoreFileError(
            f"No store at {path}.", Hint.of("create_or_point_at_store")
        )
    if not path.is_file():  # a folder, or a named pipe that would wait for ever
        kind = "a folder" if path.is_dir() else "a pipe or device"
        raise StoreFileError(f"{path} is {kind}, not a store file: give the store's file path.")
    size = path.stat().st_size
    if size == 0:
        raise StoreFileError(
            f"{path} is empty, not a supervise store:", Hint.of("check_store_or_restore")
        )
    with path.open("rb") as handle:
        head = handle.read(len(PLAIN_SQLITE_HEADER))
    if head == PLAIN_SQLITE_HEADER:
        raise StoreFileError(
            f"{path} is an unencrypted SQLite database, not a supervise store:",
            Hint.of("check_store")
        )
    if size % PAGE_SIZE:
        raise StoreFileError(
            f"{path} is truncated or damaged (its size is not whole pages): restore it from "
            "a backup."
        )
    missing = _pages_nowhere(path) and _pages_nowhere(path)  # twice: a checkpoint meanwhile
    if missing:
        raise StoreFileError(
            f"{path} is truncated or damaged ({missing} of its pages are neither in the file "
            "nor in its write-ahead log): restore it from a backup."
        )


_WAL_MAGIC = (0x377F0682, 0x377F0683)
_WAL_HEADER, _FRAME_HEADER = 32, 24


def _pages_nowhere(path: Path) -> int:
    """How many pages the database has, by the last transaction committed to its write-ahead
    log, that are neither in the file nor in that log: a file cut short. Without a log SQLite
    finds a short file itself; with one it takes the size the log gives and reads a missing page
    as empty, so a cut file would be written to. Frame headers are not encrypted; read without
    the key, taking no lock and changing nothing. The log is read before the file's size, so a
    checkpoint meanwhile (which fills the file before the log starts again) is never damage."""
    import struct

    wal = Path(f"{path}-wal")
    if not wal.is_file():  # none (or not a file SQLite would take as its log)
        return 0
    try:
        with wal.open("rb") as log:
            header = log.read(_WAL_HEADER)
            if len(header) < _WAL_HEADER:
                return 0
            magic, _, page_size, _, salt1, salt2 = struct.unpack(">6I", header[:24])
            if magic not in _WAL_MAGIC or page_size != PAGE_SIZE:
                return 0
            logged: set[int] = set()
            pending: set[int] = set()
            pages = 0
            offset, end = _WAL_HEADER, os.fstat(log.fileno()).st_size
            while offset + _FRAME_HEADER + page_size <= end:  # a frame written whole
                frame = log.read(_FRAME_HEADER)
                number, commit, salt_a, salt_b = struct.unpack(">4I", frame[:16])
                if (salt_a, salt_b) != (salt1, salt2):
                    break  # a frame of an earlier log: the current one ends here
                pending.add(number)
                if commit:  # the last frame of a committed transaction: its database size
                    logged |= pending
                    pending = set()
                    pages = commit
                offset += _FRAME_HEADER + page_size
                log.seek(offset)
    except (FileNotFoundError, IsADirectoryError):
        return 0
    in_file = path.stat().st_size // PAGE_SIZE
    return sum(1 for page in range(in_file + 1, pages + 1) if page not in logged)


PAGE_CACHE_KIB = 32 * 1024


def connect(path: Path, key: bytes, *, create: bool = False, prefer_wal: bool = True,
            read_only: bool = False, untouched: bool = False):
    """A keyed sqlcipher3 connection in autocommit mode (SQLAlchemy emits BEGIN itself).
    `read_only`: the file is never written, not even by a checkpoint at close (doctor on a
    damaged store). `untouched` (with `read_only`): nor is anything made beside it: no -wal or
    -shm, which a read-only connection otherwise leaves behind; SQLite then takes no locks
    (immutable), so only for a file that has no log, which no other connection has open."""
    from urllib.parse import quote

    import sqlcipher3.dbapi2 as dbapi

    if create:
        create_private_file(path)
    elif not (read_only and untouched) and Path(f"{path}-wal").exists():
        _key_opens(path, key)  # before SQLite replays or writes back the log under a wrong key
    target = f"file:{quote(str(path))}?mode=ro" if read_only else str(path)
    target += "&immutable=1" if read_only and untouched else ""
    conn = dbapi.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False,
                         uri=read_only)
    conn.isolation_level = None
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except dbapi.DatabaseError as exc:
            if "not a database" in str(exc):
                raise WrongKey() from None
            if is_busy(exc):  # another process holds the file (restore, key rotate): not damage
                raise StoreInUse() from None
            if disk_full(exc) or no_space_left(path):  # no room for the log: not damage either
                raise DiskFullError() from None
            raise StoreFileError(
                f"{path} is truncated or damaged ({_reason(exc)}): restore it from a backup."
            ) from None
        if not conn.execute("PRAGMA cipher_version").fetchone():
            raise StoreFileError("This Python's SQLite has no SQLCipher: reinstall supervise.")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA synchronous = FULL")
        # Every page read is decrypted; the 2 MB default cache re-decrypts the same index pages
        # over and over on a large store. 32 MB (filled only as pages are read) keeps `overdue`
        # on SPEC §9's large trust well inside its 1 s and 200 MB.
        conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
        if prefer_wal and not read_only:
            _prefer_wal(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _key_opens(path: Path, key: bytes) -> None:
    """WrongKey unless `key` opens the file, judged on the file alone and changing nothing. A
    connection that finds a write-ahead log beside the file rebuilds its index and, being the
    last to close, writes the log back into the file: even under a wrong key, so a failed unlock
    would change the store. Opened immutable, SQLite neither looks at the log nor locks or
    writes anything. A checkpoint by another process may be rewriting the first page as it is
    read, so a refusal is asked twice more before it counts."""
    from urllib.parse import quote

    import sqlcipher3.dbapi2 as dbapi

    for attempt in range(3):
        conn = dbapi.connect(f"file:{quote(str(path))}?mode=ro&immutable=1", uri=True,
                             check_same_thread=False)
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return
        except dbapi.DatabaseError as exc:
            if "not a database" not in str(exc):
                return  # damage or the like: the connection proper finds and names it
        finally:
            conn.close()
        if attempt < 2:
            time.sleep(0.02)
    raise WrongKey()


def _prefer_wal(conn) -> None:
    """WAL lets readers work beside a writer. Changing mode needs sole access; if others have the
    file open it stays as it is, which is still safe."""
    import sqlcipher3.dbapi2 as dbapi

    try:
        conn.execute("PRAGMA journal_mode = WAL")
    except dbapi.OperationalError:
        pass


class StoreInUse(SuperviseError):
    def __init__(self) -> None:
        super().__init__(
            "Another supervise process has the store open: finish or close it (including any "
            "session being recorded), then run this again."
        )


@contextmanager
def sole_access(conn, path: Path) -> Iterator[None]:
    """Hold the database file exclusively for the block: refuse if any other connection has it
    open, and keep every other process out until the block ends.

    For replacing the file (rotation): when the block ends, the old file's first page is wiped,
    so a process that opened it meanwhile fails loudly instead of writing where nobody looks.
    """
    import sqlcipher3.dbapi2 as dbapi

    try:
        conn.execute(f"PRAGMA busy_timeout = {SOLE_ACCESS_WAIT_MS}")
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")  # in exclusive locking mode the lock is kept until close
        if mode != "delete":
            raise StoreInUse()
    except dbapi.OperationalError as exc:
        conn.close()
        if is_damage(exc):
            raise StoreFileError(f"{path} is damaged ({_reason(exc)}).") from None
        raise StoreInUse() from None
    except dbapi.DatabaseError as exc:
        conn.close()
        raise StoreFileError(f"{path} is damaged ({_reason(exc)}).") from None
    except BaseException:
        conn.close()
        raise
    old_file = os.open(path, os.O_RDWR)
    try:
        yield
        if os.fstat(old_file).st_ino != path.stat().st_ino:
            os.pwrite(old_file, b"\0" * PAGE_SIZE, 0)
            os.fsync(old_file)
    finally:
        conn.close()  # releases the lock; only then may our own descriptor close (POSIX locks)
        os.close(old_file)


def _reason(exc: Exception) -> str:
    # sqlite3 messages carry no SQL or parameters, only the condition ("disk image is malformed").
    return str(exc).split("\n")[0][:80]


def is_busy(exc: BaseException | None) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def is_damage(exc: BaseException | None) -> bool:
    text = str(exc)
    return any(
        marker in text
        for marker in ("malformed", "not a database", "disk I/O error", "file is encrypted")
    )


def engine(path: Path, key: bytes, *, writes: bool, untouched: bool = False,
           reading: bool = False, waits: bool = True) -> "Engine":
    """The SQLAlchemy engine over the keyed file. A writing engine takes the write lock as each
    transaction begins, so two processes appending to the audit chain never both read the same
    last link; with `waits=False` a transaction that finds it taken fails at once. A `reading`
    one (a command that only reads, beside any writer) begins each transaction deferred: one
    snapshot, never the write lock, so never a wait for a writer, on connections that refuse
    to write (query_only)."""
    import sqlcipher3.dbapi2 as dbapi
    from sqlalchemy import create_engine, event

    def connection():
        conn = connect(path, key, read_only=not (writes or reading), untouched=untouched)
        if reading:
            conn.execute("PRAGMA query_only = ON")
        if not waits:
            conn.execute("PRAGMA busy_timeout = 0")
        return conn

    made = create_engine("sqlite:///" + str(path), module=dbapi, hide_parameters=True,
                         creator=connection)
    if reading:
        event.listen(made, "begin", lambda conn: conn.exec_driver_sql(READ_TRANSACTION))
    elif writes:
        event.listen(made, "begin", lambda conn: conn.exec_driver_sql(WRITE_TRANSACTION))
    return made


READ_TRANSACTION = "BEGIN DEFERRED"


@contextmanager
def transaction(path: Path, key: bytes, *, reading: bool = True,
                waits: bool = True) -> Iterator[Any]:
    """A raw keyed connection in one transaction: `reading`, a deferred snapshot on a connection
    that refuses to write (as the reading engine's); else the write lock held from the start
    (with `waits=False`, failing at once if another process holds it). Committed when the
    block ends."""
    conn = connect(path, key)
    try:
        if reading:
            conn.execute("PRAGMA query_only = ON")
        elif not waits:
            conn.execute("PRAGMA busy_timeout = 0")
        (conn.execute(READ_TRANSACTION) if reading else begin_write(conn))
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back already (a full disk)
                try:
                    conn.execute("ROLLBACK")
                except Exception:  # noqa: BLE001 - the error that brought us here is the one
                    pass
            raise
        conn.execute("COMMIT")
    finally:
        conn.close()


def driver_error(exc: BaseException) -> BaseException | None:
    """The driver's own error in `exc`: itself, or the one SQLAlchemy wrapped; else None."""
    import sqlcipher3.dbapi2 as dbapi

    if isinstance(exc, dbapi.Error):
        return exc
    inner = getattr(exc, "orig", None)
    return inner if isinstance(inner, dbapi.Error) else None


WRITE_TRANSACTION = "BEGIN IMMEDIATE"


def begin_write(conn) -> None:
    """Open a transaction holding the write lock on a raw connection (migrations)."""
    try:
        conn.execute(WRITE_TRANSACTION)
    except Exception as exc:
        if is_busy(exc):
            raise StoreInUse() from None
        raise


def has_table(conn, name: str) -> bool:
    return bool(conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                             "name = ?", (name,)).fetchone()[0])


def damaged_pages(conn) -> list[str]:
    """SQLCipher's HMAC check of every page: one line per page that fails."""
    return [row[0] for row in conn.execute("PRAGMA cipher_integrity_check")]


def structure_problems(conn) -> list[str]:
    """SQLite's own check of the file's structure, and rows that point at nothing."""
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    problems = [] if problems == ["ok"] else problems
    orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
    if orphans:
        problems.append(f"{len(orphans)} row(s) point at records that do not exist")
    return problems


def backup_to(conn, target: Path) -> None:
    """An encrypted, consistent copy under the same key (VACUUM INTO keeps the codec)."""
    create_private_file(target)
    conn.execute(f"VACUUM INTO {_sql_string(target)}")


def export_rekeyed(conn, target: Path, new_key: bytes) -> None:
    """Copy the whole database into `target` encrypted under `new_key`."""
    create_private_file(target)
    conn.execute(f"ATTACH DATABASE {_sql_string(target)} AS rekeyed KEY \"x'{new_key.hex()}'\"")
    try:
        conn.execute("SELECT sqlcipher_export('rekeyed')")
        conn.execute("PRAGMA rekeyed.journal_mode = WAL")
    finally:
        conn.execute("DETACH DATABASE rekeyed")


def _sql_string(path: Path) -> str:
    """A path as an SQL string literal (these statements take no bound parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def append_only_triggers(table: str) -> list[str]:
    """DDL that makes `table` refuse every UPDATE and DELETE."""
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
    ]


SIGNED_REFUSAL = "signed records are never changed"


def signed_by(record_type: str, id_expr: str) -> str:
    """SQL true when record `id_expr` of `record_type` carries at least one signature."""
    return (f"EXISTS (SELECT 1 FROM signature WHERE record_type = '{record_type}' "
            f"AND record_id = {id_expr})")


def refuse_when(table: str, event: str, condition: str, *,
                columns: Sequence[str] = (), message: str = SIGNED_REFUSAL) -> str:
    """DDL for a trigger that refuses `event` (INSERT, UPDATE or DELETE) on `table` whenever
    `condition` holds: the database's own guard on signed records (or on `message`'s rule)."""
    of = f" OF {', '.join(columns)}" if columns else ""
    trigger = f"{table}_{'signed' if message == SIGNED_REFUSAL else 'guard'}_{event.lower()}"
    return (f"CREATE TRIGGER {trigger} BEFORE {event}{of} ON {table} FOR EACH ROW "
            f"WHEN {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END")


def drop_refusal(table: str, event: str, *, message: str = SIGNED_REFUSAL) -> str:
    """DDL that drops the trigger refuse_when made for `table` and `event` (to make it again
    over more columns)."""
    return f"DROP TRIGGER {table}_{'signed' if message == SIGNED_REFUSAL else 'guard'}_" \
           f"{event.lower()}"


def drop_not_null(table: str, column: str) -> Callable[[Any], None]:
    """A migration step that lets `column` of `table` be empty. SQLite cannot ALTER a column's
    NOT NULL; its documented way for this change (which leaves the stored rows as they are) is
    to edit the table's definition in the schema, inside the migration's transaction, and bump
    the schema version so every connection reads it again."""

    def step(conn: Any) -> None:
        import re

        (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                              (table,)).fetchone()
        pattern = re.compile(rf"(\b{re.escape(column)} [A-Z]+) NOT NULL\b")
        if not pattern.search(sql):
            return  # already nullable (made from today's declaration)
        relaxed, count = pattern.subn(r"\1", sql)
        if count != 1:
            raise ValueError(f"{table}.{column} is declared {count} times")
        (version,) = conn.execute("PRAGMA schema_version").fetchone()
        conn.execute("PRAGMA writable_schema = ON")
        try:
            conn.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                         (relaxed, table))
            conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
        finally:
            conn.execute("PRAGMA writable_schema = OFF")

    return step


@contextmanager
def guards_lifted(conn, tables: Sequence[str]) -> Iterator[None]:
    """Within the caller's transaction, drop the triggers that refuse changes to `tables` and
    put exactly the same ones back after the block: retention's destruction of records whose
    time is up, which nothing else may do. A crash or an error rolls back both."""
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ("
        + ", ".join(f"'{t}'" for t in tables) + ")").fetchall()
    for name, _ in found:
        conn.exec_driver_sql(f"DROP TRIGGER {name}")
    yield
    for _, sql in found:
        conn.exec_driver_sql(sql)


def triggers(conn) -> dict[str, str]:
    """Every trigger the schema holds, by name, with its SQL as stored (on a SQLAlchemy
    connection): held against the set the migrations make (integrity/guards.py)."""
    return {name: sql for name, sql in conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()}


def checkpoint_truncate(path: Path, key: bytes) -> bool:
    """Write the log into the database and empty it, so destroyed rows' old page images do not
    linger in the write-ahead log (secure_delete zeroes them in the database itself). False if
    another process kept it from finishing (a reader); the log is emptied at a later close."""
    conn = connect(path, key)
    try:
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.close()
    return not (busy and busy[0])


def frozen_with(table: str, condition_on: Callable[[str], str]) -> list[str]:
    """Triggers that refuse inserting, changing or deleting rows of `table` once the record they
    belong to is signed; `condition_on("NEW")` / `("OLD")` says whether it is."""
    return [refuse_when(table, "INSERT", condition_on("NEW")),
            refuse_when(table, "UPDATE", condition_on("OLD")),
            refuse_when(table, "DELETE", condition_on("OLD"))]
