"""Unlocking once for a meeting (`unlock` / `lock`): later commands need the session key from
the shell's environment and the sealed file beside the store, both; neither alone opens it,
and nothing does after `lock`, the idle time or a key rotation."""

import json
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest

from supervise.store.keys import unlocked
from tests.clock import NOON
from tests.helpers import PASSPHRASE, USER, file_mode

EXPORT = re.compile(r'^export SUPERVISE_SESSION="([A-Za-z0-9+/=]{44})"$')


def unlock(cli, *extra: str) -> str:
    result = cli("unlock", *extra)
    assert result.code == 0, result.err
    found = EXPORT.match(result.out.strip())
    assert found, result.out
    assert "Unlocked for Jordan Example until 15 minutes pass" in result.err or extra
    return found[1]


def listed(cli, key: str | None, **kwargs):
    env = {"SUPERVISE_SESSION": key} if key else {}
    return cli("person", "list", "--json", passphrase=None, env=env, **kwargs)


def test_after_unlock_commands_ask_no_passphrase_and_lock_ends_it(cli, store):
    key = unlock(cli)
    sealed = unlocked.session_file(store)
    assert file_mode(sealed) == 0o600
    text = sealed.read_bytes()
    assert PASSPHRASE.encode() not in text and USER.encode() not in text
    result = listed(cli, key)
    assert result.code == 0, result.err
    assert USER in {row["name"] for row in json.loads(result.out)}

    locked = cli("lock", passphrase=None, env={"SUPERVISE_SESSION": key})
    assert locked.code == 0 and locked.out.strip() == "unset SUPERVISE_SESSION"
    assert "Locked" in locked.err and not sealed.exists()
    after = listed(cli, key)
    assert after.code == 3 and "store is locked" in after.err and "No passphrase" in after.err
    again = cli("lock", passphrase=None)
    assert again.code == 0 and "was not unlocked" in again.err

    events = [e["action"] for e in json.loads(cli("audit", "log", "--json").out)]
    assert "store.session-start" in events and "store.lock" in events


def test_neither_the_file_nor_the_key_alone_opens_the_store(cli, store):
    key = unlock(cli)
    assert listed(cli, None).code == 3  # the file, no key: the passphrase is asked for
    wrong = listed(cli, unlocked.keycrypto.b64(os.urandom(32)))
    assert wrong.code == 3 and "does not open this store's unlocked session" in wrong.err
    sealed = unlocked.session_file(store)
    kept = sealed.read_bytes()
    sealed.unlink()  # the key, no file
    assert listed(cli, key).code == 3
    sealed.write_bytes(kept)
    sealed.chmod(0o600)
    assert listed(cli, key).code == 0


def test_an_idle_session_ends_and_is_deleted(cli, store, clock):
    key = unlock(cli, "--idle", "5")
    clock.set(NOON + timedelta(minutes=4))
    assert listed(cli, key).code == 0  # each command is a use: the idle time starts again
    clock.set(NOON + timedelta(minutes=8, seconds=30))
    assert listed(cli, key).code == 0
    clock.set(NOON + timedelta(minutes=14))
    ended = listed(cli, key)
    assert ended.code == 3 and "idle for more than 5 minutes" in ended.err
    assert not unlocked.session_file(store).exists()


def test_a_session_ends_after_twelve_hours_and_when_the_clock_goes_back(cli, store, clock):
    key = unlock(cli, "--idle", "480")
    for hours in range(1, 12, 4):
        clock.set(NOON + timedelta(hours=hours))
        assert listed(cli, key).code == 0
    clock.set(NOON + timedelta(hours=12, minutes=1))
    assert "more than 12 hours" in listed(cli, key).err
    key = unlock(cli)
    clock.set(NOON + timedelta(hours=11))
    assert "earlier than its last use" in listed(cli, key).err


def test_a_clock_stepped_back_a_few_seconds_keeps_the_session(cli, store, clock):
    """An NTP correction is not a clock wound back; the last use never moves backwards."""
    key = unlock(cli)
    clock.set(NOON - timedelta(seconds=50))
    assert listed(cli, key).code == 0
    clock.set(NOON - timedelta(seconds=70))  # more than a minute before the last use
    assert "earlier than its last use" in listed(cli, key).err


def test_a_key_rotation_ends_the_session(cli, store):
    key = unlock(cli)
    assert cli("key", "rotate", "--yes").code == 0
    assert not unlocked.session_file(store).exists()
    assert listed(cli, key).code == 3


@pytest.mark.parametrize("idle", ["0", "481", "-3"])
def test_an_idle_time_out_of_range_is_refused_before_the_passphrase(cli, store, idle):
    result = cli("unlock", "--idle", idle, passphrase=None)
    assert result.code == 2 and "not allowed" in result.err
    assert not unlocked.session_file(store).exists()


@pytest.mark.slow
def test_another_shell_with_the_files_and_the_key_is_refused_after_lock(store):
    """A real process: the key from `unlock --raw`, given to a second process's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPERVISE_")}
    env["SUPERVISE_STORE"] = str(store)

    def run(*args, **extra):
        return subprocess.run([sys.executable, "-m", "supervise", *args], env={**env, **extra},
                              capture_output=True, text=True, timeout=60)

    made = run("unlock", "--raw", SUPERVISE_PASSPHRASE=PASSPHRASE)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert run("person", "list", SUPERVISE_SESSION=key).returncode == 0
    assert run("lock", SUPERVISE_SESSION=key).returncode == 0
    refused = run("person", "list", SUPERVISE_SESSION=key)
    assert refused.returncode == 3 and "locked" in refused.stderr
