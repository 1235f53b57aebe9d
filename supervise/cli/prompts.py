"""The one seam every question goes through.

On a terminal it asks (questionary, drawn on stderr so stdout stays data). Without one it never
asks: it fails with the hint naming the flag, environment variable or answers-file key to give.
Tests install a scripted prompter with `use()`.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

from supervise.errors import UsageError


class Prompter(Protocol):
    def text(self, message: str, default: str = "") -> str: ...

    def secret(self, message: str) -> str: ...

    def confirm(self, message: str, default: bool = False) -> bool: ...

    def note(self, message: str, default: str = "") -> str: ...

    def choice(self, message: str, choices: list[str], default: str | None = None) -> str: ...

    def checkbox(self, message: str, choices: list[str], default: list[str]) -> list[str]: ...

    def name(self, message: str, names: list[str], default: str = "") -> str: ...


NOTE_HOW_TO_FINISH = "(several lines: Enter adds a line; Esc then Enter, or Alt+Enter, finishes)"


class TerminalPrompter:
    """Asks on the terminal. Ctrl-C raises KeyboardInterrupt, handled once at the exit point.
    `output` replaces the terminal (tests drive it with prompt_toolkit's pipe input)."""

    def __init__(self, output=None) -> None:
        self.output = output

    def _output(self):
        if self.output is not None:
            return self.output
        from prompt_toolkit.output import create_output

        return create_output(stdout=sys.stderr)

    def text(self, message: str, default: str = "") -> str:
        import questionary

        return questionary.text(message, default=default, output=self._output()).unsafe_ask()

    def secret(self, message: str) -> str:
        import questionary

        return questionary.password(message, output=self._output()).unsafe_ask()

    def confirm(self, message: str, default: bool = False) -> bool:
        import questionary

        return questionary.confirm(message, default=default, output=self._output()).unsafe_ask()

    def note(self, message: str, default: str = "") -> str:
        import questionary

        return questionary.text(message, default=default, multiline=True,
                                instruction=NOTE_HOW_TO_FINISH,
                                output=self._output()).unsafe_ask()

    def choice(self, message: str, choices: list[str], default: str | None = None) -> str:
        import questionary

        return questionary.select(message, choices=choices, default=default,
                                  output=self._output()).unsafe_ask()

    def checkbox(self, message: str, choices: list[str], default: list[str]) -> list[str]:
        import questionary

        options = [questionary.Choice(c, checked=c in default) for c in choices]
        return questionary.checkbox(message, choices=options,
                                    output=self._output()).unsafe_ask()

    def name(self, message: str, names: list[str], default: str = "") -> str:
        import questionary

        return questionary.autocomplete(message, choices=names, default=default,
                                        ignore_case=True, match_middle=True,
                                        output=self._output()).unsafe_ask()


_installed: ContextVar[Prompter | None] = ContextVar("supervise_prompter", default=None)


@contextmanager
def use(prompter: Prompter) -> Iterator[Prompter]:
    token = _installed.set(prompter)
    try:
        yield prompter
    finally:
        _installed.reset(token)


def can_ask() -> bool:
    return _installed.get() is not None or sys.stdin.isatty()


def _prompter(hint: str) -> Prompter:
    installed = _installed.get()
    if installed is not None:
        return installed
    if sys.stdin.isatty():
        return TerminalPrompter()
    raise UsageError(f"No terminal to ask on: {hint}")


def text(message: str, *, hint: str, default: str = "") -> str:
    return _prompter(hint).text(message, default=default)


def secret(message: str, *, hint: str) -> str:
    return _prompter(hint).secret(message)


def confirm(message: str, *, hint: str, default: bool = False) -> bool:
    return _prompter(hint).confirm(message, default=default)


def note(message: str, *, hint: str, default: str = "") -> str:
    return _prompter(hint).note(message, default=default)


def choice(message: str, choices: list[str], *, hint: str, default: str | None = None) -> str:
    return _prompter(hint).choice(message, choices, default=default)


def checkbox(message: str, choices: list[str], *, hint: str,
             default: list[str] | None = None) -> list[str]:
    return _prompter(hint).checkbox(message, choices, default or [])


def name(message: str, names: list[str], *, hint: str, default: str = "") -> str:
    """A person's name, with type-ahead over the names given."""
    return _prompter(hint).name(message, names, default=default)
