"""Isolation, the product's clock, the in-process runner and stores built once.

Every test runs with SUPERVISE_* cleared and the default store (XDG_DATA_HOME, HOME) pointed into
a temporary folder, so no test can ever touch a real store. In-process, the product reads the
time from a TestClock set at noon on the suite's TODAY (tests/clock.py)."""

import io
import os
import re
import shutil
import signal
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from supervise import clock as product_clock
from supervise import keycrypto
from supervise.cli.main import main
from tests.clock import NOON, TestClock
from tests.helpers import ORG, PASSPHRASE, USER, Result, unused_answers
from tests.signed_records import enrol, record_session, sign

RECOVERY_KEY = re.compile(r"\b(?:[0-9a-f]{8}-){7}[0-9a-f]{8}\b")

# A suite started in the background by a shell without job control (`make test &`, a CI runner)
# starts with Ctrl-C ignored, and every pseudo-terminal child would inherit that: the tests that
# press Ctrl-C would wait for ever. What a user's terminal delivers is the default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


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


@pytest.fixture(scope="session", autouse=True)
def argon2id_once_per_input():
    """Each Argon2id derivation runs for real once per test process and input (passphrase,
    parameters, salt), then is remembered: a store copied into fifty tests is unlocked with one
    derivation, not fifty. A pure function, so nothing a test asserts changes; the product's own
    parameters and floor are untouched (this lives only in the test process)."""
    real, derived = keycrypto.derive_kek, {}

    def derive_kek(passphrase: str, params: keycrypto.KdfParams, salt: bytes) -> bytes:
        key = (passphrase, params, salt)
        if key not in derived:
            derived[key] = real(passphrase, params, salt)
        return derived[key]

    patch = pytest.MonkeyPatch()
    patch.setattr(keycrypto, "derive_kek", derive_kek)
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> TestClock:
    """The product's clock for this test: noon on TODAY, running on; `clock.set(moment)` moves
    it. Only a test process can do this: the product has no option or variable for the time."""
    fake = TestClock()
    monkeypatch.setattr(product_clock, "read", fake.read)
    return fake


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_passed = report.passed
    return report


@pytest.fixture(autouse=True)
def own_state_folder(monkeypatch, tmp_path_factory) -> None:
    """Each test its own state folder, where key holders' copies of what they last saw are kept
    (keys/anchor.py): stores copied from one template share an id and, in a fixture that
    reuses a folder, a path, so a copy one test moved on would be ahead of the next test's."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture(autouse=True)
def scripts_used_up(request) -> Iterator[None]:
    """A scripted prompter left with answers fails the test that made it (its promise)."""
    unused_answers()
    yield
    left = unused_answers()
    if left and getattr(request.node, "call_passed", False):
        pytest.fail(f"scripted answers were never asked for: {left}", pytrace=False)


class Cli:
    """Runs `supervise ARGS` in-process through the real exit point and captures its streams."""

    def __init__(self, store: Path) -> None:
        self.store = store

    def __call__(self, *args: str, passphrase: str | None = PASSPHRASE, store: Path | None = None,
                 env: dict[str, str] | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        with pytest.MonkeyPatch.context() as patch, redirect_stdout(out), redirect_stderr(err):
            patch.setenv("SUPERVISE_STORE", str(store or self.store))
            if passphrase is None:
                patch.delenv("SUPERVISE_PASSPHRASE", raising=False)
            else:
                patch.setenv("SUPERVISE_PASSPHRASE", passphrase)
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            code = main(list(args))
        return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli(tmp_path) -> Cli:
    return Cli(tmp_path / "team" / "store.db")


Build = Callable[[Cli, Path], Any]


class TemplateStores:
    """Stores built once per test process, then copied (files byte for byte) into each test that
    asks for one: a fixture's Argon2id derivations and signatures are paid once, not per test.
    A build works in a scratch folder that stands for the test's tmp_path (its store at
    team/store.db unless it says otherwise), an hour before the tests' noon, so a test's own
    records come after it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.made: dict[str, tuple[Path, Any]] = {}
        self.copied: dict[Path, str] = {}

    def copy(self, name: str, build: Build, tmp_path: Path) -> Any:
        """Copy what `build(cli, scratch)` made (the first time it is asked for) into tmp_path;
        returns what `build` returned (a recovery key, record ids). Asked twice for one test, it
        copies once."""
        if tmp_path in self.copied:
            assert self.copied[tmp_path] == name, f"{tmp_path} already holds {name!r}"
            return self.made[name][1]
        if name not in self.made:
            scratch = self.root / name
            builder = Cli(scratch / "team" / "store.db")
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(product_clock, "read", TestClock(NOON - timedelta(hours=1)).read)
                value = build(builder, scratch)
            self.made[name] = (scratch, value)
        scratch, value = self.made[name]
        shutil.copytree(scratch, tmp_path, dirs_exist_ok=True)
        self.copied[tmp_path] = name
        return value


