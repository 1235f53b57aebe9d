"""Schema migrations: applied on open, after an automatic encrypted backup."""

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from supervise.errors import StoreFileError
from supervise.store.db import ddl
from supervise.store.db import migrations as schema
from supervise.store.db import sqlcipher as sqlite
from supervise.store.db.opening import StorePaths, unlock_store
from supervise.store.db.tables import SQLModel
from tests.clock import NOON
from tests.helpers import PASSPHRASE, file_mode

NOW = NOON  # the product clock at the start of each test


def db_key(store):
    opened = unlock_store(store, passphrase=lambda: PASSPHRASE, user=None, now=NOW)
    opened.close()
    return opened.db_key


FROZEN_SCHEMA = Path(__file__).parent / "data" / "schema-8.sql"


def shape(conn) -> dict:
    """What a schema is, as SQLite reports it: each table's columns (order, type, NOT NULL,
    default, key), foreign keys, indexes (name, unique, columns), AUTOINCREMENT; each trigger."""
    found: dict = {}
    for kind, name, sql in conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
            "AND type IN ('table', 'trigger') ORDER BY name"):
        if kind == "trigger":
            found[name] = " ".join(sql.split())
            continue
        indexes = set()
        for index in conn.execute(f"PRAGMA index_list({name})"):
            columns = tuple(c[2] for c in conn.execute(f"PRAGMA index_info('{index[1]}')"))
            indexes.add((index[1] if index[3] == "c" else index[3], bool(index[2]), columns))
        found[name] = (
            tuple(conn.execute(f"PRAGMA table_info({name})")),
            frozenset(tuple(r[2:5]) for r in conn.execute(f"PRAGMA foreign_key_list({name})")),
            frozenset(indexes),
            "AUTOINCREMENT" in sql.upper(),
        )
    return found


def frozen_store(path: Path):
    conn = sqlite3.connect(path)
    conn.executescript(FROZEN_SCHEMA.read_text())
    return conn


def schema_8_store(path: Path):
    """A new store made by migrations 1-8 only: the schema every store had before 9."""
    import os

    conn = sqlite.connect(path, os.urandom(32), create=True)
    schema.migrate(conn, path, NOW, migrations=schema.MIGRATIONS[:8])
    return conn


def test_migrations_1_to_8_make_the_shape_stores_have_always_had(tmp_path):
    """Migrations render tables, indexes and columns from the declarations (as each table was
    first made): migrations 1-8 make, table by table, index by index and trigger by trigger,
    what their hand-written DDL made (frozen in tests/data/schema-8.sql)."""
    conn = schema_8_store(tmp_path / "eight.db")
    frozen = frozen_store(tmp_path / "frozen.db")
    try:
        made, then = shape(conn), shape(frozen)
        assert made.keys() == then.keys()
        for name in then:
            assert made[name] == then[name], name
        assert schema.schema_version(conn) == 8
    finally:
        conn.close()
        frozen.close()


def declared_tables(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'declared.db'}")
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    declared = sqlite3.connect(tmp_path / "declared.db")
    try:
        return shape(declared)
    finally:
        declared.close()


def test_a_new_store_has_the_shape_of_the_declarations(store, tmp_path):
    """The models are the one source: creating every table straight from them gives the tables
    the migrations give a new store (so no index, key, default or AUTOINCREMENT lives only in a
    migration), at the latest schema."""
    conn = sqlite.connect(store, db_key(store))
    try:
        tables = {k: v for k, v in shape(conn).items() if isinstance(v, tuple)}
        assert tables == declared_tables(tmp_path)
        assert schema.schema_version(conn) == schema.latest_version() == 13
    finally:
        conn.close()


