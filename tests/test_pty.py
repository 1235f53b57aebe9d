"""The real program in a real pseudo-terminal: hidden prompts, Ctrl-C and exit codes."""

import io
import os
import re
import stat
import sys
from pathlib import Path

import pexpect
import pytest

from supervise.cli.records.walk_cases import FIRST_CASE
from tests.clock import YESTERDAY

pytestmark = pytest.mark.slow  # every test here runs the real program in a pty
# How long a prompt may take to appear before the test gives up: a guard against a hang, not a
# timing assertion (a loaded machine took 7 s to the first prompt).
EXPECT = 90

USER = "Jordan Example"
ORG = "Example Community Trust"
PASSPHRASE = "plum-harbour-lantern-42"
ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[P^_][^\x1b]*\x1b\\"
                  r"|[ -/]*[0-~])")
RECOVERY_KEY = re.compile(r"\b[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{8}){7}\b")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPERVISE_")}
    env.update(SUPERVISE_STORE=str(_store(tmp_path)), XDG_DATA_HOME=str(tmp_path / "xdg"),
               TERM="xterm", NO_COLOR="1")
    return env


def _store(tmp_path: Path) -> Path:
    return tmp_path / "team" / "store.db"


def _keys(tmp_path: Path) -> Path:
    return tmp_path / "team" / "store.db.keys"


def _spawn(tmp_path: Path, *args: str):
    child = pexpect.spawn(sys.executable, ["-m", "supervise", *args], env=_env(tmp_path),
                          cwd=str(tmp_path), encoding="utf-8", timeout=EXPECT, dimensions=(40, 200))
    child.logfile_read = io.StringIO()
    return child


def _finish(child) -> tuple[str, int | None]:
    """Wait for the end; return everything the terminal showed (escapes stripped) and the code."""
    child.expect(pexpect.EOF)
    child.close()
    return ANSI.sub("", child.logfile_read.getvalue()), child.exitstatus


def _init(tmp_path: Path, again: str = PASSPHRASE) -> tuple[str, int | None]:
    child = _spawn(tmp_path, "init", "--org", ORG, "--user", USER, "--kdf", "owasp-minimum")
    child.expect_exact(f"New passphrase for {USER}:")
    child.sendline(PASSPHRASE)
    child.expect_exact("Type it again:")
    child.sendline(again)
    return _finish(child)


def _snapshot(tmp_path: Path) -> tuple[bytes, bytes]:
    return _store(tmp_path).read_bytes(), _keys(tmp_path).read_bytes()


def _answer_passphrase_prompt(tmp_path: Path, typed: str,
                              interrupt: bool = False) -> tuple[str, int | None]:
    """`person list` in a pty: type at the hidden prompt, then Enter (or Ctrl-C)."""
    child = _spawn(tmp_path, "person", "list")
    child.expect_exact("Store passphrase:")
    if interrupt:
        child.send(typed)
        child.sendcontrol("c")
    else:
        child.sendline(typed)
    return _finish(child)


def _made_store(tmp_path: Path) -> tuple[bytes, bytes]:
    text, code = _init(tmp_path)
    assert code == 0, text
    return _snapshot(tmp_path)


def test_init_hides_the_passphrase_and_prints_the_recovery_key(tmp_path):
    text, code = _init(tmp_path)

    assert code == 0, text
    assert PASSPHRASE not in text
    assert "Recovery key" in text
    assert len(RECOVERY_KEY.findall(text)) == 1, text
    for path in (_store(tmp_path), _keys(tmp_path)):
        assert path.is_file()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_store_command_asks_for_the_passphrase_and_lists_the_user(tmp_path):
    _made_store(tmp_path)
    text, code = _answer_passphrase_prompt(tmp_path, PASSPHRASE)

    assert code == 0, text
    assert USER in text
    assert PASSPHRASE not in text


def test_init_asks_again_after_differing_passphrases_and_ctrl_c_creates_nothing(tmp_path):
    child = _spawn(tmp_path, "init", "--org", ORG, "--user", USER, "--kdf", "owasp-minimum")
    child.expect_exact(f"New passphrase for {USER}:")
    child.sendline(PASSPHRASE)
    child.expect_exact("Type it again:")
    child.sendline("plum-harbour-lantern-43")
    child.expect_exact("The two passphrases differ. Try again.")
    child.expect_exact(f"New passphrase for {USER}:")  # asked again, not an exit
    child.sendcontrol("c")
    text, code = _finish(child)

    assert code == 130, text
    assert not _store(tmp_path).exists()
    assert not _keys(tmp_path).exists()