@pytest.fixture(scope="session")
def template_stores(tmp_path_factory) -> TemplateStores:
    return TemplateStores(tmp_path_factory.mktemp("template-stores"))


def build_initialised(cli: Cli, scratch: Path) -> str:
    """A new store (cheap, still OWASP-level Argon2id) whose first user is USER; returns its
    recovery key as printed."""
    result = cli("init", "--org", ORG, "--user", USER, "--kdf", "owasp-minimum")
    assert result.code == 0, result.err
    keys = RECOVERY_KEY.findall(result.out)
    assert len(keys) == 1, result.out
    return keys[0]


def build_team(cli: Cli, scratch: Path) -> str:
    key = build_initialised(cli, scratch)
    for args in (["Sam Taylor", "--role", "Deputy DSL"],
                 ["Mo Manager", "--role", "Head teacher"]):
        assert cli("person", "add", *args).code == 0
    return key


def build_signed(cli: Cli, scratch: Path) -> str:
    """A session signed by its supervisor (the signed-in user) and its supervisee (enrolled)."""
    key = build_team(cli, scratch)
    session_id = record_session(cli, scratch)
    assert session_id == "1"
    enrol(cli)
    assert cli("session", "sign", session_id, "--as", USER).code == 0
    result = sign(cli, "session", "sign", session_id, "--as", "Sam Taylor", "--comment",
                  "I disagree that the referral was late.")
    assert result.code == 0, result.err
    return key


FIRST_CHILD = "Ada Okafor"


def build_bundle(cli: Cli, scratch: Path) -> str:
    """The signed store and, in review/, its review export for FIRST_CHILD."""
    key = build_signed(cli, scratch)
    result = cli("export", "review", "--child", FIRST_CHILD, "--out", str(scratch / "review"))
    assert result.code == 0, result.err
    assert "NOT encrypted" in result.err
    return key


def build_demo(cli: Cli, scratch: Path) -> str:
    result = cli("demo", "--store", str(scratch / "demo" / "store.db"), passphrase=None)
    assert result.code == 0, result.err
    return ""


@pytest.fixture
def demo_store(template_stores, tmp_path) -> Path:
    """The sample trust that `supervise demo` builds (its passphrase: sample.PASSPHRASE)."""
    template_stores.copy("demo", build_demo, tmp_path)
    return tmp_path / "demo" / "store.db"


BUILDS: dict[str, Build] = {"bundle": build_bundle, "signed": build_signed, "team": build_team}


@pytest.fixture
def initialised(cli, template_stores, request) -> tuple[Path, str]:
    """The test's store as the fullest of `signed`, `team` or a new store that it asks for."""
    name = next((n for n in BUILDS if n in request.fixturenames), "initialised")
    build = BUILDS.get(name, build_initialised)
    return cli.store, template_stores.copy(name, build, cli.store.parent.parent)


@pytest.fixture
def store(initialised) -> Path:
    return initialised[0]


@pytest.fixture
def recovery_key(initialised) -> str:
    return initialised[1]


@pytest.fixture
def team(initialised) -> Path:
    """USER, Sam Taylor (Deputy DSL) and Mo Manager (Head teacher)."""
    return initialised[0]


@pytest.fixture
def signed(initialised) -> str:
    """Session 1 (two families) signed by USER and by Sam Taylor, enrolled, with a comment."""
    return "1"


@pytest.fixture
def bundle(signed, tmp_path) -> Path:
    """The `signed` store's review export for FIRST_CHILD (review/, beside team/)."""
    return tmp_path / "review"
