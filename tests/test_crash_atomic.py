"""`key rotate` and `restore` killed at each of their renames and fsyncs (issue 20).

A child process runs the real command with `os.replace` and `os.fsync` wrapped: at the k-th
call it flushes what it printed (a terminal shows each line as it comes) and dies with
`os._exit`, which like SIGKILL runs no cleanup. SQLite's own fsyncs inside the copy it makes are
SQLite's to make safe; every rename and fsync of ours is a kill point. After each kill: the
store opens with the passphrase, the recovery key shown last opens it, nothing committed is
lost, doctor names what is unfinished, and running the command again finishes it.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from supervise.domain.recovery import parse_recovery_key
from supervise.store.db.opening import unlock_with_recovery_key
from supervise.store.db.store_paths import StorePaths
from tests.conftest import RECOVERY_KEY
from tests.helpers import PASSPHRASE

pytestmark = pytest.mark.slow

KILLING = """
import os, sys
limit, calls = int(sys.argv[1]), [0]
def killing(real):
    def call(*args, **kwargs):
        calls[0] += 1
        if calls[0] == limit:
            sys.stdout.flush(); sys.stderr.flush()
            os._exit(9)
        return real(*args, **kwargs)
    return call
os.replace, os.fsync = killing(os.replace), killing(os.fsync)
from supervise.cli.main import main
code = main(sys.argv[2:])
sys.stdout.flush()
print(f"CALLS {calls[0]}", file=sys.stderr)
os._exit(code)
"""


def run_killed(store: Path, at: int, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SUPERVISE_STORE": str(store), "SUPERVISE_PASSPHRASE": PASSPHRASE}
    return subprocess.run([sys.executable, "-c", KILLING, str(at), *args], env=env,
                          capture_output=True, text=True, timeout=120)


def kill_points(store: Path, *args: str) -> int:
    """How many renames and fsyncs the command makes, run whole on a copy."""
    trial = copy_store(store, store.parent.parent / "trial")
    done = run_killed(trial, 0, *args)
    assert done.returncode == 0, done.stderr
    return int(done.stderr.rsplit("CALLS ", 1)[1])


def copy_store(store: Path, folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(store.parent, folder)
    return folder / store.name


def opens_with_recovery_key(store: Path, key: str) -> bool:
    """On a copy, so the check itself changes nothing here."""
    from supervise.errors import UnlockError

    copy = copy_store(store, store.parent.parent / "recovery-check")
    try:
        with unlock_with_recovery_key(copy, recovery_key=lambda: parse_recovery_key(key),
                                      now=_now()):
            return True
    except UnlockError:
        return False


def _now():
    from supervise.clock import now

    return now()


def doctor(cli, store: Path):
    """Doctor, after deleting the staging files it names as its advice says (a crash leaves
    them; they are reported, never silently kept)."""
    result = cli("doctor", store=store)
    if "staging files" in result.out:
        left = [p for p in store.parent.glob(f".{store.name}*") if p.is_file()]
        left += list(StorePaths(store).backups.glob(".*.keep-*"))
        assert left and all(p.name in result.out for p in left[:5])
        for path in left:
            path.unlink()
        result = cli("doctor", store=store)
    return result


def listing(cli, store: Path, *args: str) -> list:
    result = cli(*args, "--json", store=store)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_a_rotation_killed_at_each_rename_and_fsync_keeps_the_last_shown_recovery_key(
        cli, signed, store, recovery_key, tmp_path):
    sessions = listing(cli, store, "session", "list")
    people = listing(cli, store, "person", "list", "--all")
    points = kill_points(store, "key", "rotate", "--yes")
    assert points >= 6  # key file twice, the database, their folder's entries
    for at in range(1, points + 1):
        here = copy_store(store, tmp_path / f"rotate-{at}")
        killed = run_killed(here, at, "key", "rotate", "--yes")
        assert killed.returncode == 9, (at, killed.stderr)
        shown = RECOVERY_KEY.findall(killed.stdout)
        last_shown = shown[-1] if shown else recovery_key
        assert listing(cli, here, "session", "list") == sessions, at
        assert listing(cli, here, "person", "list", "--all") == people, at
        assert opens_with_recovery_key(here, last_shown), at
        checked = doctor(cli, here)
        unfinished = "key rotation" in checked.out
        assert checked.code == (4 if unfinished else 0), (at, checked.out)
        if not unfinished:  # not begun (the old key holds) or finished (the new one shown)
            assert opens_with_recovery_key(here, recovery_key) is not bool(shown), at
            continue
        assert "key rotate" in cli("person", "list", store=here).err  # every command says so
        finished = cli("key", "rotate", "--yes", store=here)
        assert finished.code == 0, (at, finished.err)
        new_key = RECOVERY_KEY.findall(finished.out)
        assert len(new_key) == 1
        assert opens_with_recovery_key(here, new_key[0]), at
        assert not opens_with_recovery_key(here, recovery_key), at
        assert doctor(cli, here).code == 0, at
        assert cli("audit", "verify", store=here).code == 0, at
        assert listing(cli, here, "session", "list") == sessions, at


def test_a_restore_killed_at_each_rename_and_fsync_loses_neither_store(
        cli, signed, store, recovery_key, tmp_path):
    """The backup predates a `key rotate`, and a person was added after it: killed anywhere,
    the store is the old one whole or the restored one whole (finished by the next command),
    and the old one is kept, openable, in its backups folder."""
    backup = tmp_path / "usb" / "before.supervise-backup"
    backup.parent.mkdir()
    assert cli("backup", "--to", str(backup)).code == 0
    rotated = cli("key", "rotate", "--yes")
    assert rotated.code == 0, rotated.err
    rotated_key = RECOVERY_KEY.findall(rotated.out)[0]
    assert cli("person", "add", "Newest Person", "--role", "Teacher").code == 0
    current = listing(cli, store, "person", "list", "--all")
    restored_people = [p for p in current if p["name"] != "Newest Person"]
    points = kill_points(store, "restore", str(backup))
    assert points >= 8
    for at in range(1, points + 1):
        here = copy_store(store, tmp_path / f"restore-{at}")
        killed = run_killed(here, at, "restore", str(backup))
        assert killed.returncode == 9, (at, killed.stderr)
        now_people = listing(cli, here, "person", "list", "--all")
        kept = sorted(StorePaths(here).backups.glob("*-before-restore.db"))
        if now_people == current:  # not replaced: the store as it was, its key as it was
            assert opens_with_recovery_key(here, rotated_key), at
            again = cli("restore", str(backup), store=here)
            assert again.code == 0, (at, again.err)
            kept = sorted(StorePaths(here).backups.glob("*-before-restore.db"))
        else:
            assert now_people == restored_people, at
            assert opens_with_recovery_key(here, recovery_key), at  # the backup's key
        assert listing(cli, here, "person", "list", "--all") == restored_people, at
        assert kept, at
        assert "Newest Person" in {p["name"] for p in listing(cli, kept[-1], "person", "list",
                                                                "--all")}, at
        assert opens_with_recovery_key(kept[-1], rotated_key), at
        assert doctor(cli, here).code == 0, at


def test_staging_files_a_crash_left_are_named_by_doctor(cli, store):
    left = store.with_name(f".{store.name}.rotate-0123456789ab")
    left.write_bytes(b"\0" * 4096)
    result = cli("doctor")
    assert result.code == 4
    assert "staging files" in result.out and left.name in result.out
    left.unlink()
    assert cli("doctor").code == 0
