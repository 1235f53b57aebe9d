"""Agenda templates (SPEC §4, docs/templates.md): parsed from TOML text and checked whole.

`parse_template` returns the template only when there is no problem at all, so a bad template
never half-runs; every problem carries its line and what to write instead.
"""

import re
import tomllib
from dataclasses import dataclass
from typing import Any

from supervise.domain.names import closest
from supervise.domain.policy.tomlspots import Spot, Spots, locate, syntax_error
from supervise.domain.records.canonical import sha256_hex
from supervise.errors import Hint, SuperviseError

KINDS = ("contract", "session", "decision")
SESSION_KINDS = ("one-to-one", "group", "ad-hoc", "external")
FIELD_TYPES = ("text", "note", "choice", "multichoice", "date", "yesno", "person")
SESSION_TYPES = ("action_review", "cases", "actions", "next_meeting")
TYPES = FIELD_TYPES + SESSION_TYPES
FUNCTIONS = ("management", "development", "support", "mediation", "voice-of-child")
DECISION_SECTIONS = ("synopsis", "concerns", "decision", "rationale")
PARTS = ("A", "B")

_TOP_KEYS = ("id", "kind", "title", "version", "policy", "source", "description",
             "session_kinds", "sections")
_SECTION_KEYS = ("id", "title", "type", "help", "required", "choices", "functions", "default",
                 "example", "fields", "personal", "number", "band", "when")
_FIELD_KEYS = tuple(k for k in _SECTION_KEYS
                    if k not in ("fields", "personal", "number", "band")) + ("part",)
_TEMPLATE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_SECTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# What a template may not show a user (docs/threat-model.md): C0 and C1 controls, DEL, the
# bidirectional overrides and isolates; in one-line text also tab, newline and the Unicode line
# and paragraph separators. Help, descriptions, defaults and examples may run over lines.
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_UNSHOWABLE = re.compile(f"[{_CONTROL}]")
_UNSHOWABLE_IN_LINE = re.compile(f"[{_CONTROL}\t\n\u2028\u2029]")
_MULTILINE = ("help", "description", "default", "example")


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class TemplateError(SuperviseError):
    """A template with problems; the message is the first, `problems` has them all."""

    def __init__(self, origin: str, problems: list[Problem]) -> None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"Template {origin} {problems[0]}{more}.",
                         Hint.of("validate_template"))
        self.problems = problems


@dataclass(frozen=True)
class Field:
    id: str
    title: str
    type: str
    help: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    default: str | None = None
    example: Any = None
    part: str | None = None
    personal: bool = False  # about the supervisee's own wellbeing: left out of review exports
    when: str | None = None  # asked only when this earlier yes/no question is answered yes

    def applies(self, answers: dict[str, Any]) -> bool:
        """Whether the question is asked, given the answers beside it (its `when`)."""
        return self.when is None or answers.get(self.when) is True


@dataclass(frozen=True)
class Section(Field):
    fields: tuple[Field, ...] = ()
    number: str | None = None  # the agenda's own item number, as the form prints it
    band: str | None = None  # the part of the agenda it opens (e.g. "Introduction")


@dataclass(frozen=True)
class Template:
    id: str
    kind: str
    title: str
    version: int
    sections: tuple[Section, ...]
    policy: str | None = None
    source: str | None = None
    description: str | None = None
    session_kinds: tuple[str, ...] = SESSION_KINDS
    text: str = ""

    @property
    def digest(self) -> str:
        """The content hash a record keeps, with a stored copy of `text`."""
        return sha256_hex(self.text.encode("utf-8"))

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def of_type(self, section_type: str) -> Section | None:
        return next((s for s in self.sections if s.type == section_type), None)


def parse_template(text: str, origin: str = "template", *, stored: bool = False) -> Template:
    """`stored`: a copy kept with the records made from it, read by the rules it was accepted
    under (it is evidence): text that an older version let through is shown escaped, not
    refused."""
    template, problems = check_template(text, stored=stored)
    if problems:
        raise TemplateError(origin, problems)
    assert template is not None
    return template


