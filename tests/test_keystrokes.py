"""The real prompts (questionary on prompt_toolkit) driven by keystrokes through a pipe: what a
user types, key by key, becomes the stored record."""

import json
from datetime import timedelta

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from supervise.cli import prompts
from tests.clock import TODAY
from tests.conftest import build_initialised

ENTER, DOWN, FINISH_NOTE = "\r", "\x1b[B", "\x1b\r"  # Esc then Enter ends a multi-line note
CLEAR = "\x15"  # Ctrl-U: clear the offered default before typing


def build_team(cli, scratch) -> str:
    key = build_initialised(cli, scratch)
    assert cli("person", "add", "Sam Taylor", "--role", "Deputy DSL").code == 0
    assert cli("person", "add", "Alex Morgan", "--role", "DSL", "--supervisor").code == 0
    assert cli("contract", "new", "--supervisee", "Sam Taylor", "--supervisor",
               "Alex Morgan").code == 0
    return key


@pytest.fixture
def team(cli, template_stores):
    """Set up before any prompter is installed (with one, commands would ask)."""
    template_stores.copy("keystrokes-team", build_team, cli.store.parent.parent)
    return cli.store


@pytest.fixture
def keys(team):
    """Keystrokes queued for the real TerminalPrompter."""
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        with prompts.use(prompts.TerminalPrompter(output=DummyOutput())):
            yield pipe


def test_a_session_typed_key_by_key_is_recorded(cli, keys):
    next_date = (TODAY + timedelta(days=30)).isoformat()
    keys.send_text(
        "sam tay" + "lor" + ENTER                     # supervisee, type-ahead
        + ENTER                                       # kind: one-to-one, offered first
        + ENTER                                       # date held: today, as offered
        + "10:15" + ENTER                             # start time
        + CLEAR + "50" + ENTER                        # duration: replace the contract's 60
        + "Half term" + ENTER + "leave" + FINISH_NOTE  # a two-line note
        + DOWN + ENTER                                # the second choice: a sample
        + "Nothing new" + FINISH_NOTE                 # matters arising
        + "n"                                         # no case discussion (y/n need no Enter)
        + FINISH_NOTE + FINISH_NOTE + FINISH_NOTE     # three notes left blank
        + "y" + ENTER + ENTER                         # item: none in particular; no notes
        + "Ring the virtual school" + ENTER
        + "Alex Morgan" + ENTER + ENTER               # owner; due date as offered
        + "n"                                         # no more actions
        + CLEAR + next_date + ENTER                   # replace the suggested date
        + ENTER                                       # the review: complete, offered first
    )
    result = cli("session", "new")
    assert result.code == 0, result.err
    record = json.loads(cli("session", "show", "1", "--json").out)
    answers = {a["id"]: a["answer"] for a in record["answers"] if a["answer"]}
    assert answers == {"absence_and_training": "Half term\nleave",
                       "case_coverage": "A sample", "matters_arising": "Nothing new"}
    assert (record["time"], record["duration_minutes"]) == ("10:15", 50)
    assert record["supervisees"] == ["Sam Taylor"] and record["supervisor"] == "Alex Morgan"
    assert record["kind"] == "one-to-one"
    assert [(a["text"], a["owner"]) for a in record["actions"]] == [
        ("Ring the virtual school", "Alex Morgan")]
    assert record["next_meeting"] == next_date and record["status"] == "completed"


def _every_question() -> list[str]:
    from pathlib import Path

    from supervise.domain.policy.templates import parse_template

    questions = []
    for path in sorted((Path(__file__).resolve().parent.parent / "templates").glob("*.toml")):
        template = parse_template(path.read_text("utf-8"), str(path))
        for section in template.sections:
            questions.append(f"{section.title} (required)")
            questions.extend(f.title for f in section.fields)
    return questions


@pytest.mark.parametrize("columns", [40, 60, 80, 160])
def test_every_shipped_question_is_laid_out_within_the_terminal(columns):
    """Issue 18: "? question", how to answer and the answer drawn wider than the terminal
    showed nothing at all. Laid out, no line is wider than the terminal, no word is lost, and
    a question too long to share its line gives the answer a line of its own."""
    for question in [*_every_question(), prompts.NOTE_HOW_TO_FINISH]:
        for own_line in (False, True):
            shown = prompts.laid_out(question, columns, own_line=own_line)
            lines = f"? {shown} ".split("\n")
            assert all(len(line) < columns for line in lines), (columns, lines)
            assert " ".join(shown.split()) == " ".join(question.split())
            assert own_line or len(lines) == 1 or lines[-1] == " "  # the answer's own line
        hint = prompts.how_to(prompts.NOTE_HOW_TO_FINISH, columns)
        assert all(len(line) < columns for line in f"  {hint} ".split("\n"))


def test_a_short_question_keeps_its_answer_on_its_line():
    assert prompts.laid_out("Date held:", 80) == "Date held:"
    assert prompts.laid_out("Sign session 1?", 80, room=9, typed=False) == "Sign session 1?"
    assert prompts.laid_out("Welcome", 80, own_line=True) == "Welcome\n"
