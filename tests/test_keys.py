"""Key management: recovery, rotation, several users, revocation."""

import pytest

from supervise.store.db.opening import StorePaths
from tests.conftest import RECOVERY_KEY
from tests.helpers import PASSPHRASE, USER, fingerprint

NEW = "a brand new passphrase"
SECOND = "Casey Colleague"
SECOND_PASSPHRASE = "casey's own passphrase"


def write_secret(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text + "\n")
    path.chmod(0o600)
    return path


def add_records(cli):
    for name in ("Avery Person", "Blake Person"):
        assert cli("person", "add", name, "--role", "Teacher", "--team", "Year 2").code == 0


def people(cli, passphrase=PASSPHRASE, **kwargs):
    result = cli("person", "list", "--json", passphrase=passphrase, **kwargs)
    assert result.code == 0, result.err
    import json

    return {row["name"] for row in json.loads(result.out)}


def recover(cli, tmp_path, key, new=NEW, *extra):
    key_file = write_secret(tmp_path, "recovery.txt", key)
    return cli("key", "recover", "--recovery-key-file", str(key_file), "--kdf", "owasp-minimum",
               *extra, passphrase=None, env={"SUPERVISE_NEW_PASSPHRASE": new})


def test_recover_sets_a_new_passphrase_after_the_old_one_is_lost(cli, store, recovery_key,
                                                                 tmp_path):
    add_records(cli)
    before = people(cli)
    result = recover(cli, tmp_path, recovery_key)
    assert result.code == 0, result.err
    assert "updated the key file" in result.err
    assert cli("person", "list", passphrase=PASSPHRASE).code == 3
    assert people(cli, passphrase=NEW) == before == {USER, "Avery Person", "Blake Person"}


def test_recover_rebuilds_a_deleted_key_file(cli, store, recovery_key, tmp_path):
    add_records(cli)
    before = people(cli)
    StorePaths(store).keys.unlink()
    missing = cli("person", "list")
    assert missing.code == 3 and "No key file" in missing.err and "key recover" in missing.err
    result = recover(cli, tmp_path, recovery_key)
    assert result.code == 0, result.err
    assert "rebuilt the key file" in result.err
    assert people(cli, passphrase=NEW) == before


def test_recovery_key_is_accepted_in_any_case_and_spacing(cli, store, recovery_key, tmp_path):
    messy = "  " + recovery_key.upper().replace("-", " ") + "  "
    result = recover(cli, tmp_path, messy)
    assert result.code == 0, result.err
    assert USER in people(cli, passphrase=NEW)  # the new passphrase opens
    assert cli("person", "list", passphrase=PASSPHRASE).code == 3  # and the old one no longer


@pytest.mark.parametrize("bad", ["", "not-a-key", "0" * 63, "g" * 64])
def test_malformed_recovery_key_is_refused(cli, store, tmp_path, bad):
    paths = StorePaths(store)
    before = fingerprint(paths.db, paths.keys)
    result = recover(cli, tmp_path, bad) if bad else cli(
        "key", "recover", "--recovery-key-file", str(write_secret(tmp_path, "e", "")),
        passphrase=None)
    assert result.code == 2
    assert fingerprint(paths.db, paths.keys) == before


def test_wrong_recovery_key_exits_3_and_changes_nothing(cli, store, tmp_path):
    paths = StorePaths(store)
    before = fingerprint(paths.db, paths.keys)
    result = recover(cli, tmp_path, "-".join(["0123abcd"] * 8))
    assert result.code == 3 and "does not open this store" in result.err
    assert fingerprint(paths.db, paths.keys) == before


def test_rotate_retires_the_old_recovery_key_and_keeps_every_passphrase(
        cli, store, recovery_key, tmp_path):
    add_records(cli)
    assert cli("person", "add", SECOND, "--role", "Deputy DSL").code == 0
    assert cli("key", "add-user", SECOND,
               env={"SUPERVISE_NEW_PASSPHRASE": SECOND_PASSPHRASE}).code == 0
    before = people(cli, env={"SUPERVISE_USER": USER})

    rotated = cli("key", "rotate", "--yes", env={"SUPERVISE_USER": USER})
    assert rotated.code == 0, rotated.err
    new_key = RECOVERY_KEY.findall(rotated.out)
    assert len(new_key) == 1 and new_key[0] != recovery_key

    assert recover(cli, tmp_path, recovery_key, NEW, "--user", USER).code == 3
    assert people(cli, env={"SUPERVISE_USER": USER}) == before
    assert people(cli, passphrase=SECOND_PASSPHRASE, env={"SUPERVISE_USER": SECOND}) == before
    assert recover(cli, tmp_path, new_key[0], NEW, "--user", USER).code == 0
    assert people(cli, passphrase=NEW, env={"SUPERVISE_USER": USER}) == before


def test_two_users_open_the_same_store_and_one_can_be_revoked(cli, store):
    assert cli("person", "add", SECOND, "--role", "Deputy DSL").code == 0
    assert cli("key", "add-user", SECOND,
               env={"SUPERVISE_NEW_PASSPHRASE": SECOND_PASSPHRASE}).code == 0

    unsure = cli("person", "list")
    assert unsure.code == 3 and "--user" in unsure.err
    assert cli("--user", USER, "person", "list").code == 0
    assert cli("person", "list", "--user", SECOND, passphrase=SECOND_PASSPHRASE).code == 0
    crossed = cli("person", "list", "--user", SECOND)
    assert crossed.code == 3 and "Wrong passphrase" in crossed.err

    removed = cli("key", "remove-user", SECOND, "--yes", "--user", USER)
    assert removed.code == 0 and "key rotate" in removed.err
    revoked = cli("person", "list", "--user", SECOND, passphrase=SECOND_PASSPHRASE)
    assert revoked.code == 3 and "holds no key" in revoked.err
    assert cli("person", "list").code == 0  # one slot left: no --user needed


def test_the_last_key_holder_cannot_be_removed(cli, store):
    result = cli("key", "remove-user", USER, "--yes")
    assert result.code == 1 and "only key" in result.err


def test_removing_a_key_needs_confirmation_without_a_terminal(cli, store):
    assert cli("person", "add", SECOND, "--role", "Deputy DSL").code == 0
    assert cli("key", "add-user", SECOND,
               env={"SUPERVISE_NEW_PASSPHRASE": SECOND_PASSPHRASE}).code == 0
    result = cli("key", "remove-user", SECOND, "--user", USER)
    assert result.code == 2 and "--yes" in result.err
    assert cli("person", "list", "--user", SECOND, passphrase=SECOND_PASSPHRASE).code == 0


def test_add_user_refuses_unknown_people_with_a_suggestion(cli, store):
    assert cli("person", "add", SECOND, "--role", "Deputy DSL").code == 0
    result = cli("key", "add-user", "Casey Coleague",
                 env={"SUPERVISE_NEW_PASSPHRASE": SECOND_PASSPHRASE})
    assert result.code == 1 and "Did you mean: Casey Colleague?" in result.err


def test_passwd_changes_only_your_passphrase(cli, store):
    result = cli("key", "passwd", env={"SUPERVISE_NEW_PASSPHRASE": NEW})
    assert result.code == 0, result.err
    assert cli("person", "list").code == 3
    assert cli("person", "list", passphrase=NEW).code == 0


def test_short_new_passphrase_is_refused(cli, store):
    paths = StorePaths(store)
    before = fingerprint(paths.keys)
    result = cli("key", "passwd", env={"SUPERVISE_NEW_PASSPHRASE": "short"})
    assert result.code == 2 and "at least 8" in result.err
    assert fingerprint(paths.keys) == before
