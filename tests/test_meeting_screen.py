"""The meeting as a person sees it on a small terminal (issue 18): every shipped session template
walked to the end in a real pseudo-terminal of 80x24 (and one of 60x20), read through a terminal
emulator, with every question and what is typed into it on the screen; and signing, whose
comment prompt must be visible and whose passphrase prompt is separate and hidden."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from supervise.cli.records.walk_cases import ANOTHER_CASE, FAMILY, FIRST_CASE
from supervise.domain.policy.templates import FIELD_TYPES, Field, Template, parse_template
from tests.clock import SUBPROCESS_DAYS, YESTERDAY
from tests.conftest import build_initialised
from tests.helpers import PASSPHRASE, USER
from tests.screen import CLEAR_LINE, DOWN, ENTER, FINISH_NOTE, SPACE, Terminal

pytestmark = pytest.mark.slow  # the real program in a pseudo-terminal

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SIGNER_PASSPHRASE = "sams-own-signing-words"
EARLIER_ACTION = "Call the school nurse"


def _shipped(kind: str) -> list[Template]:
    found = [parse_template(p.read_text("utf-8"), str(p)) for p in sorted(TEMPLATES.glob("*.toml"))]
    return [t for t in found if t.kind == kind]


SESSION_TEMPLATES = {t.id: t for t in _shipped("session")}
DECISION = _shipped("decision")[0]  # every shipped policy names this one


def build_meeting_team(cli, scratch: Path) -> None:
    """A store with a supervisee (enrolled to sign), a second member of staff and an earlier
    session with an action still open, so a new session has one to review."""
    build_initialised(cli, scratch)
    for args in (["Sam Taylor", "--role", "Deputy DSL"],
                 ["Alex Morgan", "--role", "DSL", "--supervisor"]):
        assert cli("person", "add", *args).code == 0
    result = cli("person", "enrol", "Sam Taylor",
                 env={"SUPERVISE_SIGNER_PASSPHRASE": SIGNER_PASSPHRASE})
    assert result.code == 0, result.err
    earlier = scratch / "earlier.toml"
    earlier.write_text(f"""\
template = "ms-supervision-record"
date = "{YESTERDAY}"
supervisor = "{USER}"
supervisees = ["Sam Taylor", "Alex Morgan"]
kind = "group"
group_confidentiality = "What is said stays in the room."
concern_lead = "{USER}"

[[actions]]
text = "{EARLIER_ACTION}"
owner = "Sam Taylor"
due = "{YESTERDAY + timedelta(days=14)}"
""", "utf-8")
    result = cli("session", "new", "--answers", str(earlier))
    assert result.code == 0, result.err


@pytest.fixture
def team(template_stores, tmp_path) -> dict[str, str]:
    """The environment a real `supervise` runs in, over a copy of the meeting team's store."""
    template_stores.copy("meeting-screen-team", build_meeting_team, tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPERVISE_")}
    env.update(SUPERVISE_STORE=str(tmp_path / "team" / "store.db"),
               SUPERVISE_PASSPHRASE=PASSPHRASE, XDG_DATA_HOME=str(tmp_path / "xdg"),
               HOME=str(tmp_path), TERM="xterm", NO_COLOR="1")
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    return env


def _run(env: dict[str, str], *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "supervise", *args], env=env, check=True,
                          capture_output=True, text=True).stdout


