"""What needs a real process: the installed entry points, SQLCipher's own stderr, two processes."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.clock import product_now
from tests.helpers import PASSPHRASE

pytestmark = pytest.mark.slow


def run(*args, env_extra=None, store=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPERVISE_")}
    if store is not None:
        env["SUPERVISE_STORE"] = str(store)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "supervise", *args], env=env,
                          capture_output=True, text=True, timeout=60)


def test_python_dash_m_runs_the_tool():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("supervise ")


def test_sqlcipher_log_lines_never_reach_the_terminal(store, tmp_path):
    key_file = tmp_path / "wrong-key.txt"
    key_file.write_text("-".join(["deadbeef"] * 8))
    key_file.chmod(0o600)
    result = run("key", "recover", "--recovery-key-file", str(key_file), store=store,
                 env_extra={"SUPERVISE_NEW_PASSPHRASE": "irrelevant-pass"})
    assert result.returncode == 3
    assert "ERROR CORE" not in result.stderr and "hmac" not in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")


def test_two_processes_adding_people_at_once_both_land(store):
    env = {"SUPERVISE_PASSPHRASE": PASSPHRASE}
    names = [f"Concurrent Person {i}" for i in range(6)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(
            lambda n: run("person", "add", n, "--role", "Teacher", store=store, env_extra=env),
            names))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    listing = run("person", "list", "--json", store=store, env_extra=env)
    for name in names:
        assert name in listing.stdout

    from supervise.store.db.opening import unlock_store
    from supervise.store.integrity.audit_chain import audit_problems

    with unlock_store(store, passphrase=lambda: PASSPHRASE, user=None,
                      now=product_now()) as opened, opened.session() as session:
        assert audit_problems(session) == []
