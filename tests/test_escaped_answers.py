"""Esc then Enter at a question that is answered by choosing (a list, yes/no, ticks) gives
prompt_toolkit's empty line, not an answer: the question is asked again, never stored empty."""

import json
from datetime import timedelta

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from supervise.cli import prompts
from tests.clock import TODAY
from tests.test_keystrokes import CLEAR, DOWN, ENTER, FINISH_NOTE, team  # noqa: F401 - fixture

ESCAPED = "\x1b\r"  # Esc then Enter: how a multi-line note finishes, pressed out of habit


@pytest.fixture
def terminal():
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        yield pipe, prompts.TerminalPrompter(output=DummyOutput())


@pytest.mark.parametrize(("ask", "keys", "expected"), [
    (lambda p: p.choice("Outcome:", ["done", "carried", "dropped"]), ESCAPED + DOWN + ENTER,
     "carried"),
    (lambda p: p.confirm("Add an action?"), ESCAPED + "y", True),
    (lambda p: p.confirm("Add an action?"), ESCAPED + ESCAPED + "n", False),
    (lambda p: p.checkbox("Functions:", ["support", "mediation"], ["support"]),
     ESCAPED + ENTER, ["support"]),
])
def test_an_escaped_choice_is_asked_again(terminal, ask, keys, expected):
    pipe, prompter = terminal
    pipe.send_text(keys)
    assert ask(prompter) == expected


def test_an_escaped_action_review_outcome_is_asked_again_not_stored_empty(cli, team,  # noqa: F811
                                                                          tmp_path):
    earlier = tmp_path / "earlier.toml"
    held = TODAY - timedelta(days=20)
    earlier.write_text(f"""template = "ms-supervision-record"
date = "{held}"
time = "10:00"
supervisor = "Alex Morgan"
supervisees = ["Sam Taylor"]
duration = 60
next_meeting = "{TODAY}"
[answers]
case_coverage = "A sample"
[[actions]]
text = "Ring the virtual school"
owner = "Alex Morgan"
due = "{held + timedelta(days=7)}"
""", encoding="utf-8")
    assert cli("session", "new", "--answers", str(earlier)).code == 0, "earlier session"
    next_date = (TODAY + timedelta(days=30)).isoformat()
    with create_pipe_input() as keys, create_app_session(input=keys, output=DummyOutput()), \
            prompts.use(prompts.TerminalPrompter(output=DummyOutput())):
        keys.send_text(
            "Sam Taylor" + ENTER + ENTER + ENTER       # supervisee, kind, date held: today
            + "10:15" + ENTER + CLEAR + "50" + ENTER  # start time, duration
            + FINISH_NOTE                             # absence and training: blank
            + DOWN + ENTER                            # a sample
            + ESCAPED                                 # the outcome of last time's action
            + DOWN + DOWN + ENTER                     # asked again: dropped
            + "No longer needed" + ENTER              # its note
            + FINISH_NOTE + "n"                       # matters arising; no cases
            + FINISH_NOTE + FINISH_NOTE + FINISH_NOTE  # three notes left blank
            + "n"                                     # no new action
            + CLEAR + next_date + ENTER               # the next meeting
            + ENTER                                   # the review: complete
        )
        result = cli("session", "new")
    assert result.code == 0, result.err
    actions = json.loads(cli("action", "list", "--json").out)
    (reviewed,) = [a for a in actions if a["text"] == "Ring the virtual school"]
    assert [(r["outcome"], r["note"]) for r in reviewed["reviews"]] == [
        ("dropped", "No longer needed")]
