"""A printable record as plain blocks (SPEC §7): the store lays a record out in these, the DOCX
writer draws them. Neither knows the other; nothing here reads or writes anything."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from supervise.domain.wording import moment_words, uk_date


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Answer:
    """A question as the record asked it, and what was answered (None: not answered)."""

    question: str
    answer: str | None
    level: int = 0  # an agenda item: its question is a heading of this level (the outline)


@dataclass(frozen=True)
class Grid:
    """A table: label/value pairs (no header) or rows under a header."""

    rows: tuple[tuple[str, ...], ...]
    header: tuple[str, ...] = ()
    widths: tuple[int, ...] = ()  # relative column widths; equal when empty
    marked: frozenset[int] = frozenset()  # rows set apart (a gap in a chronology)


@dataclass(frozen=True)
class Remark:
    """A note about the record itself (omitted parts, late entry), set apart from its text."""

    text: str


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Chart:
    """A column chart of a series by category (a month), drawn natively by the word processor."""

    title: str
    categories: tuple[str, ...]  # e.g. ("2026-01", "2026-02", ...)
    series: tuple[tuple[str, tuple[float, ...]], ...]  # (name, one value per category)
    y_title: str = ""


Block = Heading | Answer | Grid | Remark | PageBreak | Chart


@dataclass
class Document:
    organisation: str
    title: str  # the record type as the pro-formas call it: "Supervision Record"
    reference: str  # "Session S12": the footer's record id
    digest: str  # the record's digest; the footer shows its start
    author: str
    created: Any  # an aware datetime: the export's moment, set as the file's core property
    blocks: list[Block] = field(default_factory=list)
    subtitle: str | None = None
    digest_label: str = "Digest"
    extract: str | None = None  # on every page of an extract: what it leaves out


def answer_text(value: Any, kind: str | None = None) -> str | None:
    """An answer as a reader sees it: yes/no, lists joined, UK dates (a `date` question's answer
    is kept as ISO text); None when empty."""
    if value is None or value == "" or value == []:
        return None
    if kind == "date" and isinstance(value, str):
        return uk_date(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(answer_text(v)) for v in value)
    if isinstance(value, date):
        return uk_date(value)
    return str(value)


def moment_text(iso: str | None) -> str:
    """A stored UTC moment as a reader sees it, in local time: `17 December 2025, 16:30 GMT`."""
    return moment_words(iso)


def short_digest(digest: str) -> str:
    return digest[:16]


@dataclass
class RecordFile:
    """One record's DOCX in an export, and its manifest entries (the record, then its
    amendments)."""

    name: str
    document: Document
    entries: list[dict[str, Any]]
