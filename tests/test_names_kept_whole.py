"""Names as typed (issue 20): a line break inside a name or job title is refused, never joined
silently, in a flag and at a prompt (which asks again); a child's name can be given from a file
or a prompt instead of the command line, where every local user can read it (`ps`)."""

import io
import json
import os
import sys

import pexpect
import pytest

from supervise.cli import prompts
from supervise.domain.names import clean_name, one_line
from supervise.errors import UsageError
from tests.helpers import PASSPHRASE, ScriptedPrompter

BROKEN = ["Amy\nBrown", "Amy\r\nBrown", "Amy\rBrown", "Amy\x0cBrown", "Amy\u2028Brown",
          "Amy\x85Brown"]


@pytest.mark.parametrize("typed", BROKEN, ids=repr)
def test_a_name_broken_over_lines_is_refused_and_one_line_is_kept_as_it_was(typed):
    with pytest.raises(UsageError, match="more than one line"):
        clean_name(typed)
    with pytest.raises(UsageError, match="role runs over more than one line"):
        one_line(typed, "role")
    # spaces, tabs and Word's vertical tab collapse; a newline only around the name is dropped
    assert clean_name("  Amy \t\x0b Brown\n") == "Amy Brown"


@pytest.mark.parametrize("args", [
    ("person", "add", "Amy\nBrown", "--role", "Teacher"),
    ("person", "add", "Amy Brown", "--role", "Head\nteacher"),
    ("person", "add", "Amy Brown", "--role", "Teacher", "--team", "Year 6\nYear 5"),
    ("person", "edit", "Sam Taylor", "--name", "Sam\nTaylor"),
    ("person", "edit", "Sam Taylor", "--role", "Deputy\u2028DSL"),
    ("child", "add", "Nia\nBrown"),
    ("child", "add", "Nia Brown", "--family", "Brown\nSmith"),
], ids=lambda a: " ".join(a[:2]) + " " + repr(a[2:]))
def test_a_line_break_in_a_flag_is_refused_in_one_line_and_nothing_is_stored(cli, team, args):
    before = cli("person", "list", "--json").out, cli("child", "list", "--json").out
    result = cli(*args)
    assert result.code == 2, result.err
    assert result.err.count("\n") == 1 and "more than one line" in result.err
    assert (cli("person", "list", "--json").out, cli("child", "list", "--json").out) == before


def test_a_prompt_asks_the_childs_name_again_until_it_is_on_one_line(cli, team):
    with prompts.use(ScriptedPrompter(("Child's full name", "Nia\nBrown"),
                                      ("Child's full name", "Nia Brown"))):
        result = cli("child", "add", "--dob", "2015-03-03")
    assert result.code == 0, result.err
    assert "more than one line" in result.err and "Try again" in result.err
    assert "Added Nia Brown to the case register." in result.out + result.err


def test_a_childs_name_is_read_from_the_first_line_of_a_file(cli, team, tmp_path):
    named = tmp_path / "child.txt"
    named.write_text("Nia Brown\nanything after the first line is not read\n")
    named.chmod(0o600)
    added = cli("child", "add", "--child-file", str(named), "--dob", "2015-03-03")
    assert added.code == 0 and "Added Nia Brown" in added.out + added.err
    assert "other users" not in added.err
    rows = cli("child", "list", "--json").out
    assert "Nia Brown" in rows and "anything after" not in rows
    named.chmod(0o644)
    shown = cli("export", "review", "--child-file", str(named), "--out", str(tmp_path / "r"))
    assert "can be read by other users" in shown.err  # warned, as for a passphrase file
    assert "No completed records about the child Nia Brown" in shown.err
    named.chmod(0o600)
    child = cli("child", "show", "--child-file", str(named), "--json")
    assert child.code == 0 and json.loads(child.out)["name"] == "Nia Brown", child.err
    decisions = cli("decision", "list", "--child-file", str(named))
    assert decisions.code == 0 and "No decision records match." in decisions.err, decisions.err
    held = cli("retention", "hold", "--child-file", str(named), "--reason", "CSPR 2026/3")
    assert held.code == 0 and "placed on Nia Brown" in held.err, held.err
    twice = cli("decision", "list", "--child", "Nia Brown", "--child-file", str(named))
    assert twice.code == 2 and "once" in twice.err


@pytest.mark.parametrize("args", [("child", "add"), ("export", "review", "--out", "r")])
def test_without_a_terminal_a_missing_childs_name_names_the_file_option(cli, team, args):
    result = cli(*args)
    assert result.code == 2 and "--child-file FILE" in result.err, result.err
    assert cli("child", "list", "--json").out.strip() == "[]"


def test_a_name_given_twice_or_an_empty_file_is_refused(cli, team, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\nNia Brown\n")
    assert "no name on its first line" in cli("child", "add", "--child-file", str(empty)).err
    twice = cli("child", "add", "Nia Brown", "--child-file", str(empty))
    assert twice.code == 2 and "Name the child once" in twice.err
    missing = cli("export", "review", "--child-file", str(tmp_path / "none"), "--out", "r")
    assert missing.code == 2 and "does not exist" in missing.err


@pytest.mark.slow
def test_a_childs_name_typed_at_the_prompt_is_never_in_the_process_arguments(team):
    """The real program in a pseudo-terminal: while it waits for the name, and once given, the
    process's own argv (what `ps` shows every local user) does not hold it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPERVISE_")}
    env.update(SUPERVISE_STORE=str(team), SUPERVISE_PASSPHRASE=PASSPHRASE, TERM="xterm",
               NO_COLOR="1")
    child = pexpect.spawn(sys.executable, ["-m", "supervise", "child", "add", "--dob",
                                           "2015-03-03"], env=env, encoding="utf-8",
                          timeout=90, dimensions=(40, 200))
    child.logfile_read = io.StringIO()
    child.expect_exact("Child's full name")
    with open(f"/proc/{child.pid}/cmdline", "rb") as seen:
        argv = seen.read().split(b"\0")
    child.sendline("Nia Brown")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.logfile_read.getvalue()
    assert b"child" in argv and not any(b"Nia" in part for part in argv)
    assert "Added Nia Brown" in child.logfile_read.getvalue()
