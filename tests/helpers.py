"""Test doubles and small utilities shared by the suite."""

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

PASSPHRASE = "correct horse battery staple"
USER = "Jordan Example"
ORG = "Example Primary School"


@dataclass
class Result:
    code: int
    out: str
    err: str


class UnexpectedPrompt(AssertionError):
    pass


# The walk asks the kind of session first when the agenda is for more than one (Enter: one-to-one).
KIND = ("Kind of session", "One-to-one")


class ScriptedPrompter:
    """Answers prompts from a script of (expected message fragment, answer) pairs, in order.

    Any prompt it was not told to expect fails the test, as does a script left unfinished: every
    prompter made during a test is checked when the test ends (conftest's `scripts_used_up`)."""

    made: ClassVar[list["ScriptedPrompter"]] = []

    def __init__(self, *script: tuple[str, object]) -> None:
        self.script = list(script)
        self.asked: list[str] = []
        ScriptedPrompter.made.append(self)

    def _next(self, kind: str, message: str) -> object:
        self.asked.append(message)
        if not self.script:
            raise UnexpectedPrompt(f"unexpected {kind} prompt: {message!r}")
        fragment, answer = self.script.pop(0)
        if fragment not in message:
            raise UnexpectedPrompt(f"expected a prompt about {fragment!r}, got {message!r}")
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def text(self, message: str, default: str = "") -> str:
        return str(self._next("text", message))

    def secret(self, message: str) -> str:
        return str(self._next("secret", message))

    def confirm(self, message: str, default: bool = False) -> bool:
        return bool(self._next("confirm", message))

    def note(self, message: str, default: str = "") -> str:
        return str(self._next("note", message))

    def choice(self, message: str, choices: list[str], default: str | None = None) -> str:
        answer = str(self._next("choice", message))
        if answer not in choices:
            raise UnexpectedPrompt(f"{answer!r} is not among the choices {choices}")
        return answer

    def checkbox(self, message: str, choices: list[str], default: list[str]) -> list[str]:
        answer = self._next("checkbox", message)
        assert isinstance(answer, list) and set(answer) <= set(choices), answer
        return answer

    def name(self, message: str, names: list[str], default: str = "") -> str:
        return str(self._next("name", message))

    def finished(self) -> bool:
        return not self.script


def unused_answers() -> list[str]:
    """The expected prompts that no prompter made since the last call was asked; then forgets
    every prompter made so far."""
    left = [fragment for made in ScriptedPrompter.made for fragment, _ in made.script]
    ScriptedPrompter.made.clear()
    return left


def fingerprint(*paths: Path) -> dict[str, str | None]:
    """Each file's SHA-256 (None if absent), to prove an operation changed nothing."""
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None for p in paths
    }


def file_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


# Timed waits on a lock or condition (threading.Event.wait(t), Timer, Thread.join(t)) never
# return under libfaketime, which the suite must pass under (README); sleeping and select do.
def pause(seconds: float) -> None:
    time.sleep(seconds)


class Alarm:
    """Calls `action` after `seconds` unless cancelled first (threading.Timer, by sleeping)."""

    def __init__(self, seconds: float, action: Callable[[], object]) -> None:
        self.cancelled = False
        self._deadline = time.monotonic() + seconds
        self._action = action
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.cancelled and time.monotonic() < self._deadline:
            time.sleep(0.02)
        if not self.cancelled:
            self._action()

    def cancel(self) -> None:
        self.cancelled = True


def joined(thread: threading.Thread, seconds: float) -> bool:
    """Waits up to `seconds` for the thread to end (Thread.join(timeout), by sleeping)."""
    deadline = time.monotonic() + seconds
    while thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    return not thread.is_alive()


def verify_as_reviewer(cli, folder: Path, *extra: str, **kwargs):
    """`supervise verify DIR` as a reviewer who was given the exporter's key fingerprint by the
    organisation, as they must be when the exporter signed no record in the export (the
    fingerprint read here before anything in the folder was touched stands for that)."""
    import json

    given = json.loads((folder / "manifest.json").read_text())["exported_by"]["fingerprint"]
    return cli("verify", str(folder), "--exporter-fingerprint", given, *extra,
               passphrase=None, **kwargs)


@contextmanager
def guards_dropped(conn) -> Iterator[Any]:
    """On a raw connection (closed after): one transaction with every trigger dropped, then put
    back exactly as it was, as an insider holding the database key would do it."""
    try:
        conn.execute("BEGIN")
        guards = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        guards = guards.fetchall()
        for name, _ in guards:
            conn.execute(f"DROP TRIGGER {name}")
        yield conn
        for _, sql in guards:
            conn.execute(sql)
        conn.execute("COMMIT")
    finally:
        conn.close()
