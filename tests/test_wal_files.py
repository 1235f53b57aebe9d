"""A store left with its write-ahead log (a crash, a copy taken while it was open): a failed
unlock leaves the database, its -wal and -shm byte for byte as they were, and a database file
cut short is refused as damaged, not written to, while a log that legitimately extends it works."""

import hashlib
import json
import shutil

import pytest

from supervise.store.db import sqlcipher as sqlite
from supervise.store.db.opening import StorePaths
from tests.test_crash_and_concurrency import db_key

PAD = 120_000  # bytes: enough new pages that the log reaches past the database file's end


def _files(db):
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]


def _bytes(db):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
            for p in [*_files(db), StorePaths(db).keys]}


def crashed_copy(cli, store, key, tmp_path, *, grow: bool = False):
    """The store's files as a crash leaves them: a committed person (and, with `grow`, new
    pages) still only in the log, because another connection kept it from being written back."""
    holder = sqlite.connect(store, key)
    holder.execute("SELECT count(*) FROM person").fetchone()
    assert cli("person", "add", "Wal Person", "--role", "Teacher").code == 0
    if grow:
        writer = sqlite.connect(store, key)
        writer.execute("INSERT INTO store_meta (key, value) VALUES ('pad', ?)", ("x" * PAD,))
        writer.close()
    crash = tmp_path / "crash"
    crash.mkdir()
    for suffix in ("", "-wal", "-shm", ".keys"):
        shutil.copy2(store.with_name(store.name + suffix), crash / (store.name + suffix))
    holder.close()
    db = crash / store.name
    assert db.with_name(db.name + "-wal").stat().st_size > 0
    return db


@pytest.fixture
def crashed(cli, store, recovery_key, tmp_path):
    return crashed_copy(cli, store, db_key(recovery_key), tmp_path)


def names(cli, db):
    result = cli("person", "list", "--json", store=db)
    assert result.code == 0, result.err
    return [p["name"] for p in json.loads(result.out)]


def test_a_wrong_recovery_key_leaves_the_log_unchanged(cli, crashed, recovery_key, tmp_path):
    wrong = tmp_path / "wrong-key.txt"
    wrong.write_text(recovery_key[:-4] + ("aaaa" if not recovery_key.endswith("aaaa")
                                          else "bbbb") + "\n")
    wrong.chmod(0o600)
    before = _bytes(crashed)
    result = cli("key", "recover", "--recovery-key-file", str(wrong), store=crashed)
    assert result.code == 3 and "does not open this store" in result.err, result.err
    assert _bytes(crashed) == before
    assert "Wal Person" in names(cli, crashed)


def test_a_key_file_of_another_store_leaves_the_log_unchanged(cli, crashed, tmp_path):
    other = tmp_path / "other" / "store.db"
    assert cli("init", "--org", "Other", "--user", "Jordan Example", "--kdf", "owasp-minimum",
               store=other).code == 0
    own_keys = StorePaths(crashed).keys.read_bytes()
    StorePaths(crashed).keys.write_bytes(StorePaths(other).keys.read_bytes())
    before = _bytes(crashed)
    result = cli("person", "list", store=crashed)
    assert result.code == 3 and "does not open with its key file" in result.err
    assert _bytes(crashed) == before
    StorePaths(crashed).keys.write_bytes(own_keys)
    assert "Wal Person" in names(cli, crashed)


def test_a_wrong_passphrase_leaves_the_log_unchanged(cli, crashed):
    before = _bytes(crashed)
    result = cli("person", "list", store=crashed, passphrase="not the passphrase")
    assert result.code == 3
    assert _bytes(crashed) == before


def test_a_database_cut_short_beside_its_log_is_refused_not_written(cli, crashed):
    raw = crashed.read_bytes()
    crashed.write_bytes(raw[: len(raw) - 3 * sqlite.PAGE_SIZE])  # pages only a rare read needs
    before = _bytes(crashed)
    result = cli("person", "add", "After The Cut", "--role", "Teacher", store=crashed)
    assert result.code == 1, result.err
    assert "truncated or damaged" in result.err and "backup" in result.err
    assert _bytes(crashed) == before


def test_a_log_that_reaches_past_the_database_file_is_not_damage(cli, store, recovery_key,
                                                                tmp_path):
    db = crashed_copy(cli, store, db_key(recovery_key), tmp_path, grow=True)
    conn = sqlite.connect(db, db_key(recovery_key), read_only=True)
    try:
        (pages,) = conn.execute("PRAGMA page_count").fetchone()
    finally:
        conn.close()
    assert db.stat().st_size < pages * sqlite.PAGE_SIZE, "the log does not extend the file"
    assert cli("person", "add", "After The Crash", "--role", "Teacher", store=db).code == 0
    assert {"Wal Person", "After The Crash"} <= set(names(cli, db))
    assert cli("doctor", store=db).code == 0