def test_a_schema_8_store_migrated_has_the_shape_of_a_new_one(store, tmp_path):
    """Migration 9 brings a store of schema 8 to what a new store is, triggers and all: each
    child's own status in a case, an action owned by a contact (owner_id may be empty) and
    tied to an agenda item, and the signed guard over the action's new columns."""
    old = schema_8_store(tmp_path / "eight.db")
    new = sqlite.connect(store, db_key(store))
    try:
        backup = schema.migrate(old, tmp_path / "eight.db", NOW)
        assert backup is not None and backup.name.endswith("-schema-8.db")
        migrated, made = shape(old), shape(new)
        assert migrated.keys() == made.keys()
        for name in made:
            assert migrated[name] == made[name], name
        owner = [c for c in migrated["action_item"][0] if c[1] == "owner_id"]
        assert owner[0][3] == 0  # NOT NULL no more
        family = [c for c in migrated["case_discussion"][0] if c[1] == "family_id"]
        assert family[0][3] == 0  # migration 12: an experience shared about no one family
        assert "owner_contact" in migrated["action_item_signed_update"]
        assert sqlite.structure_problems(old) == []
    finally:
        old.close()
        new.close()


def test_migration_9_keeps_every_row_and_lets_an_action_be_owned_by_a_contact(tmp_path):
    path = tmp_path / "eight.db"
    conn = schema_8_store(path)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("INSERT INTO action_item (id, text, owner_id, due_on, session_id, status, "
                     "created_at, updated_at, agreed_due_on) VALUES (1, 'x', 1, '2026-03-01', 1, "
                     "'open', '', '', '2026-03-01')")
        conn.execute("INSERT INTO case_child (case_id, child_id) VALUES (1, 1)")
        schema.migrate(conn, path, NOW)
        assert list(conn.execute("SELECT id, owner_id, owner_contact FROM action_item")) == [
            (1, 1, None)]
        assert list(conn.execute("SELECT status, status_since, local_ref FROM case_child")) == [
            (None, None, None)]
        conn.execute("INSERT INTO action_item (id, text, owner_id, owner_contact, owner_role, "
                     "due_on, session_id, status, created_at, updated_at) VALUES (2, 'y', NULL, "
                     "'Jo Bloggs', 'social worker', '2026-03-01', 1, 'open', '', '')")
        assert list(conn.execute("PRAGMA integrity_check")) == [("ok",)]
    finally:
        conn.close()


def test_migration_12_keeps_every_case_and_lets_one_name_no_family(tmp_path):
    path = tmp_path / "eight.db"
    conn = schema_8_store(path)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        with pytest.raises(Exception, match="NOT NULL constraint failed"):
            conn.execute("INSERT INTO case_discussion (id, session_id, position, family_id, "
                         "status, answers, saved_at) VALUES (9, 1, 9, NULL, 'none', '{}', '')")
        conn.execute("INSERT INTO case_discussion (id, session_id, position, family_id, status, "
                     "answers, saved_at) VALUES (1, 1, 1, 1, 'none', '{}', '')")
        schema.migrate(conn, path, NOW)
        conn.execute("INSERT INTO case_discussion (id, session_id, position, family_id, status, "
                     "answers, saved_at) VALUES (2, 1, 2, NULL, 'none', '{}', '')")
        assert list(conn.execute("SELECT id, family_id FROM case_discussion ORDER BY id")) == [
            (1, 1), (2, None)]
        assert list(conn.execute("PRAGMA integrity_check")) == [("ok",)]
    finally:
        conn.close()


def test_a_migration_names_only_what_is_declared():
    with pytest.raises(ValueError, match="no column"):
        ddl.create_table("person", later=["nickname"])
    with pytest.raises(ValueError, match="no index"):
        ddl.create_index("person", "ix_person_nickname")
    assert ddl.add_column("person", "supervisor_since") == (
        "ALTER TABLE person ADD COLUMN supervisor_since DATE")


def test_a_pending_migration_is_applied_after_an_encrypted_private_backup(store):
    key = db_key(store)
    latest = schema.latest_version()
    extra = [*schema.MIGRATIONS,
             (latest + 1, ["CREATE TABLE later_feature (id INTEGER PRIMARY KEY)"])]
    conn = sqlite.connect(store, key)
    try:
        backup = schema.migrate(conn, store, NOW, migrations=extra)
        assert schema.schema_version(conn) == latest + 1
    finally:
        conn.close()
    assert backup is not None and backup.parent == StorePaths(store).backups
    assert file_mode(backup) == 0o600 and file_mode(backup.parent) == 0o700
    assert not backup.read_bytes().startswith(b"SQLite format 3")
    old = sqlite.connect(backup, key)  # the backup opens with the same key, at the old schema
    try:
        assert schema.schema_version(old) == latest
    finally:
        old.close()