def test_ctrl_c_at_the_passphrase_prompt_exits_130_and_changes_nothing(tmp_path):
    before = _made_store(tmp_path)
    text, code = _answer_passphrase_prompt(tmp_path, "plum-ha", interrupt=True)

    assert code == 130, text
    assert _snapshot(tmp_path) == before
    assert "Error: Interrupted." in text


def test_wrong_passphrase_at_the_prompt_exits_3_and_changes_nothing(tmp_path):
    before = _made_store(tmp_path)
    text, code = _answer_passphrase_prompt(tmp_path, "not-the-passphrase")

    assert code == 3, text
    assert "Wrong passphrase" in text
    assert "not-the-passphrase" not in text
    assert USER not in text
    assert _snapshot(tmp_path) == before


SHORT_CONTRACT = """\
id = "ms-contract"
kind = "contract"
title = "Short contract"
version = 1

[[sections]]
id = "expectations"
title = "What do we expect of each other?"
type = "note"
help = "Say what each of you will do."
required = true

[[sections]]
id = "room"
title = "Where do we meet?"
type = "choice"
choices = ["Office", "Classroom", "Online"]
"""


def test_contract_new_in_a_terminal_with_type_ahead_a_multiline_note_and_a_choice(tmp_path):
    import json
    import subprocess

    _made_store(tmp_path)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "short.toml").write_text(SHORT_CONTRACT)
    env = {**_env(tmp_path), "SUPERVISE_PASSPHRASE": PASSPHRASE,
           "SUPERVISE_TEMPLATES": str(templates)}

    def run(*args: str) -> str:
        return subprocess.run([sys.executable, "-m", "supervise", *args], env=env, check=True,
                              capture_output=True, text=True).stdout

    run("person", "add", "Sam Taylor", "--role", "Class Teacher")
    child = pexpect.spawn(sys.executable, ["-m", "supervise", "contract", "new"], env=env,
                          cwd=str(tmp_path), encoding="utf-8", timeout=EXPECT, dimensions=(40, 200))
    child.logfile_read = io.StringIO()
    child.expect_exact("Supervisee:")
    child.send("sam tay")
    child.expect(r"Sam Tay(\x1b\[[0-9;]*m)*lor")  # offered (highlighted) as the name is typed
    child.send("lor\r")
    child.expect_exact("Supervisor:")
    child.send("\r")  # the signed-in user is offered
    child.expect_exact("Agreed on (the date it starts):")
    child.send("\r")  # today, as offered
    child.expect_exact("Venue (blank if not agreed):")
    child.send("Meeting room 2\r")
    child.expect_exact("Say what each of you will do.")  # the policy's guidance
    child.expect_exact("Esc then Enter")  # how to finish a note is on screen
    child.send("Come prepared\rBe honest")
    child.send("\x1b\r")
    child.expect_exact("Where do we meet?")
    child.send("\x1b[B")
    child.send("\r")
    text, code = _finish(child)
    assert code == 0, text
    assert "Recorded contract 1" in text
    shown = json.loads(run("contract", "show", "1", "--json"))
    assert shown["supervisee"] == "Sam Taylor" and shown["supervisor"] == USER
    assert [a["answer"] for a in shown["answers"]] == ["Come prepared\nBe honest", "Classroom"]