def check_template(text: str, *, stored: bool = False) -> tuple[Template | None, list[Problem]]:
    """The template and every problem found (the template is None when there is any)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line, message = syntax_error(error, text)
        return None, [Problem(line, f"TOML syntax error: {message}; fix the quoting, brackets "
                                    f"or `key = value` on that line")]
    checker = _Checker(locate(text), stored=stored)
    template = checker.template(data, text)
    problems = sorted(checker.problems, key=lambda p: p.line)
    return (None if problems else template), problems


class _Checker:
    def __init__(self, spots: Spots, *, stored: bool = False) -> None:
        self.spots = spots
        self.stored = stored
        self.problems: list[Problem] = []

    def add(self, spot: Spot, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.spots.line(spot, key), message))

    def unknown_keys(self, data: dict, allowed: tuple[str, ...], spot: Spot, where: str) -> None:
        for key in data:
            if key not in allowed:
                near = closest(key, list(allowed), limit=1)
                fix = f"did you mean `{near[0]}`?" if near else f"use {', '.join(allowed)}"
                self.add(spot, key, f"unknown key `{key}` in {where}: {fix}")

    def string(self, data: dict, key: str, spot: Spot, *, required: bool, example: str) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.add(spot, None, f"missing `{key}`: add e.g. {key} = {example}")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.add(spot, key, f"`{key}` must be text in quotes, e.g. {key} = {example}")
            return ""
        return value if self.showable(value, spot, key) else ""

    def showable(self, value: Any, spot: Spot, key: str) -> bool:
        """Text a user will see (or, in a list or table, each text in it) holds no control
        character; a problem names the first one found, as the terminal would show it."""
        if isinstance(value, list | tuple):
            return all([self.showable(v, spot, key) for v in value])
        if isinstance(value, dict):
            return all([self.showable(v, spot, key) for v in value.values()])
        if not isinstance(value, str) or self.stored:
            return True
        unshowable = _UNSHOWABLE if key in _MULTILINE else _UNSHOWABLE_IN_LINE
        found = unshowable.search(value)
        if found is None:
            return True
        self.add(spot, key, f"`{key}` contains a control character "
                            f"[U+{ord(found.group()):04X}]: remove it")
        return False

    def template(self, data: dict, text: str) -> Template | None:
        top: Spot = ()
        self.unknown_keys(data, _TOP_KEYS, top, "the template")
        template_id = self.string(data, "id", top, required=True, example='"dsl-agenda"')
        if template_id and not _TEMPLATE_ID.match(template_id):
            self.add(top, "id", f"id {template_id!r} must be lowercase letters, digits and -, "
                                f'e.g. id = "my-agenda"')
        kind = self.string(data, "kind", top, required=True, example='"session"')
        if kind and kind not in KINDS:
            self.add(top, "kind", f"unknown kind {kind!r}: write one of {', '.join(KINDS)}")
        title = self.string(data, "title", top, required=True, example='"Supervision Record"')
        version = data.get("version")
        if version is None:
            self.add(top, None, "missing `version`: add version = 1 (raise it on every change)")
        elif isinstance(version, bool) or not isinstance(version, int) or version < 1:
            self.add(top, "version", "`version` must be a whole number from 1, e.g. version = 2")
        for key in ("policy", "source", "description"):
            self.string(data, key, top, required=False, example='"..."')
        session_kinds = self.names(data.get("session_kinds", list(SESSION_KINDS)), SESSION_KINDS,
                                   top, "session_kinds")
        sections = self.sections(data.get("sections"), kind)
        if self.problems or not isinstance(version, int):
            return None
        return Template(
            id=template_id, kind=kind, title=title, version=version, sections=sections,
            policy=data.get("policy"), source=data.get("source"),
            description=data.get("description"), session_kinds=session_kinds, text=text,
        )

    def names(self, value: Any, allowed: tuple[str, ...], spot: Spot, key: str) -> tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(spot, key, f"`{key}` must be a list of names in quotes, "
                                f'e.g. {key} = ["{allowed[0]}"]')
            return ()
        for name in value:
            if name not in allowed:
                self.add(spot, key, f"unknown {key} value {name!r}: use {', '.join(allowed)}")
        return tuple(value)

    def sections(self, value: Any, kind: str) -> tuple[Section, ...]:
        if not isinstance(value, list) or not value:
            self.add((), "sections", "no sections: add at least one [[sections]] table "
                                     "with id, title and type")
            return ()
        sections = tuple(self.entry(s, (i,), nested=True) for i, s in enumerate(value))
        self.duplicates([(s, (i,)) for i, s in enumerate(sections)], "section")
        self.conditions([(s, (i,)) for i, s in enumerate(sections)])
        for section_type in SESSION_TYPES:
            spots = [(i,) for i, s in enumerate(sections) if s.type == section_type]
            if kind and kind != "session" and spots:
                self.add(spots[0], "type", f"a {kind} template cannot have a `{section_type}` "
                                           f"section: use one of {', '.join(FIELD_TYPES)}")
            for extra in spots[1:]:
                self.add(extra, "type", f"a second `{section_type}` section: keep one")
        if kind == "decision":
            missing = [n for n in DECISION_SECTIONS if n not in {s.id for s in sections}]
            if missing:
                self.add((), "sections", f"a decision template needs sections with the ids "
                                         f"{', '.join(missing)}: add them")
        return sections

    def duplicates(self, entries: list[tuple[Field, Spot]], what: str) -> None:
        seen: dict[str, Spot] = {}
        for entry, spot in entries:
            if not entry.id:
                continue
            if entry.id in seen:
                first = self.spots.line(seen[entry.id], "id")
                self.add(spot, "id", f"duplicated {what} id {entry.id!r} (first on line "
                                     f"{first}): give each {what} its own id")
            else:
                seen[entry.id] = spot

    def entry(self, data: Any, spot: Spot, *, nested: bool) -> Section:
        what = "section" if nested else "case field"
        if not isinstance(data, dict):
            self.add(spot, None, f"each {what} must be a table with id, title and type")
            return Section(id="", title="", type="")
        self.unknown_keys(data, _SECTION_KEYS if nested else _FIELD_KEYS, spot, f"a {what}")
        entry_id = self.string(data, "id", spot, required=True, example='"agenda"')
        if entry_id and not _SECTION_ID.match(entry_id):
            self.add(spot, "id", f"{what} id {entry_id!r} must be lowercase letters, digits "
                                 f'and _, starting with a letter, e.g. id = "agenda_items"')
        title = self.string(data, "title", spot, required=True, example='"Agenda items"')
        allowed = TYPES if nested else FIELD_TYPES
        section_type = self.string(data, "type", spot, required=True, example='"note"')
        if section_type and section_type not in allowed:
            self.add(spot, "type", f"unknown type {section_type!r}: use one of "
                                   f"{', '.join(allowed)}")
        help_text = self.string(data, "help", spot, required=False, example='"..."')
        required = data.get("required", False)
        if not isinstance(required, bool):
            self.add(spot, "required", "`required` must be true or false")
        self.showable(data.get("example"), spot, "example")
        personal = data.get("personal", False)
        if not isinstance(personal, bool):
            self.add(spot, "personal", "`personal` must be true or false")
        choices = self.choices(data, spot, section_type)
        functions = self.names(data.get("functions", []), FUNCTIONS, spot, "functions")
        default = data.get("default")
        if default is not None and not isinstance(default, str):
            self.add(spot, "default", "`default` must be text in quotes")
        elif default is not None and not self.showable(default, spot, "default"):
            default = None
        elif default is not None and choices and default not in choices:
            self.add(spot, "default", f"default {default!r} is not one of the choices")
        part = data.get("part")
        if part is not None and part not in PARTS:
            self.add(spot, "part", 'part must be "A" (the worker\'s) or "B" (the supervisor\'s)')
        fields: tuple[Field, ...] = ()
        if nested:
            fields = self.case_fields(data.get("fields"), spot, section_type)
        number = data.get("number")
        if number is not None and (isinstance(number, bool) or not (
                isinstance(number, int) and number > 0 or
                isinstance(number, str) and number.strip())):
            self.add(spot, "number", 'number must be the item\'s number, e.g. number = 4 or '
                                     'number = "4a"')
        elif isinstance(number, str) and not self.showable(number, spot, "number"):
            number = None
        band = self.string(data, "band", spot, required=False, example='"Introduction"')
        when = self.string(data, "when", spot, required=False, example='"escalate"')
        return Section(
            id=entry_id, title=title, type=section_type, help=help_text,
            required=required is True, choices=choices, functions=functions,
            default=default, example=data.get("example"), part=part, fields=fields,
            personal=personal is True,
            number=str(number).strip() if isinstance(number, int | str) and number else None,
            band=band or None, when=when or None,
        )

    def choices(self, data: dict, spot: Spot, section_type: str) -> tuple[str, ...]:
        value = data.get("choices")
        needs = section_type in ("choice", "multichoice")
        if value is None:
            if needs:
                self.add(spot, "type", f"a {section_type} section has no choices: add e.g. "
                                       f'choices = ["Yes", "Partly", "No"]')
            return ()
        if not needs:
            self.add(spot, "choices", f"`choices` only fits choice and multichoice, not "
                                      f"{section_type!r}: remove it or change the type")
            return ()
        if (not isinstance(value, list) or not value
                or not all(isinstance(c, str) and c.strip() for c in value)):
            self.add(spot, "choices", 'choices must be a list of texts, e.g. choices = ["A", "B"]')
            return ()
        if len({c.casefold() for c in value}) != len(value):
            self.add(spot, "choices", "a choice is listed twice: list each once")
        if not self.showable(value, spot, "choices"):
            return ()
        return tuple(value)

    def case_fields(self, value: Any, spot: Spot, section_type: str) -> tuple[Field, ...]:
        if section_type != "cases":
            if value is not None:
                self.add(spot, "fields", "only a `cases` section has fields: remove them")
            return ()
        if not isinstance(value, list) or not value:
            self.add(spot, "type", "a cases section has no fields: add [[sections.fields]] "
                                   "tables for what is asked about each family")
            return ()
        fields = tuple(self.entry(f, (*spot, j), nested=False) for j, f in enumerate(value))
        self.duplicates([(f, (*spot, j)) for j, f in enumerate(fields)], "case field")
        self.conditions([(f, (*spot, j)) for j, f in enumerate(fields)])
        return fields

    def conditions(self, entries: list[tuple[Field, Spot]]) -> None:
        """A `when` names a yes/no question before it in the same list."""
        earlier: dict[str, Field] = {}
        for entry, spot in entries:
            if entry.when is not None:
                asked = earlier.get(entry.when)
                if asked is None or asked.type != "yesno":
                    yesno = [e.id for e in earlier.values() if e.type == "yesno"]
                    self.add(spot, "when", "`when` must name a yes/no question above it"
                                           + (f', e.g. when = "{yesno[-1]}"' if yesno else
                                              ": add one first"))
            earlier[entry.id] = entry