@dataclass
class Meeting:
    """Walks one session on the screen: each question must appear below the one before it,
    title first, and what is typed must be on the screen before it is finished."""

    term: Terminal
    mark: int = 0  # the screen row (counting rows scrolled away) of the last question
    asked: int = 0

    def question(self, title: str) -> None:
        self.mark = self.term.wait_for_below(f"? {title}", self.mark) + 1
        self.asked += 1

    def typed(self, text: str, finish: str) -> None:
        self.term.send(text)
        for line in text.split(ENTER):
            if line.strip():
                self.term.wait_for_below(line, self.mark - 1)
        self.term.send(finish)

    def text(self, title: str, value: str) -> None:
        self.question(title)
        self.typed(value, ENTER)

    def note(self, title: str, value: str) -> None:
        self.question(title)
        self.term.wait_for_below("Esc then Enter", self.mark - 1)  # how to finish is shown
        self.typed(value, FINISH_NOTE)

    def yes_no(self, title: str, key: str) -> None:
        self.question(title)
        self.term.send(key)  # y and n answer at once

    def choose(self, title: str, choices: list[str], down: int = 0) -> str:
        self.question(title)
        for choice in choices:
            self.term.wait_for_below(choice, self.mark - 1)  # every choice is on the screen
        self.term.send(DOWN * down + ENTER)
        return choices[down]

    def field(self, spec: Field, typed: dict[str, str]) -> None:
        title = spec.title
        if spec.type == "note":
            value = f"Two lines for {spec.id}{ENTER}and the second" if not typed \
                else f"Notes on {spec.id}"
            self.note(title, value)
            typed[spec.id] = value.replace(ENTER, "\n")
        elif spec.type == "text":
            self.text(title, f"Text for {spec.id}")
            typed[spec.id] = f"Text for {spec.id}"
        elif spec.type == "date":
            self.text(title, YESTERDAY.isoformat())
            typed[spec.id] = YESTERDAY.isoformat()
        elif spec.type == "person":
            self.text(title, "Alex Morgan")
            typed[spec.id] = "Alex Morgan"
        elif spec.type == "choice":
            typed[spec.id] = self.choose(title, list(spec.choices), down=1)
        elif spec.type == "multichoice":
            self.question(title)
            self.term.wait_for_below(spec.choices[0], self.mark - 1)
            self.term.send(SPACE + ENTER)
        elif spec.type == "yesno":
            self.yes_no(title, "y")
        else:  # pragma: no cover - a new field type needs a line here
            raise AssertionError(f"no way to answer a {spec.type} field")


def _walk(term: Terminal, template: Template, group: bool) -> tuple[Meeting, dict[str, str]]:
    m = Meeting(term)
    typed: dict[str, str] = {}
    if group:
        m.yes_no("Another supervisee in the group?", "n")
    else:
        m.text("Supervisee:", "Sam Taylor")
        if len(template.session_kinds) > 1:
            m.choose("Kind of session:", ["One-to-one"])  # the first, as offered
    m.question("Supervisor:")
    term.wait_for_below(USER, m.mark - 1)  # the signed-in user is offered
    term.send(ENTER)
    m.question("Date held:")
    term.wait_for_below(tuple(d.isoformat() for d in SUBPROCESS_DAYS), m.mark - 1)  # today
    term.send(ENTER)
    m.text("Start time (HH:MM, blank if not noted):", "10:15")
    m.text("Duration in minutes:", "60")
    for section in template.sections:
        if section.type in FIELD_TYPES:
            m.field(section, typed)
        elif section.type == "action_review":
            m.choose(f"[1] {EARLIER_ACTION} (due", ["done", "carried", "dropped"])
            m.text("Note (optional):", "Nurse rang back")
        elif section.type == "cases":
            m.yes_no(FIRST_CASE, "y")
            m.text(FAMILY, "Okafor")
            m.text("Child's full name:", "Ada Okafor")
            m.text("Date of birth (YYYY-MM-DD, blank if unknown):", "2015-03-04")
            m.yes_no("Another child in this family?", "n")
            m.question("Ada Okafor's status now:")
            term.send(ENTER)  # none, as offered: no since-date is asked
            m.text("Ada Okafor's local reference (blank if none):", "OK-2291")
            case: dict[str, str] = {}
            for spec in section.fields:
                m.field(spec, case)
            m.yes_no("Record a decision for the child's file?", "y")
            decision: dict[str, str] = {}
            for spec in DECISION.sections:
                m.field(spec, decision)
            if template.id == "dsl-agenda":  # "Share experience": one about no family
                m.yes_no(ANOTHER_CASE, "y")
                m.text(FAMILY, "")
                term.wait_for_below("no family or child is named", m.mark - 1)
                shared: dict[str, str] = {"first": "done"}  # one-line notes
                for spec in section.fields:
                    m.field(spec, shared)
            m.yes_no(ANOTHER_CASE, "n")
        elif section.type == "actions":
            m.yes_no("Add an action?", "y")
            m.choose("Item (what it comes from):", ["None in particular"])
            m.text("Notes of the discussion (optional):", "Attendance dipped")
            m.text("Agreed action:", "Ring the virtual school")
            m.text("By whom (staff, or anyone else by name):", "Sam Taylor")
            m.question("By when:")
            term.send(ENTER)  # a fortnight on, as offered
            m.yes_no("Add an action?", "n")
        elif section.type == "next_meeting":
            m.question(f"{section.title} (")
            term.wait_for_below("suggests", m.mark - 1)
            term.send(ENTER)  # the suggested date
    m.choose("What now?", ["Complete the session", "Go back and change an answer"])
    term.wait_for_below("completed. Not signed yet.", m.mark - 1)
    return m, typed


