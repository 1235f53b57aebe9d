"""The one seam every question goes through.

On a terminal it asks (questionary, drawn on stderr so stdout stays data). Without one it never
asks: it fails with the hint naming the flag, environment variable or answers-file key to give.
Tests install a scripted prompter with `use()`.
"""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

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
CHECKBOX_HOW_TO = "(Space picks, Enter ends)"
SELECT_HOW_TO = "(Use arrow keys)"  # questionary's own, measured here to lay the question out


def wrap(text: str, width: int) -> list[str]:
    """`text` word-wrapped to `width` columns, its own line breaks kept (a word longer than
    the width is cut, never left to run off the edge)."""
    import textwrap

    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(textwrap.wrap(paragraph, max(width, 10), break_on_hyphens=False) or [""])
    return lines


def laid_out(message: str, columns: int, *, room: int = 0, typed: bool = True,
             own_line: bool = False) -> str:
    """`message` as questionary should draw it on a terminal `columns` wide.

    questionary draws "? MESSAGE", how to answer and the answer on one line, and prompt_toolkit
    shows nothing at all when that line is wider than the terminal (issue 18). A question that
    leaves room stays on one line (`room`: what its instruction and answer need there; a typed
    answer is given at least half the width). Otherwise it is word-wrapped under its "? " and
    the answer gets a line of its own, the full width (`own_line`: always, as for a note)."""
    line = 2 + len(message) + 1
    if not own_line and "\n" not in message and line + room < columns \
            and (not typed or line <= columns // 2):
        return message
    return "\n  ".join(wrap(message, columns - 3)) + "\n"  # "? " first, then two spaces


def how_to(instruction: str, columns: int) -> str:
    """An instruction for questionary to draw on its own line(s) between a question laid out
    with `own_line` and the answer, indented under the question."""
    return "\n  ".join(wrap(instruction, columns - 3)) + "\n"


def _hidden(message: str) -> str:
    """A passphrase typed on the terminal, not echoed (getpass: no prompt_toolkit, so the first
    question of a command, the store passphrase, is on screen at once)."""
    import getpass
    import shutil

    columns = max(shutil.get_terminal_size((80, 24)).columns, 20)
    return getpass.getpass(laid_out(f"? {message}", columns) + " ", stream=sys.stderr)


def _until(ask: Callable[[], Any], answered: Callable[[Any], bool]) -> Any:
    """Asks until the answer is one: Esc then Enter (how a note finishes) makes prompt_toolkit
    end a list, yes/no or tick question with its empty line, which is no answer at all."""
    while True:
        answer = ask()
        if answered(answer):
            return answer


class TerminalPrompter:
    """Asks on the terminal. Ctrl-C raises KeyboardInterrupt, handled once at the exit point.
    `output` replaces the terminal (tests drive it with prompt_toolkit's pipe input).

    Every question is laid out for the terminal's width when it is asked (`laid_out`): wrapped,
    with how to answer it on a line of its own, so nothing is drawn wider than the screen."""

    def __init__(self, output=None) -> None:
        self.output = output

    def _output(self):
        if self.output is not None:
            return self.output
        from prompt_toolkit.output import create_output

        return create_output(stdout=sys.stderr)

    @staticmethod
    def _columns(output) -> int:
        try:
            columns = output.get_size().columns
        except OSError:
            columns = 80
        return max(columns, 20)

    def text(self, message: str, default: str = "") -> str:
        import questionary

        output = self._output()
        shown = laid_out(message, self._columns(output))
        return questionary.text(shown, default=default, output=output).unsafe_ask()

    def secret(self, message: str) -> str:
        if self.output is None:  # the terminal itself: the standard library's hidden input
            return _hidden(message)
        import questionary

        output = self._output()
        shown = laid_out(message, self._columns(output))
        return questionary.password(shown, output=output).unsafe_ask()

    def confirm(self, message: str, default: bool = False) -> bool:
        import questionary

        output = self._output()
        shown = laid_out(message, self._columns(output), room=len("(y/N) Yes"),
                         typed=False)
        return _until(lambda: questionary.confirm(shown, default=default,
                                                  output=output).unsafe_ask(),
                      lambda answer: isinstance(answer, bool))

    def note(self, message: str, default: str = "") -> str:
        import questionary

        output = self._output()
        columns = self._columns(output)
        shown = laid_out(message, columns, own_line=True)
        how = how_to(NOTE_HOW_TO_FINISH, columns)
        return questionary.text(shown, default=default, multiline=True, instruction=how,
                                output=output).unsafe_ask()

    def choice(self, message: str, choices: list[str], default: str | None = None) -> str:
        import questionary

        output = self._output()
        room = max(len(SELECT_HOW_TO), *map(len, choices)) + 1
        shown = laid_out(message, self._columns(output), room=room, typed=False)
        return _until(lambda: questionary.select(shown, choices=choices, default=default,
                                                 output=output).unsafe_ask(),
                      lambda answer: answer in choices)

    def checkbox(self, message: str, choices: list[str], default: list[str]) -> list[str]:
        import questionary

        output = self._output()
        room = max(len(CHECKBOX_HOW_TO), len("done (10 selections)")) + 1
        shown = laid_out(message, self._columns(output), room=room, typed=False)
        options = [questionary.Choice(c, checked=c in default) for c in choices]
        return _until(lambda: questionary.checkbox(shown, choices=options,
                                                   instruction=CHECKBOX_HOW_TO,
                                                   output=output).unsafe_ask(),
                      lambda answer: isinstance(answer, list))

    def name(self, message: str, names: list[str], default: str = "") -> str:
        import questionary

        if not names:  # nothing to type ahead (questionary refuses an empty list)
            return self.text(message, default)
        output = self._output()
        shown = laid_out(message, self._columns(output))
        return questionary.autocomplete(shown, choices=names, default=default,
                                        ignore_case=True, match_middle=True,
                                        output=output).unsafe_ask()


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
