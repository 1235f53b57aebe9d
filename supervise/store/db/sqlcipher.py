"""Everything specific to SQLite and SQLCipher lives here, so the rest of the store stays portable.

The raw 256-bit key is the first statement on every connection (PITFALLS: a global connect listener
runs too late), SQLCipher's log is silenced before anything can fail, and a fail-fast query turns
a wrong key into an error at once instead of at the first real query.
"""

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supervise.errors import Hint, StoreFileError, SuperviseError
from supervise.files import create_private_file

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
    if not path.is_file():
        raise StoreFileError(f"{path} is a folder, not a store file: give the store's file path.")
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


PAGE_CACHE_KIB = 32 * 1024


def connect(path: Path, key: bytes, *, create: bool = False, prefer_wal: bool = True,
            read_only: bool = False):
    """A keyed sqlcipher3 connection in autocommit mode (SQLAlchemy emits BEGIN itself).
    `read_only`: the file is never written, not even by a checkpoint at close (doctor on a
    damaged store)."""
    from urllib.parse import quote

    import sqlcipher3.dbapi2 as dbapi

    if create:
        create_private_file(path)
    target = f"file:{quote(str(path))}?mode=ro" if read_only else str(path)
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


def engine(path: Path, key: bytes, *, writes: bool) -> "Engine":
    """The SQLAlchemy engine over the keyed file. A writing engine takes the write lock as each
    transaction begins, so two processes appending to the audit chain never both read the same
    last link."""
    import sqlcipher3.dbapi2 as dbapi
    from sqlalchemy import create_engine, event

    made = create_engine("sqlite:///" + str(path), module=dbapi, hide_parameters=True,
                         creator=lambda: connect(path, key, read_only=not writes))
    if writes:
        event.listen(made, "begin", lambda conn: conn.exec_driver_sql(WRITE_TRANSACTION))
    return made


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