def test_a_store_from_a_newer_version_is_refused_untouched(store):
    key = db_key(store)
    conn = sqlite.connect(store, key)
    conn.execute("UPDATE store_meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(StoreFileError, match="newer supervise"):
        unlock_store(store, passphrase=lambda: PASSPHRASE, user=None, now=NOW)


def test_a_failed_migration_leaves_the_old_schema(store):
    key = db_key(store)
    latest = schema.latest_version()
    broken = [*schema.MIGRATIONS,
              (latest + 1, ["CREATE TABLE ok_table (id INTEGER)", "NOT SQL AT ALL"])]
    conn = sqlite.connect(store, key)
    try:
        with pytest.raises(Exception, match="syntax error"):
            schema.migrate(conn, store, NOW, migrations=broken)
        assert schema.schema_version(conn) == latest
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "ok_table" not in tables
    finally:
        conn.close()


def test_migration_4_keeps_each_actions_agreed_due_date(tmp_path):
    """Stores from before sign-off: an action's due date as agreed is its first review's
    `due_before` when it was rescheduled since, else its due date."""
    import os

    path, key = tmp_path / "old.db", os.urandom(32)
    conn = sqlite.connect(path, key, create=True)
    try:
        schema.migrate(conn, path, NOW, migrations=schema.MIGRATIONS[:3])
        conn.execute("PRAGMA foreign_keys = OFF")
        for number, due in ((1, "2026-03-01"), (2, "2026-05-20")):
            conn.execute("INSERT INTO action_item (id, text, owner_id, due_on, session_id, "
                         "status, created_at, updated_at) VALUES (?, 'x', 1, ?, 1, 'open', '', "
                         "'')", (number, due))
        conn.execute("INSERT INTO action_review (action_id, outcome, note, due_before, "
                     "due_after, reviewed_at, reviewed_by) VALUES (2, 'rescheduled', '', "
                     "'2026-04-01', '2026-05-20', '', '')")
        backup = schema.migrate(conn, path, NOW, migrations=schema.MIGRATIONS[:4])
        rows = conn.execute("SELECT id, due_on, agreed_due_on FROM action_item ORDER BY id")
        assert list(rows) == [(1, "2026-03-01", "2026-03-01"), (2, "2026-05-20", "2026-04-01")]
        assert backup is not None and backup.name.endswith("-schema-3.db")
        assert schema.schema_version(conn) == 4
    finally:
        conn.close()


def test_migration_5_dates_each_supervisor_from_their_start_or_when_they_were_added(tmp_path):
    """The training deadline runs from becoming a supervisor; older stores did not record it."""
    import os

    path, key = tmp_path / "old.db", os.urandom(32)
    conn = sqlite.connect(path, key, create=True)
    try:
        schema.migrate(conn, path, NOW, migrations=schema.MIGRATIONS[:4])
        for name, start, supervises in (("Ann", "2019-09-01", 1), ("Bob", None, 1),
                                        ("Cat", "2020-01-06", 0)):
            conn.execute("INSERT INTO person (name, name_key, role, start_date, is_supervisor, "
                         "created_at, updated_at) VALUES (?, ?, 'DSL', ?, ?, "
                         "'2025-08-25T16:30:00Z', '')", (name, name.lower(), start, supervises))
        schema.migrate(conn, path, NOW)
        rows = conn.execute("SELECT name, supervisor_since FROM person ORDER BY name")
        assert list(rows) == [("Ann", "2019-09-01"), ("Bob", "2025-08-25"), ("Cat", None)]
        assert schema.schema_version(conn) == schema.latest_version() >= 5
    finally:
        conn.close()
