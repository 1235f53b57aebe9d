"""Answers to a template's questions, from a prompt or an answers file (SPEC §5), checked whole.

Text is kept exactly as given (control characters pasted from Word included): evidence must not
change on the way in. Each checker collects every problem instead of stopping at the first, so a
bad answers file is refused with the full list and nothing is stored.
"""

import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from supervise.domain.dates import parse_date
from supervise.domain.names import clean_name
from supervise.domain.policy.templates import FIELD_TYPES, Field, Template
from supervise.domain.policy.tomlspots import syntax_error
from supervise.domain.text import counted
from supervise.errors import Hint, Spell, SuperviseError, UsageError, joined

MAX_TEXT = 2_000
MAX_NOTE = 100_000
_SURROGATE = re.compile("[\ud800-\udfff]")


class AnswersError(UsageError):
    """An answers file (or set of answers) with problems; `problems` has them all, and `hints`
    (one per problem, or None) what to do about each, which the CLI words in its line."""

    def __init__(self, origin: str, problems: list[str],
                 hints: list[Hint | None] | None = None) -> None:
        self.origin = origin
        self.problems = problems
        self.hints = [*(hints or []), *[None] * (len(problems) - len(hints or []))]
        super().__init__(self._line("; ".join(problems)))

    def _line(self, listed: str) -> str:
        return (f"{self.origin} has {counted(len(self.problems), 'problem')}, nothing was "
                f"stored: {listed}")

    def said(self, spell: Spell) -> str:
        return self._line("; ".join(joined(problem, hint, spell)
                                    for problem, hint in zip(self.problems, self.hints,
                                                             strict=True)))


@dataclass
class Problems:
    items: list[str] = field(default_factory=list)
    hints: list[Hint | None] = field(default_factory=list)

    def add(self, where: str, problem: str | SuperviseError, hint: Hint | None = None) -> None:
        """A problem at `where`: its text (and hint), or the error it raised (whose hint is
        kept)."""
        message, hint = (problem.message, problem.hint) if isinstance(problem, SuperviseError) \
            else (problem, hint)
        self.items.append(f"{where}: {message}" if message else f"{where}:")
        self.hints.append(hint)

    def raise_if_any(self, origin: str) -> None:
        if self.items:
            raise AnswersError(origin, self.items, self.hints)


def read_answers_text(text: str, suffix: str) -> dict[str, Any]:
    """An answers file's content as a table: JSON if it ends in .json, else TOML."""
    if suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except RecursionError:
            raise UsageError("The answers file is nested too deeply to be an answers file.") \
                from None
        except json.JSONDecodeError as error:
            raise UsageError(f"The answers file is not valid JSON: line {error.lineno}: "
                             f"{error.msg}.") from None
        halves = _lone_surrogates(data)
        if halves:
            more = f" and {len(halves) - 5} more places" if len(halves) > 5 else ""
            raise UsageError(f"The answers file has half a character pair (a lone \\ud800-"
                             f"\\udfff escape) at {', '.join(halves[:5])}{more}: write the "
                             f"whole character, or remove it.")
    else:
        try:
            data = tomllib.loads(text)
        except RecursionError:
            raise UsageError("The answers file is nested too deeply to be an answers file.") \
                from None
        except tomllib.TOMLDecodeError as error:
            line, message = syntax_error(error, text)
            raise UsageError(f"The answers file is not valid TOML: line {line}: {message};",
                             Hint.of("fix_line_or_skeleton")) from None
    if not isinstance(data, dict):
        raise UsageError("The answers file must be a table of keys",
                         Hint.of("see_skeleton"))
    return data


def _lone_surrogates(data: Any) -> list[str]:
    """Where JSON's \\ud800-\\udfff escapes left half a character pair, which no UTF-8 text
    (nor the store) can hold. Walked without recursion: a file nested deeply is still answered."""
    found: list[str] = []
    pending: list[tuple[str, Any]] = [("", data)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, str) and _SURROGATE.search(value):
            found.append(where or "the top level")
        elif isinstance(value, list):
            pending += [(f"{where}[{i}]", v) for i, v in enumerate(value, start=1)]
        elif isinstance(value, dict):
            for key, v in value.items():
                at = f"{where}.{key}" if where else key
                if _SURROGATE.search(key):
                    found.append(at.encode("utf-8", "backslashreplace").decode("utf-8"))
                else:
                    pending.append((at, v))
    return sorted(found)


