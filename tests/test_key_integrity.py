"""The key file under attack or interruption: injected slots, weakened parameters, a rotation
cut short at every step, a rotation while someone else has the store open."""

import json

import pytest

from supervise import keycrypto
from supervise.store.db.opening import StorePaths, unlock_store
from tests.clock import product_now
from tests.helpers import ORG, PASSPHRASE, USER, fingerprint


def keyfile_json(store):
    return json.loads(StorePaths(store).keys.read_text())


def write_keyfile(store, document):
    StorePaths(store).keys.write_text(json.dumps(document))


def test_a_slot_slipped_into_the_key_file_is_refused_and_dropped_by_recovery(
        cli, store, recovery_key, tmp_path):
    document = keyfile_json(store)
    attacker_private, attacker_public = keycrypto.new_x25519()
    injected = {**document["slots"][0], "id": "f" * 64,
                "public_key": keycrypto.b64(attacker_public)}
    document["slots"].append(injected)
    write_keyfile(store, document)

    refused = cli("person", "list", "--user", USER)
    assert refused.code == 3 and "altered" in refused.err

    key_file = tmp_path / "recovery.txt"
    key_file.write_text(recovery_key)
    recovered = cli("key", "recover", "--recovery-key-file", str(key_file), "--kdf",
                    "owasp-minimum", passphrase=None,
                    env={"SUPERVISE_NEW_PASSPHRASE": PASSPHRASE})
    assert recovered.code == 0 and "rebuilt the key file" in recovered.err
    assert [s["id"] for s in keyfile_json(store)["slots"]] != [document["slots"][0]["id"], "f" * 64]
    assert "f" * 64 not in StorePaths(store).keys.read_text()
    assert cli("key", "rotate", "--yes").code == 0


def test_a_slot_whose_public_key_was_swapped_is_refused(cli, store):
    document = keyfile_json(store)
    _, other_public = keycrypto.new_x25519()
    document["slots"][0]["public_key"] = keycrypto.b64(other_public)
    write_keyfile(store, document)
    result = cli("person", "list")
    assert result.code == 3 and "damaged or was altered" in result.err


@pytest.mark.parametrize("field, value", [
    ("default_kdf", {"memory_kib": 8, "iterations": 1, "lanes": 1}),
    ("slots_mac", "0" * 64),
])
def test_weakened_defaults_or_a_forged_mac_are_refused(cli, store, field, value):
    document = keyfile_json(store)
    document[field] = value
    write_keyfile(store, document)
    paths = StorePaths(store)
    before = fingerprint(paths.db, paths.keys)
    result = cli("key", "passwd", env={"SUPERVISE_NEW_PASSPHRASE": "another passphrase"})
    assert result.code == 3 and "key recover" in result.err
    assert fingerprint(paths.db, paths.keys) == before


@pytest.mark.parametrize("part, value", [
    ("sealed_key", {"ephemeral": "!!!", "nonce": "AA==", "ciphertext": "AA=="}),
    ("private", "x"),
])
def test_a_mangled_slot_says_damaged_not_unexpected(cli, store, part, value):
    document = keyfile_json(store)
    document["slots"][0][part] = value
    write_keyfile(store, document)
    result = cli("person", "list")
    assert result.code == 3, result.err
    assert "Unexpected" not in result.err and "key recover" in result.err


def test_init_with_a_bad_role_creates_nothing(cli, tmp_path):
    target = tmp_path / "bad-role" / "store.db"
    result = cli("init", "--org", ORG, "--user", USER, "--role", "Lead\x01",
                 "--kdf", "owasp-minimum", store=target)
    assert result.code == 2 and "control characters" in result.err
    assert not target.exists() and not StorePaths(target).keys.exists()


# A rotation killed at each of its renames and fsyncs: tests/test_crash_atomic.py.


def test_rotation_is_refused_while_another_process_has_the_store_open(cli, store):
    from supervise.store.db import sqlcipher as sqlite

    opened = unlock_store(store, passphrase=lambda: PASSPHRASE, user=None,
                          now=product_now())
    opened.close()
    paths = StorePaths(store)
    idle = sqlite.connect(store, opened.db_key)  # open, between transactions, like a session
    try:
        idle.execute("SELECT count(*) FROM person").fetchone()
        before = fingerprint(paths.db, paths.keys)
        result = cli("key", "rotate", "--yes")
        assert result.code == 1 and "has the store open" in result.err
        assert fingerprint(paths.db, paths.keys) == before
    finally:
        idle.close()
    assert cli("key", "rotate", "--yes").code == 0
    assert cli("person", "list").code == 0
