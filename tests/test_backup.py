"""`backup --to FILE`, `restore FILE` and `doctor` (SPEC §6), in-process on real stores. The
crash, two-process and backup-during-a-write tests are in test_crash_and_concurrency.py."""

import json
import zipfile

import pytest

from supervise.files import PRIVATE_FILE
from supervise.store.db.sqlcipher import PAGE_SIZE
from tests.clock import product_now
from tests.helpers import USER


@pytest.fixture
def backup(cli, team, tmp_path):
    """A backup of a store holding two more people, taken to a folder away from the store."""
    away = tmp_path / "usb"
    away.mkdir()
    target = away / "team.supervise-backup"
    result = cli("backup", "--to", str(target))
    assert result.code == 0, result.err
    assert result.out.strip() == str(target)
    return target


def people(cli, store=None):
    result = cli("person", "list", "--all", "--json", store=store)
    assert result.code == 0, result.err
    return sorted(p["name"] for p in json.loads(result.out))


def flip_byte(path, offset):
    with path.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0x01]))


def test_a_backup_is_one_private_file_with_no_plaintext_names(cli, backup):
    assert backup.stat().st_mode & 0o777 == PRIVATE_FILE
    with zipfile.ZipFile(backup) as archive:
        assert sorted(archive.namelist()) == ["manifest.json", "store.db", "store.keys"]
        manifest = json.loads(archive.read("manifest.json"))
        assert not archive.read("store.db").startswith(b"SQLite format 3")
    assert manifest["format"] == "supervise-backup" and manifest["audit_events"] > 0
    raw = backup.read_bytes()
    for name in (USER, "Sam Taylor", "Mo Manager", "Deputy DSL"):
        assert name.encode() not in raw
    events = json.loads(cli("audit", "log", "--json").out)
    assert any(e["action"] == "store.backup" for e in events)


def test_a_backup_is_never_written_over_a_file_or_beside_the_store(cli, backup, store):
    again = cli("backup", "--to", str(backup))
    assert again.code == 1 and "already exists" in again.err
    beside = cli("backup", "--to", str(store.parent / "copy.supervise-backup"))
    assert beside.code == 2 and "other than the store's own folder" in beside.err
    as_db = cli("backup", "--to", str(backup.parent / "copy.db"))
    assert as_db.code == 2 and "never mistaken for a store" in as_db.err
    nowhere = cli("backup", "--to", str(backup.parent / "missing" / "b.backup"))
    assert nowhere.code == 2 and "does not exist" in nowhere.err


def test_restore_to_a_new_path_opens_with_the_same_passphrase_and_recovery_key(
        cli, backup, tmp_path, recovery_key):
    from supervise.domain.recovery import parse_recovery_key
    from supervise.store.db.opening import unlock_with_recovery_key

    elsewhere = tmp_path / "elsewhere" / "store.db"
    result = cli("restore", str(backup), store=elsewhere)
    assert result.code == 0, result.err
    assert "passed every check" in result.err
    assert people(cli, elsewhere) == ["Jordan Example", "Mo Manager", "Sam Taylor"]
    assert cli("doctor", store=elsewhere).code == 0
    assert cli("audit", "verify", store=elsewhere).code == 0
    assert elsewhere.stat().st_mode & 0o777 == PRIVATE_FILE
    with unlock_with_recovery_key(elsewhere, recovery_key=lambda: parse_recovery_key(
            recovery_key), now=product_now()) as opened:
        assert opened.store_id


def test_restore_over_the_store_keeps_the_one_it_replaced(cli, backup, store):
    assert cli("person", "add", "Added Later", "--role", "Teacher").code == 0
    result = cli("restore", str(backup))
    assert result.code == 0, result.err
    assert "Added Later" not in people(cli)
    kept = list(store.with_name(store.name + ".backups").glob("*-before-restore.db"))
    assert len(kept) == 1 and kept[0].stat().st_mode & 0o777 == PRIVATE_FILE
    assert "Added Later" in people(cli, kept[0])  # its own key file came with it
    assert cli("doctor").code == 0
    events = json.loads(cli("audit", "log", "--json").out)
    assert any(e["action"] == "store.restore" for e in events)