def test_a_session_killed_mid_meeting_resumes_with_every_saved_answer(tmp_path):
    import json
    import signal
    import subprocess

    _made_store(tmp_path)
    env = {**_env(tmp_path), "SUPERVISE_PASSPHRASE": PASSPHRASE}

    def run(*args: str) -> str:
        return subprocess.run([sys.executable, "-m", "supervise", *args], env=env, check=True,
                              capture_output=True, text=True).stdout

    run("person", "add", "Sam Taylor", "--role", "Deputy DSL")
    run("contract", "new", "--supervisee", "Sam Taylor", "--supervisor", USER)

    def spawn(*args: str):
        child = pexpect.spawn(sys.executable, ["-m", "supervise", *args], env=env,
                              cwd=str(tmp_path), encoding="utf-8", timeout=EXPECT,
                              dimensions=(40, 200))
        child.logfile_read = io.StringIO()
        return child

    child = spawn("session", "new", "--supervisee", "Sam Taylor", "--time", "14:30",
                  "--duration", "60")
    child.expect_exact("Kind of session:")
    child.send("\r")  # one-to-one, as offered
    child.expect_exact("Date held:")
    child.send("\r")  # today, as offered
    child.expect_exact("holidays, sickness absence")
    child.send("Annual leave 1-5 August")
    child.send("\x1b\r")
    child.expect_exact("ALL current cases or a sample")
    child.send("\r")  # the first choice
    child.expect_exact("Matters arising")
    child.send("New DSL deputy starts in January")
    child.send("\x1b\r")
    child.expect_exact("Supervision notes")  # the fourth question is on screen: kill now
    child.kill(signal.SIGKILL)
    child.close()
    assert child.signalstatus == signal.SIGKILL

    draft = json.loads(run("session", "show", "1", "--json"))
    saved = {a["id"]: a["answer"] for a in draft["answers"] if a["answer"]}
    assert draft["status"] == "draft"
    assert saved == {"absence_and_training": "Annual leave 1-5 August",
                     "case_coverage": "All current cases",
                     "matters_arising": "New DSL deputy starts in January"}

    child = spawn("session", "resume", "1")
    child.expect_exact("(answered) Annual leave 1-5 August")
    child.expect_exact("(answered) All current cases")
    child.expect_exact("(answered) New DSL deputy starts in January")
    child.expect_exact(FIRST_CASE)
    child.send("n")  # y and n answer at once
    for _ in range(3):  # team issues, personal development, any other business
        child.expect(r"\(several lines")
        child.send("\x1b\r")  # left blank
    child.expect_exact("Add an action?")
    child.send("n")
    child.expect_exact("suggests")
    child.send("\r")  # the suggested date
    child.expect_exact("Review before completing")
    child.expect_exact("What now?")
    child.send("\r")  # Complete the session, as offered first
    text, code = _finish(child)
    assert code == 0, text
    record = json.loads(run("session", "show", "1", "--json"))
    assert record["status"] == "completed" and record["next_meeting"]
    assert {a["id"]: a["answer"] for a in record["answers"] if a["answer"]} == saved


def test_a_supervisee_signs_in_a_terminal_with_a_comment_and_a_hidden_passphrase(tmp_path):
    import json
    import subprocess

    _made_store(tmp_path)
    env = {**_env(tmp_path), "SUPERVISE_PASSPHRASE": PASSPHRASE}
    own = "sams-own-signing-words"

    def run(*args: str, **extra: str) -> str:
        return subprocess.run([sys.executable, "-m", "supervise", *args], env={**env, **extra},
                              check=True, capture_output=True, text=True).stdout

    run("person", "add", "Sam Taylor", "--role", "Deputy DSL")
    run("person", "enrol", "Sam Taylor", SUPERVISE_SIGNER_PASSPHRASE=own)
    answers = tmp_path / "s.toml"
    answers.write_text(f'template = "ms-supervision-record"\n'
                       f'date = "{YESTERDAY}"\n'
                       f'supervisor = "{USER}"\nsupervisees = ["Sam Taylor"]\n', "utf-8")
    run("session", "new", "--answers", str(answers))
    child = pexpect.spawn(sys.executable, ["-m", "supervise", "session", "sign", "1", "--as",
                                           "Sam Taylor"], env=env, cwd=str(tmp_path),
                          encoding="utf-8", timeout=EXPECT, dimensions=(40, 200))
    child.logfile_read = io.StringIO()
    child.expect_exact("Comment, part of what you sign")
    child.send("I disagree with the second point.")
    child.send("\x1b\r")
    child.expect_exact("Sign session 1")
    child.send("y")
    child.expect_exact("Sam Taylor's signing passphrase:")
    child.sendline(own)
    screen, code = _finish(child)
    assert code == 0, screen
    assert own not in screen  # hidden as it was typed
    assert "Still to sign: Jordan Example (supervisor)" in screen
    shown = json.loads(run("session", "show", "1", "--json"))
    assert shown["status"] == "partly signed"
    assert shown["signatures"][0]["comment"] == "I disagree with the second point."


def test_an_export_on_a_terminal_shows_its_progress(tmp_path):
    demo = tmp_path / "demo" / "store.db"
    child = _spawn(tmp_path, "demo", "--store", str(demo))
    _, code = _finish(child)
    assert code == 0
    env = {**_env(tmp_path), "SUPERVISE_STORE": str(demo),
           "SUPERVISE_PASSPHRASE": "demo-only-passphrase"}
    child = pexpect.spawn(sys.executable, ["-m", "supervise", "export", "review", "--child",
                                           "Lena Kowalski", "--out", "review"],
                          env=env, cwd=str(tmp_path), encoding="utf-8", timeout=60,
                          dimensions=(40, 200))
    child.logfile_read = io.StringIO()
    shown, code = _finish(child)
    assert code == 0, shown
    assert "Reading records" in shown and "Writing the export" in shown and "100%" in shown
    assert "NOT encrypted" in shown
    assert stat.S_IMODE((tmp_path / "review").stat().st_mode) == 0o700
