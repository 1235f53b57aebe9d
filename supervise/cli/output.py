"""The one object that owns the terminal: data on stdout, messages on stderr.

Every listing renders the same rows as a table or, with --json, as a JSON array and nothing else
on stdout. User text reaches rich as Text, never as markup.
"""

import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from supervise.domain.text import json_safe, visible

Columns = Sequence[tuple[str, str]]
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    return visible(str(value))


def fits(text: str, width: int = 72) -> str:
    """One line of a choice list, cut with an ellipsis to stay on one line at 80 columns."""
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def _csv_cell(value: Any) -> str:
    text = "; ".join(_cell(v) for v in value) if isinstance(value, list) else _cell(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") and not _NUMBER.match(text) else text


def _terminal_width(stream: Any) -> int | None:
    """The width of the terminal `stream` writes to, or None when it is not a terminal."""
    import os

    try:
        if not stream.isatty():
            return None
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return None


def _load_tables() -> None:
    import rich.console  # noqa: F401 - loaded for Output.table, while the key is derived
    import rich.table  # noqa: F401
    import rich.text  # noqa: F401


class Output:
    def preload(self) -> Any:
        """A thread that loads the table renderer, for the CLI to start as a store's key is
        derived: Argon2id holds no lock on the interpreter, so on a second core the import
        costs the command nothing. Started by the caller; join it before the output."""
        import threading

        return threading.Thread(target=_load_tables, name="preload-tables", daemon=True)

    def data(self, text: str) -> None:
        self._write(visible(text))

    def json(self, value: Any) -> None:
        self._write(json_safe(json.dumps(value, indent=2, ensure_ascii=False)))

    @staticmethod
    def _write(text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    def message(self, text: str) -> None:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def warning(self, text: str) -> None:
        self.paragraph(f"Warning: {text}")

    def paragraph(self, text: str, indent: str = "") -> None:
        """A message word-wrapped to the terminal's width (each line starting with `indent`),
        so a long one does not break mid-word at the edge; not wrapped when stderr is not a
        terminal (a log keeps each message on one line)."""
        import textwrap

        width = _terminal_width(sys.stderr)
        if width is None:
            self.message(indent + text)
            return
        lines: list[str] = []
        for part in text.split("\n"):
            lines.extend(textwrap.wrap(part, max(width - 1, 20), initial_indent=indent,
                                       subsequent_indent=indent, break_on_hyphens=False)
                         or [""])
        self.message("\n".join(lines))

    def guidance(self, text: str) -> None:
        """A question's help, under its title: one paragraph, indented, wrapped to the width."""
        self.paragraph(" ".join(text.split()), indent="  ")

    def csv(self, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> None:
        """Rows as CSV under a header of their keys. A cell a spreadsheet would run as a
        formula (=, +, -, @ first) is prefixed with ' so opening the file runs nothing."""
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(keys)
        for row in rows:
            writer.writerow([_csv_cell(row.get(key)) for key in keys])
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()

    def table(self, rows: Sequence[Mapping[str, Any]], columns: Columns, *, as_json: bool,
              empty: str, as_csv: Sequence[str] | None = None) -> None:
        """`as_csv`: the keys to write as CSV instead of a table."""
        if as_json:
            self.json(rows)
            return
        if as_csv is not None:
            self.csv(rows, as_csv)
            return
        if not rows:
            self.message(empty)
            return
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, pad_edge=False, header_style="bold")
        for _, header in columns:
            table.add_column(header, overflow="fold")
        for row in rows:
            table.add_row(*(Text(_cell(row.get(key))) for key, _ in columns))
        # Piped output is not wrapped at 80 columns: each row stays on one line.
        width = None if sys.stdout.isatty() else 10_000
        Console(file=sys.stdout, highlight=False, width=width).print(table)

    @staticmethod
    def cell(value: Any) -> str:
        """A value as text: yes/no, lists joined, control characters shown visibly."""
        return _cell(value)

    def answer(self, question: str, value: Any, blank: str = "(not answered)") -> None:
        """A question and its answer, as a record's body shows them."""
        self.data(f"\n{question}\n{_cell(value) or blank}")

    def record(self, row: Mapping[str, Any], fields: Columns, *, as_json: bool,
               skip_empty: bool = False) -> None:
        """One record as label/value lines (or JSON); `skip_empty` leaves out unset values."""
        if as_json:
            self.json(row)
            return
        shown = [(k, label) for k, label in fields
                 if not (skip_empty and row.get(k) in (None, ""))]
        width = max(len(label) for _, label in shown)
        for key, label in shown:
            self.data(f"{label:<{width}}  {_cell(row.get(key))}")

    @contextmanager
    def progress(self, total: int, what: str) -> Iterator[Callable[[], None]]:
        """A progress bar on stderr when it is a terminal; yields the step to call per item."""
        if not sys.stderr.isatty():
            yield lambda: None
            return
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(file=sys.stderr), transient=True) as bar:
            task = bar.add_task(what, total=total)
            yield lambda: bar.advance(task)


out = Output()