def test_a_damaged_backup_is_refused_and_nothing_is_replaced(cli, backup, store, tmp_path):
    with zipfile.ZipFile(backup) as archive:
        offset = archive.getinfo("store.db").header_offset
    flip_byte(backup, offset + 200 + 40 * PAGE_SIZE)
    before = store.read_bytes()
    result = cli("restore", str(backup))
    assert result.code == 1 and "damaged" in result.err and "another backup" in result.err
    assert store.read_bytes() == before
    assert not list(store.parent.glob(".*restore*"))
    not_zip = tmp_path / "notes.txt"
    not_zip.write_text("hello")
    refused = cli("restore", str(not_zip))
    assert refused.code == 1 and "not a supervise backup" in refused.err
    assert cli("restore", str(tmp_path / "nothing-here")).code == 2


def test_a_backup_that_fails_its_checks_inside_is_refused(cli, store, tmp_path):
    """A copy whose pages are damaged though its checksums in the manifest match (made so)."""
    target = tmp_path / "made.supervise-backup"
    assert cli("backup", "--to", str(target)).code == 0
    with zipfile.ZipFile(target) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    damaged = bytearray(entries["store.db"])
    damaged[3 * PAGE_SIZE + 100] ^= 0x01
    import hashlib

    manifest = json.loads(entries["manifest.json"])
    manifest["entries"]["store.db"] = hashlib.sha256(damaged).hexdigest()
    forged = tmp_path / "forged.supervise-backup"
    with zipfile.ZipFile(forged, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr("store.db", bytes(damaged))
        archive.writestr("store.keys", entries["store.keys"])
    result = cli("restore", str(forged))
    assert result.code == 1 and "did not pass its checks" in result.err
    assert "nothing was replaced" in result.err


def test_restore_with_the_wrong_passphrase_changes_nothing(cli, backup, store):
    before = store.read_bytes()
    result = cli("restore", str(backup), passphrase="not the passphrase")
    assert result.code == 3 and "Wrong passphrase" in result.err
    assert store.read_bytes() == before


def test_a_backup_of_another_store_is_not_restored_over_this_one(cli, backup, tmp_path):
    other = tmp_path / "other" / "store.db"
    made = cli("init", "--org", "Other School", "--user", USER, "--kdf", "owasp-minimum",
               store=other)
    assert made.code == 0, made.err
    result = cli("restore", str(backup), store=other)
    assert result.code == 1 and "another store" in result.err
    assert people(cli, other) == [USER]


def test_doctor_passes_a_healthy_store_and_says_what_it_checked(cli, store):
    result = cli("doctor", "--json")
    assert result.code == 0, result.err
    checks = {row["check"]: row for row in json.loads(result.out)}
    assert set(checks) == {"store file", "key file", "encryption", "database structure",
                           "audit trail", "last seen", "backups"}
    assert all(row["ok"] for row in checks.values())
    assert "supervise backup" in checks["backups"]["advice"]


def test_one_flipped_byte_is_reported_as_damage_with_the_advice_to_restore(cli, store):
    flip_byte(store, 5 * PAGE_SIZE + 1234)
    result = cli("doctor")
    assert result.code == 4
    assert "PROBLEM  encryption: 1 damaged page(s)" in result.out
    assert "supervise restore" in result.out and "supervise restore" in result.err
    assert "Unexpected" not in result.err


def test_a_flipped_byte_in_the_first_page_is_damage_too(cli, store):
    flip_byte(store, 8)  # inside the salt: nothing decrypts
    result = cli("doctor")
    assert result.code == 4 and "does not open with its own key" in result.out
    assert "supervise restore" in result.err


def test_a_truncated_store_and_an_altered_key_file_are_findings(cli, store):
    keys = store.with_name(store.name + ".keys")
    document = json.loads(keys.read_text())
    document["slots_mac"] = document["slots_mac"][::-1]
    keys.write_text(json.dumps(document))
    altered = cli("doctor")
    assert altered.code == 4 and "PROBLEM  key file" in altered.out
    assert "key recover" in altered.out
    with store.open("r+b") as handle:
        handle.truncate(store.stat().st_size - 100)
    truncated = cli("doctor")
    assert truncated.code == 4 and "truncated or damaged" in truncated.out


def test_doctor_with_the_wrong_passphrase_exits_3(cli, store):
    assert cli("doctor", passphrase="wrong passphrase here").code == 3


def test_doctor_never_writes_to_a_damaged_store_not_even_its_log(cli, store, recovery_key,
                                                                 tmp_path):
    """A store left as a crash leaves it (committed pages still in the write-ahead log), then
    damaged: doctor reports it and changes neither file (a read-write open would fold the log
    into the damaged file at close)."""
    import shutil

    from supervise.domain.recovery import parse_recovery_key
    from supervise.store.db import sqlcipher as sqlite

    keeper = sqlite.connect(store, parse_recovery_key(recovery_key))
    keeper.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        assert cli("person", "add", "In The Log", "--role", "Teacher").code == 0
        crashed = tmp_path / "crashed"
        crashed.mkdir()
        for suffix in ("", "-wal", "-shm", ".keys"):
            shutil.copy(f"{store}{suffix}", crashed / f"store.db{suffix}")
    finally:
        keeper.close()
    copy = crashed / "store.db"
    assert (crashed / "store.db-wal").stat().st_size > 0
    flip_byte(copy, 3 * PAGE_SIZE + 1000)
    kept = ("store.db", "store.db-wal", "store.db.keys")  # -shm is only the log's index
    before = {name: (crashed / name).read_bytes() for name in kept}
    result = cli("doctor", store=copy)
    assert result.code == 4 and "damaged page" in result.out
    assert {name: (crashed / name).read_bytes() for name in kept} == before


def test_a_backup_from_before_a_key_rotation_restores_and_keeps_the_rotated_store(
        cli, backup, store):
    rotated = cli("key", "rotate", "--yes")
    assert rotated.code == 0, rotated.err
    assert cli("person", "add", "After Rotation", "--role", "Teacher").code == 0
    result = cli("restore", str(backup))
    assert result.code == 0, result.err
    assert "After Rotation" not in people(cli)
    kept = next(store.with_name(store.name + ".backups").glob("*-before-restore.db"))
    assert "After Rotation" in people(cli, kept)
    assert cli("doctor").code == 0 and cli("doctor", store=kept).code == 0


def test_a_backup_from_a_newer_supervise_is_refused_before_anything_is_replaced(
        cli, backup, store, recovery_key, tmp_path):
    import hashlib

    from supervise.domain.recovery import parse_recovery_key
    from supervise.store.db import sqlcipher as sqlite

    with zipfile.ZipFile(backup) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    newer = tmp_path / "newer.db"
    newer.write_bytes(entries["store.db"])
    conn = sqlite.connect(newer, parse_recovery_key(recovery_key), prefer_wal=False)
    conn.execute("UPDATE store_meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    manifest = json.loads(entries["manifest.json"])
    manifest["entries"]["store.db"] = hashlib.sha256(newer.read_bytes()).hexdigest()
    forged = tmp_path / "newer.supervise-backup"
    with zipfile.ZipFile(forged, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr("store.db", newer.read_bytes())
        archive.writestr("store.keys", entries["store.keys"])
    before = store.read_bytes()
    result = cli("restore", str(forged))
    assert result.code == 1 and "newer supervise" in result.err
    assert "nothing was replaced" in result.err
    assert store.read_bytes() == before and cli("doctor").code == 0
