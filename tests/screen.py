"""The real program in a pseudo-terminal of a given size, read as a person sees it: its output is
fed into a `pyte` terminal emulator of the same size, and tests wait for text to be on that
SCREEN (not merely somewhere in the byte stream), then send keys.

A question drawn wider than the terminal, or scrolled away, or overwritten by a redraw, is not on
the screen, so a test that waits for it fails (after `timeout` seconds: a guard against a hang,
not a timing assertion). The emulator answers the cursor-position requests prompt_toolkit sends,
as a real terminal does.
"""

import io
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pexpect
import pyte

# How long text may take to appear before the test gives up (a loaded machine took 7 s to the
# first prompt): a guard against a hang, not a timing assertion.
TIMEOUT = 90

ENTER = "\r"
FINISH_NOTE = "\x1b\r"  # Esc then Enter ends a multi-line answer
ALT_ENTER = "\x1b\r"  # what a terminal sends for Alt+Enter: the same two bytes
DOWN = "\x1b[B"
SPACE = " "
CLEAR_LINE = "\x15"  # Ctrl-U: clear the offered default before typing
CTRL_C = "\x03"

_SPACES = re.compile(r"\s+")


def squeezed(text: str) -> str:
    """Runs of white space (line ends too) as one space: a question word-wrapped over several
    lines still reads as its words in order."""
    return _SPACES.sub(" ", text).strip()


class _Screen(pyte.Screen):
    """A pyte screen whose answers (cursor position reports) go back to the program."""

    def __init__(self, columns: int, lines: int, reply: Callable[[str], None]) -> None:
        super().__init__(columns, lines)
        self._reply = reply
        self.scrolled = 0  # rows scrolled off the top so far

    def write_process_input(self, data: str) -> None:
        self._reply(data)

    def index(self) -> None:
        top, bottom = self.margins or pyte.screens.Margins(0, self.lines - 1)
        if self.cursor.y == bottom and top == 0:
            self.scrolled += 1
        super().index()


class Terminal:
    """`supervise ARGS` running in a pseudo-terminal of `rows` x `cols`, with a screen."""

    def __init__(self, args: Iterable[str], *, env: dict[str, str], cwd: Path, rows: int,
                 cols: int, timeout: float = TIMEOUT) -> None:
        self.rows, self.cols, self.timeout = rows, cols, timeout
        self.child = pexpect.spawn(sys.executable, ["-m", "supervise", *args], env=env,
                                   cwd=str(cwd), encoding="utf-8", codec_errors="replace",
                                   dimensions=(rows, cols), timeout=timeout)
        self.raw = io.StringIO()  # every byte the program wrote, for a failure's message
        self.screen = _Screen(cols, rows, self._answer)
        self.stream = pyte.Stream(self.screen)
        self.ended = False
        self.exitstatus: int | None = None

    def _answer(self, data: str) -> None:
        if not self.ended:
            self.child.send(data)

    # ---- reading the screen ----

    def lines(self) -> list[str]:
        """The screen, one string per row, trailing blanks removed."""
        return [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        return "\n".join(self.lines())

    def shown(self) -> str:
        """The screen as a framed picture, for a failure's message."""
        rule = "+" + "-" * self.cols + "+"
        return "\n".join([rule, *(f"|{line:<{self.cols}}|" for line in self.lines()), rule])

    def on_screen(self, text: str) -> bool:
        """Is `text` on the screen now? White space is squeezed on both sides, so a question
        word-wrapped over several rows counts; one cut off at the edge does not."""
        return squeezed(text) in squeezed(self.text())

    def _pump(self, wait: float) -> bool:
        """Feed whatever the program wrote within `wait` seconds to the screen; False at EOF."""
        if self.ended:
            return False
        try:
            data = self.child.read_nonblocking(size=65536, timeout=wait)
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            self.ended = True
            return False
        self.raw.write(data)
        self.stream.feed(data)
        return True

    def wait_for(self, *texts: str, timeout: float | None = None) -> None:
        """Wait until every one of `texts` is on the screen at once; fail showing the screen."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            if all(self.on_screen(t) for t in texts):
                return
            alive = self._pump(0.05)
            if not alive and not all(self.on_screen(t) for t in texts):
                missing = [t for t in texts if not self.on_screen(t)]
                raise AssertionError(f"the program ended without showing {missing!r} "
                                     f"({self.rows}x{self.cols}):\n{self.shown()}")
            if time.monotonic() > deadline:
                missing = [t for t in texts if not self.on_screen(t)]
                raise AssertionError(f"not on the {self.rows}x{self.cols} screen after "
                                     f"{timeout or self.timeout} s: {missing!r}\n{self.shown()}")

    def _row_of(self, text: str, mark: int) -> int | None:
        """The row (counting rows scrolled away) where the last showing of `text` starts, if it
        starts at row `mark` or below."""
        lines, base, needle = self.lines(), self.screen.scrolled, squeezed(text)
        for row in range(len(lines) - 1, max(0, mark - base) - 1, -1):
            if needle in squeezed(" ".join(lines[row:])):
                return base + row
        return None

    def wait_for_below(self, text: str | tuple[str, ...], mark: int,
                       timeout: float | None = None) -> int:
        """Wait until `text` (or any one of a tuple of texts) is on the screen starting at row
        `mark` or below (rows counted from the first the program drew, scrolled-away ones
        included): a question asked again is found where it is asked now, not where it was
        answered before. Returns its row."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        texts = (text,) if isinstance(text, str) else text

        def found() -> int | None:
            rows = [r for r in (self._row_of(t, mark) for t in texts) if r is not None]
            return max(rows) if rows else None

        while True:
            row = found()
            if row is not None:
                return row
            alive = self._pump(0.05)
            if not alive and found() is None:
                raise AssertionError(f"the program ended without showing {text!r} "
                                     f"({self.rows}x{self.cols}):\n{self.shown()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"not on the {self.rows}x{self.cols} screen after "
                                     f"{timeout or self.timeout} s (at or below row {mark}, "
                                     f"{self.screen.scrolled} scrolled away): {text!r}\n"
                                     f"{self.shown()}")

    def settle(self, quiet: float = 0.3) -> None:
        """Read until the program has written nothing for `quiet` seconds (so what is on the
        screen is what it drew last; used only before asserting something is NOT shown)."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline and not self.ended:
            before = self.raw.tell()
            if not self._pump(quiet) or self.raw.tell() == before:
                return

    def cursor_row(self) -> str:
        return self.lines()[self.screen.cursor.y]

    # ---- typing ----

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def type(self, text: str, finish: str = "") -> None:
        """Type `text`, wait until it is on the screen, then send `finish` (e.g. Enter)."""
        self.send(text)
        if text.strip():
            self.wait_for(text)
        if finish:
            self.send(finish)

    # ---- the end ----

    def finish(self) -> int | None:
        """Wait for the program to end (its last output on the screen); its exit code."""
        deadline = time.monotonic() + self.timeout
        while self._pump(0.1):
            if time.monotonic() > deadline:
                raise AssertionError(f"the program did not end:\n{self.shown()}")
        self.child.close()
        self.exitstatus = self.child.exitstatus
        return self.exitstatus

    def close(self) -> None:
        if not self.ended:
            self.ended = True
            self.child.close(force=True)