def check_value(spec: Field, value: Any, where: str, problems: Problems) -> Any:
    """One answer in its stored form, or None (with a problem) if it does not fit the question."""
    kind = spec.type
    if kind in ("text", "note"):
        if not isinstance(value, str):
            problems.add(where, "must be text in quotes")
            return None
        limit = MAX_TEXT if kind == "text" else MAX_NOTE
        if len(value) > limit:
            problems.add(where, f"is {len(value):,} characters; the limit is {limit:,}")
            return None
        return value
    if kind == "choice":
        return _choice(spec, value, where, problems)
    if kind == "multichoice":
        if not isinstance(value, list):
            problems.add(where, f"must be a list, e.g. [{_quoted(spec.choices[:2])}]")
            return None
        picked = [_choice(spec, v, where, problems) for v in value]
        return None if None in picked else picked
    if kind == "date":
        return check_date(value, where, problems)
    if kind == "yesno":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("yes", "no"):
            return value.strip().lower() == "yes"
        problems.add(where, "must be true or false (yes or no)")
        return None
    if kind == "person":
        return check_name(value, where, problems)
    problems.add(where, f"a {kind} section is not answered in [answers]")
    return None


def check_answers(template: Template, answers: Any, problems: Problems,
                  where: str = "answers", fields: tuple[Field, ...] | None = None,
                  require: bool = True) -> dict:
    """The answers to a template's simple questions (or to a case's `fields`). With `require`
    off, unanswered required questions are left for the caller to ask."""
    specs = fields if fields is not None else template.sections
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        problems.add(where, "must be a table of question ids and answers")
        return {}
    by_id = {s.id: s for s in specs}
    clean: dict[str, Any] = {}
    for key, value in answers.items():
        spec = by_id.get(key)
        if spec is None:
            simple = [s.id for s in specs if s.type in FIELD_TYPES]
            problems.add(f"{where}.{key}", f"{template.id} has no question {key!r}; its "
                                           f"questions are {', '.join(simple)}")
        elif spec.type not in FIELD_TYPES:
            problems.add(f"{where}.{key}", f"give the {spec.type} section as its own "
                                           "top-level table", Hint.of("see_skeleton_bare"))
        else:
            checked = check_value(spec, value, f"{where}.{key}", problems)
            if checked is not None:
                clean[key] = checked
    for spec in specs:
        if spec.when is not None and not spec.applies(clean) and not _blank(clean.get(spec.id)):
            problems.add(f"{where}.{spec.id}", f"is only answered when {spec.when} is true: "
                                               f"remove it or set {spec.when} = true")
    for spec in specs if require else ():
        if spec.required and spec.type in FIELD_TYPES and spec.applies(clean) and \
                _blank(answers.get(spec.id)):
            problems.add(f"{where}.{spec.id}", f"is required ({spec.title}): answer it")
    return clean


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list) and not value)


def _choice(spec: Field, value: Any, where: str, problems: Problems) -> str | None:
    if isinstance(value, str):
        for choice in spec.choices:
            if choice.casefold() == value.strip().casefold():
                return choice
    problems.add(where, f"{value!r} is not one of {_quoted(spec.choices)}")
    return None


def _quoted(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f'"{v}"' for v in values)


def check_date(value: Any, where: str, problems: Problems) -> str | None:
    if isinstance(value, datetime | time):
        problems.add(where, "must be a date alone, YYYY-MM-DD, with no time of day")
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return parse_date(value, "the date").isoformat()
        except SuperviseError as error:
            problems.add(where, error)
            return None
    problems.add(where, "must be a date, YYYY-MM-DD")
    return None


def check_name(value: Any, where: str, problems: Problems) -> str | None:
    if not isinstance(value, str):
        problems.add(where, "must be a person's name in quotes")
        return None
    try:
        return clean_name(value)
    except SuperviseError as error:
        problems.add(where, error)
        return None


def as_date(value: Any, where: str, problems: Problems) -> date | None:
    text = check_date(value, where, problems)
    return date.fromisoformat(text) if text else None

