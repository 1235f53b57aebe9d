"""One clock: the product reads the time in supervise/clock.py only; in-process, the test's clock
is what every command records and judges by; nothing a user can set moves it."""

import ast
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.clock import SUBPROCESS_DAYS, at
from tests.helpers import PASSPHRASE, USER, ScriptedPrompter, unused_answers

PACKAGE = Path(__file__).resolve().parent.parent / "supervise"
READS_THE_TIME = {"now", "today", "utcnow", "time", "time_ns", "localtime", "gmtime",
                  "clock_gettime"}


def test_the_product_reads_the_time_in_one_place():
    readers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in READS_THE_TIME
                    and ast.unparse(node.func.value).split(".")[-1]
                    in ("datetime", "date", "time")):
                readers.append(str(path.relative_to(PACKAGE.parent)))
    assert readers == ["supervise/clock.py"]  # datetime.now(UTC), once


def test_every_command_records_and_judges_by_the_tests_clock(cli, team, clock, tmp_path):
    day = date(2027, 3, 1)
    clock.set(at(day, 12))
    assert cli("person", "add", "Ravi Patel", "--role", "Teacher").code == 0
    added = [e for e in json.loads(cli("audit", "log", "--json").out)
             if e["action"] == "person.add" and e["at"].startswith("2027-03-01")]
    assert len(added) == 1
    later = cli("child", "add", "Ada Okafor", "--dob", str(day + timedelta(days=1)))
    assert later.code != 0 and "in the future" in later.err  # judged by the set day
    assert cli("child", "add", "Ada Okafor", "--dob", str(day)).code == 0


@pytest.mark.slow
def test_no_environment_variable_moves_the_clock(tmp_path):
    """A real process, with every variable a user might try to backdate with."""
    past = "2001-01-01"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPERVISE_")}
    env.update(SUPERVISE_STORE=str(tmp_path / "store.db"), SUPERVISE_PASSPHRASE=PASSPHRASE,
               XDG_DATA_HOME=str(tmp_path / "xdg"), SUPERVISE_NOW=past, SUPERVISE_DATE=past,
               SUPERVISE_TODAY=past, SUPERVISE_CLOCK=past, SOURCE_DATE_EPOCH="978307200")

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "supervise", *args], env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("init", "--org", "Org", "--user", USER, "--kdf", "owasp-minimum")
    days = {event["at"][:10] for event in json.loads(run("audit", "log", "--json"))}
    assert days <= {str(d) for d in SUBPROCESS_DAYS}  # the real day (or past midnight)


def test_answers_a_script_never_asked_for_are_found():
    ScriptedPrompter(("Organisation", "Hillside Academy"), ("Your full name", "Robin"))
    used = ScriptedPrompter(("Store passphrase", PASSPHRASE))
    used.secret("Store passphrase:")
    assert unused_answers() == ["Organisation", "Your full name"]
    assert unused_answers() == []  # forgotten once reported


@pytest.mark.slow
def test_a_test_that_leaves_scripted_answers_unused_fails(tmp_path):
    """The suite's own fixture, run on a test that never uses its script."""
    test = tmp_path / "test_left_over.py"
    test.write_text(
        "from tests.helpers import ScriptedPrompter\n\n"
        "def test_forgets_to_run_the_command():\n"
        "    ScriptedPrompter(('Store passphrase', 'x'))\n\n"
        "def test_uses_nothing():\n"
        "    ScriptedPrompter()\n", encoding="utf-8")
    root = PACKAGE.parent
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.conftest", "-q",
                           "-p", "no:cacheprovider", "-o", "addopts=", str(test)],
                          cwd=root, capture_output=True, text=True)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "2 passed, 1 error" in done.stdout, done.stdout  # a test passes, then its teardown
    assert "ERROR at teardown of test_forgets_to_run_the_command" in done.stdout
    assert "scripted answers were never asked for: ['Store passphrase']" in done.stdout
