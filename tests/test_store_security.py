"""The store at rest: encrypted from its first byte, private files, nothing leaked."""

import os
import stat

from supervise.store.db.opening import StorePaths
from tests.helpers import ORG, PASSPHRASE, USER, file_mode, fingerprint

PEOPLE = [
    ("Zainab Okonkwo-Hartley", "Deputy Designated Safeguarding Lead", "Northgate Infants"),
    ("Mikołaj Wiśniewski", "Family Liaison Officer", "Harbourside Academy"),
    ("Siobhán Ní Bhriain", "Head of Year Nine", "Harbourside Academy"),
]


def all_store_files(store):
    return [p for p in store.parent.rglob("*") if p.is_file()]


def test_no_name_role_or_passphrase_appears_in_any_store_file(cli, store):
    for name, role, team in PEOPLE:
        assert cli("person", "add", name, "--role", role, "--team", team, "--supervisor").code == 0
    assert cli("person", "edit", PEOPLE[0][0], "--role", "Designated Safeguarding Lead").code == 0
    assert cli("key", "add-user", PEOPLE[1][0],
               env={"SUPERVISE_NEW_PASSPHRASE": "second user's passphrase"}).code == 0

    secrets = [USER, ORG, PASSPHRASE, "second user's passphrase", "Designated Safeguarding Lead"]
    for name, role, team in PEOPLE:
        secrets += [name, role, team, name.split()[0], name.split()[-1]]
    files = all_store_files(store)
    assert {p.name for p in files} >= {"store.db", "store.db.keys"}
    for path in files:
        raw = path.read_bytes()
        assert not raw.startswith(b"SQLite format 3")
        for secret in secrets:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                assert secret.encode(encoding) not in raw, (secret, path.name)
            assert secret.casefold().encode() not in raw.lower(), (secret, path.name)


def test_store_and_key_file_are_private(cli, store):
    paths = StorePaths(store)
    assert file_mode(paths.db) == 0o600
    assert file_mode(paths.keys) == 0o600
    assert file_mode(store.parent) == 0o700
    assert cli("key", "passwd", env={"SUPERVISE_NEW_PASSPHRASE": "a new long passphrase"}).code == 0
    assert file_mode(paths.keys) == 0o600


def test_private_even_with_a_permissive_umask(cli, tmp_path):
    previous = os.umask(0o022)
    try:
        target = tmp_path / "open-umask" / "store.db"
        result = cli("init", "--org", ORG, "--user", USER, "--kdf", "owasp-minimum",
                     store=target)
        assert result.code == 0, result.err
        assert file_mode(target) == 0o600
        assert file_mode(StorePaths(target).keys) == 0o600
    finally:
        os.umask(previous)


def test_wrong_passphrase_exits_3_and_changes_neither_file(cli, store):
    paths = StorePaths(store)
    before = fingerprint(paths.db, paths.keys)
    result = cli("person", "list", passphrase="not the passphrase")
    assert result.code == 3
    assert result.err.startswith("Error: Wrong passphrase")
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert result.out == ""
    assert fingerprint(paths.db, paths.keys) == before


def test_a_failed_unlock_is_noted_outside_the_store_then_audited(cli, store):
    paths = StorePaths(store)
    assert cli("person", "list", passphrase="not the passphrase").code == 3
    noted = paths.failures.read_text()
    assert "wrong passphrase" in noted and USER not in noted
    assert file_mode(paths.failures) == 0o600
    assert cli("person", "list").code == 0
    assert not paths.failures.exists()


def test_no_temporary_or_plaintext_files_are_left_behind(cli, store):
    assert cli("person", "add", "Robin Tester", "--role", "Teacher").code == 0
    assert cli("key", "rotate", "--yes").code == 0
    names = sorted(p.name for p in all_store_files(store))
    assert names == ["store.db", "store.db.keys"], names


def test_passphrase_file_must_not_be_readable_by_others_without_a_warning(cli, store, tmp_path):
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n")
    secret.chmod(0o644)
    result = cli("--passphrase-file", str(secret), "person", "list", passphrase=None)
    assert result.code == 0
    assert "can be read by other users" in result.err
    secret.chmod(stat.S_IRUSR | stat.S_IWUSR)
    result = cli("person", "list", "--passphrase-file", str(secret), passphrase=None)
    assert result.code == 0 and "Warning" not in result.err
