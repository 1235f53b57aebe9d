"""Isolation and the in-process runner.

Every test runs with SUPERVISE_* cleared and the default store (XDG_DATA_HOME, HOME) pointed into
a temporary folder, so no test can ever touch a real store."""

import os
import re
from pathlib import Path

import pytest

from supervise.cli.main import main
from tests.helpers import ORG, PASSPHRASE, USER, Result
from tests.signed_records import enrol, record_session, sign

RECOVERY_KEY = re.compile(r"\b(?:[0-9a-f]{8}-){7}[0-9a-f]{8}\b")


@pytest.fixture(scope="session", autouse=True)
def isolated_environment(tmp_path_factory):
    patch = pytest.MonkeyPatch()
    home = tmp_path_factory.mktemp("isolated-home")
    for name in list(os.environ):
        if name.startswith("SUPERVISE_"):
            patch.delenv(name)
    patch.setenv("HOME", str(home))
    patch.setenv("XDG_DATA_HOME", str(home / "data"))
    patch.setenv("SUPERVISE_STORE", str(home / "must-not-be-used" / "store.db"))
    yield home
    patch.undo()


class Cli:
    """Runs `supervise ARGS` in-process through the real exit point and captures its streams."""

    def __init__(self, capsys, monkeypatch, store: Path) -> None:
        self.capsys, self.monkeypatch, self.store = capsys, monkeypatch, store

    def __call__(self, *args: str, passphrase: str | None = PASSPHRASE, store: Path | None = None,
                 env: dict[str, str] | None = None) -> Result:
        with self.monkeypatch.context() as patch:
            patch.setenv("SUPERVISE_STORE", str(store or self.store))
            if passphrase is None:
                patch.delenv("SUPERVISE_PASSPHRASE", raising=False)
            else:
                patch.setenv("SUPERVISE_PASSPHRASE", passphrase)
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            self.capsys.readouterr()
            code = main(list(args))
            captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)


@pytest.fixture
def cli(capsys, monkeypatch, tmp_path) -> Cli:
    return Cli(capsys, monkeypatch, tmp_path / "team" / "store.db")


@pytest.fixture
def initialised(cli) -> tuple[Path, str]:
    """A new store (cheap, still OWASP-level Argon2id) whose first user is USER, and its
    recovery key as printed."""
    result = cli("init", "--org", ORG, "--user", USER, "--kdf", "owasp-minimum")
    assert result.code == 0, result.err
    keys = RECOVERY_KEY.findall(result.out)
    assert len(keys) == 1, result.out
    return cli.store, keys[0]


@pytest.fixture
def store(initialised) -> Path:
    return initialised[0]


@pytest.fixture
def recovery_key(initialised) -> str:
    return initialised[1]


@pytest.fixture
def team(cli, store):
    for args in (["Sam Taylor", "--role", "Deputy DSL"],
                 ["Mo Manager", "--role", "Head teacher"]):
        assert cli("person", "add", *args).code == 0
    return store


@pytest.fixture
def signed(cli, team, tmp_path) -> str:
    """A session signed by its supervisor (the signed-in user) and its supervisee (enrolled)."""
    session_id = record_session(cli, tmp_path)
    enrol(cli)
    assert cli("session", "sign", session_id, "--as", USER).code == 0
    result = sign(cli, "session", "sign", session_id, "--as", "Sam Taylor", "--comment",
                  "I disagree that the referral was late.")
    assert result.code == 0, result.err
    return session_id
