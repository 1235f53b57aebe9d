"""Files that are not a healthy store are refused clearly and left exactly as they were."""

import json
import sqlite3

import pytest

from supervise.store.db.opening import StorePaths
from tests.helpers import fingerprint


def make_plain_sqlite(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE person (name TEXT)")
    conn.execute("INSERT INTO person VALUES ('Someone')")
    conn.commit()
    conn.close()


def test_an_empty_file_is_refused(cli, tmp_path):
    target = tmp_path / "empty.db"
    target.write_bytes(b"")
    result = cli("person", "list", store=target)
    assert result.code == 1 and "is empty" in result.err
    assert target.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]


def test_a_plain_sqlite_file_is_refused(cli, tmp_path):
    target = tmp_path / "plain.db"
    make_plain_sqlite(target)
    before = fingerprint(target)
    result = cli("person", "list", store=target)
    assert result.code == 1 and "unencrypted SQLite" in result.err
    assert fingerprint(target) == before


@pytest.mark.parametrize("keep", [0.5, 4096 + 100])
def test_a_truncated_store_is_refused_even_with_its_key_file(cli, store, keep):
    paths = StorePaths(store)
    raw = paths.db.read_bytes()
    cut = int(len(raw) * keep) if keep < 1 else keep
    paths.db.write_bytes(raw[:cut])
    before = fingerprint(paths.db, paths.keys)
    result = cli("person", "list")
    assert result.code == 1, result.err
    assert "truncated or damaged" in result.err and "backup" in result.err
    assert fingerprint(paths.db, paths.keys) == before


def test_a_store_cut_at_a_page_boundary_is_reported_damaged(cli, store):
    paths = StorePaths(store)
    raw = paths.db.read_bytes()
    assert len(raw) >= 3 * 4096
    paths.db.write_bytes(raw[: 2 * 4096])
    before = fingerprint(paths.db, paths.keys)
    result = cli("person", "list")
    assert result.code == 1 and "damaged" in result.err
    assert "Traceback" not in result.err
    assert fingerprint(paths.db, paths.keys) == before


def test_a_truncated_store_without_its_key_file_is_still_refused_as_a_file(cli, tmp_path):
    target = tmp_path / "torn.db"
    target.write_bytes(b"\x13" * 5000)
    result = cli("person", "list", store=target)
    assert result.code == 1 and "truncated" in result.err
    assert target.read_bytes() == b"\x13" * 5000


def test_a_missing_store_says_how_to_create_one(cli, tmp_path):
    result = cli("person", "list", store=tmp_path / "nowhere.db")
    assert result.code == 1 and "supervise init" in result.err
    assert list(tmp_path.iterdir()) == []


def test_a_folder_is_not_a_store(cli, tmp_path):
    result = cli("person", "list", store=tmp_path)
    assert result.code == 1 and "folder" in result.err


def test_a_foreign_store_file_with_a_real_key_file_is_refused(cli, store, tmp_path):
    other = tmp_path / "other" / "store.db"
    assert cli("init", "--org", "Other", "--user", "Other Person", "--kdf", "owasp-minimum",
               store=other).code == 0
    paths = StorePaths(store)
    paths.db.write_bytes(other.read_bytes())
    before = fingerprint(paths.db, paths.keys)
    result = cli("person", "list")
    assert result.code == 3 and "does not open with its key file" in result.err
    assert fingerprint(paths.db, paths.keys) == before


@pytest.mark.parametrize("damage", ["garbage", "truncated-json", "weak-kdf", "no-slots-field"])
def test_a_damaged_key_file_exits_3_and_points_to_recovery(cli, store, damage):
    paths = StorePaths(store)
    document = json.loads(paths.keys.read_text())
    if damage == "garbage":
        paths.keys.write_bytes(b"\x00\xff not json")
    elif damage == "truncated-json":
        paths.keys.write_text(paths.keys.read_text()[:100])
    elif damage == "weak-kdf":
        document["slots"][0]["kdf"]["memory_kib"] = 1024
        paths.keys.write_text(json.dumps(document))
    else:
        del document["slots"]
        paths.keys.write_text(json.dumps(document))
    before = fingerprint(paths.db, paths.keys)
    result = cli("person", "list")
    assert result.code == 3 and "key recover" in result.err
    assert fingerprint(paths.db, paths.keys) == before


def test_another_stores_key_file_does_not_open_this_one(cli, store, tmp_path):
    other = tmp_path / "other" / "store.db"
    assert cli("init", "--org", "Other", "--user", "Other Person", "--kdf", "owasp-minimum",
               store=other).code == 0
    paths = StorePaths(store)
    paths.keys.write_bytes(StorePaths(other).keys.read_bytes())
    before = fingerprint(paths.db, paths.keys)
    result = cli("person", "list")  # same passphrase, so only the database can tell
    assert result.code == 3 and "does not open with its key file" in result.err
    assert fingerprint(paths.db, paths.keys) == before


def test_init_refuses_to_overwrite_anything(cli, store):
    paths = StorePaths(store)
    before = fingerprint(paths.db, paths.keys)
    result = cli("init", "--org", "Again", "--user", "Someone Else", "--kdf", "owasp-minimum")
    assert result.code == 1 and "already exists" in result.err
    assert fingerprint(paths.db, paths.keys) == before
