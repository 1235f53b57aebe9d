"""What every step of the walk asks with: the walk's state, and questions asked again until the
answer will do (a date, minutes, a member of staff, a needed line)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from supervise.app import drafting
from supervise.cli import prompts
from supervise.cli.hints import rendered
from supervise.cli.output import out
from supervise.domain.dates import parse_date
from supervise.errors import SuperviseError


@dataclass
class Walk:
    """One walk through a session: its store, and what it read once (the draft's kind and date,
    the staff names offered for type-ahead, the answers already saved). Every answer is saved
    by one use case call, in its own transaction (the autosave)."""

    store: Any
    record_id: int
    draft: drafting.Draft

    @property
    def names(self) -> list[str]:
        return self.draft.names

    @property
    def answered(self) -> dict[str, Any]:
        return self.draft.answered


def ask_date(question: str, default: date, hint: str) -> date:
    while True:
        try:
            return parse_date(prompts.text(question, hint=hint, default=default.isoformat()),
                              "the date")
        except SuperviseError as error:
            out.paragraph(f"{rendered(error)}", indent="  ")


def ask_date_from(question: str, default: date, hint: str, session_day: date) -> date:
    """A date on or after the session's, asked again until it is."""
    while True:
        chosen = ask_date(question, default, hint)
        if chosen >= session_day:
            return chosen
        out.paragraph(f"That is before the session ({session_day}).", indent="  ")


def ask_minutes(question: str, default: int | None, hint: str) -> int | None:
    while True:
        raw = prompts.text(question, hint=hint, default=str(default or "")).strip()
        if not raw:
            return None
        if raw.isdigit() and 0 < int(raw) <= 600:
            return int(raw)
        too_long = raw.isdigit() and int(raw) > 600
        out.paragraph(("That is over 10 hours: g" if too_long else "G")
                      + "ive the number of minutes, e.g. 60, or leave it blank.", indent="  ")


def ask_staff(store: Any, question: str, names: list[str], hint: str, default: str = "") -> str:
    """A member of staff, asked again (with a "did you mean") until the name is one."""
    while True:
        typed = prompts.name(question, names, hint=hint, default=default).strip()
        if not typed:
            continue
        try:
            return drafting.staff_name(store, typed)
        except SuperviseError as error:
            out.paragraph(f"{rendered(error)}", indent="  ")


def ask_needed(question: str, hint: str, names: list[str] | None = None) -> str:
    """A line that cannot be left blank; with `names`, typing offers them (type-ahead)."""
    while True:
        value = (prompts.name(question, names, hint=hint) if names
                 else prompts.text(question, hint=hint)).strip()
        if value:
            return value
        out.paragraph("This one is needed.", indent="  ")


def short(value: Any) -> str:
    """An answer on one line (a note's line breaks as spaces), cut to fit beside its title."""
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= 70 else text[:67] + "..."