def _walk_template(env: dict[str, str], tmp_path: Path, template_id: str, rows: int,
                   cols: int) -> None:
    template = SESSION_TEMPLATES[template_id]
    group = "one-to-one" not in template.session_kinds
    args = ["session", "new", "--template", template_id]
    if group:
        args += ["--kind", "group", "--supervisee", "Sam Taylor", "--supervisee", "Alex Morgan"]
    term = Terminal(args, env=env, cwd=tmp_path, rows=rows, cols=cols)
    try:
        meeting, typed = _walk(term, template, group)
        code = term.finish()
    finally:
        term.close()
    assert code == 0, term.shown()
    record = json.loads(_run(env, "session", "show", "2", "--json"))
    assert record["status"] == "completed" and record["template"] == template_id
    answers = {a["id"]: a["answer"] for a in record["answers"]}
    assert {k: answers[k] for k in typed} == typed  # what was typed is what was recorded
    if template_id == "dsl-agenda":  # the experience shared names no family or child
        assert [(c["family"], c["children"]) for c in record["cases"]][1:] == [(None, [])]
    assert meeting.asked > 10


def test_walking_every_shipped_session_template_covers_them_all():
    assert sorted(SESSION_TEMPLATES) == [
        "dsl-agenda", "eyfs-record", "icb-supervision-documentation", "la-case-supervision",
        "la-pod-record", "ms-supervision-record"]
    assert DECISION.id == "ms-decision-record"


@pytest.mark.parametrize("template_id", sorted(SESSION_TEMPLATES))
def test_every_question_of_a_template_is_on_an_80x24_screen(team, tmp_path, template_id):
    _walk_template(team, tmp_path, template_id, rows=24, cols=80)


def test_every_question_of_the_dsl_agenda_is_on_a_60x20_screen(team, tmp_path):
    _walk_template(team, tmp_path, "dsl-agenda", rows=20, cols=60)


def test_signing_shows_the_comment_prompt_and_asks_the_passphrase_apart_hidden(team, tmp_path):
    env = {k: v for k, v in team.items() if k != "SUPERVISE_PASSPHRASE"}
    term = Terminal(["session", "sign", "1", "--as", "Sam Taylor"], env=env, cwd=tmp_path,
                    rows=24, cols=80)
    try:
        m = Meeting(term)
        m.question("Store passphrase:")
        term.send(PASSPHRASE + ENTER)
        m.question("Comment, part of what you sign")
        term.wait_for_below("leave empty for none:", m.mark - 1)  # the whole question
        term.wait_for_below("Esc then Enter", m.mark - 1)
        comment = "I disagree with the second point."
        m.typed(comment, FINISH_NOTE)
        m.question("Sign session 1")
        term.send("y")
        m.question("Sam Taylor's signing passphrase:")
        term.send(SIGNER_PASSPHRASE[:8])
        term.settle()
        assert "sams-own" not in term.text()  # hidden while it is typed
        assert comment in term.text()  # the comment is still shown, apart from it
        term.send(SIGNER_PASSPHRASE[8:] + ENTER)
        term.wait_for_below("Still to sign: Jordan Example (supervisor)", m.mark - 1)
        code = term.finish()
    finally:
        term.close()
    assert code == 0, term.shown()
    assert SIGNER_PASSPHRASE not in term.raw.getvalue() and PASSPHRASE not in term.raw.getvalue()
    shown = json.loads(_run(team, "session", "show", "1", "--json"))
    assert shown["status"] == "partly signed"
    assert shown["signatures"][0]["comment"] == comment


def test_the_screen_harness_fails_when_a_question_is_not_on_the_screen(team, tmp_path):
    """The harness can fail: text the program never draws is not found, and the failure shows
    the screen as it was."""
    term = Terminal(["session", "new"], env=team, cwd=tmp_path, rows=24, cols=80, timeout=3)
    try:
        term.wait_for_below("? Supervisee:", 0)
        with pytest.raises(AssertionError, match=r"not on the 24x80 screen.*\n\+-{80}\+"):
            term.wait_for_below("No such question", 0)
        term.send(CLEAR_LINE + "\x03")  # Ctrl-C
        assert term.finish() == 130
    finally:
        term.close()
