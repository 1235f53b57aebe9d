"""One line of progress on stderr, rewritten in place, for the checks that walk a whole store
(`doctor`, `audit verify`). Only on a terminal: piped or captured, nothing is written, so what
scripts and tests compare is the same as before."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = Callable[[str, int, int], None]

_SAID = {"events": ("Checking the audit trail", "events"),
         "records": ("Checking the signed records", "records")}


def said(what: str, done: int, total: int) -> str:
    if what not in _SAID:
        return "Checking every page of the store…"
    lead, unit = _SAID[what]
    return f"{lead}: {done:,} of {total:,} {unit}"


@contextmanager
def progress_line() -> Iterator[Progress | None]:
    """The callback to hand the check (None when stderr is not a terminal); the line is wiped
    when the block ends, so the findings print on a clean line."""
    stream = sys.stderr
    if not stream.isatty():
        yield None
        return

    def show(what: str, done: int, total: int) -> None:
        stream.write("\r" + said(what, done, total) + "\x1b[K")
        stream.flush()

    try:
        yield show
    finally:
        stream.write("\r\x1b[K")
        stream.flush()
