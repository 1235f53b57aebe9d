"""Files a user names (an answers file, a template, a key file) that are not regular files are
refused in one line, before anything waits on them or is unlocked."""

import json
import os

import pytest

from supervise.store.db.opening import StorePaths
from tests.helpers import Alarm, fingerprint


def _fifo(path):
    os.mkfifo(path, 0o600)
    return path


class _Unblocking:
    """Should the command open the pipe and wait for a writer (the fault), one arrives after a
    while, so a failing test fails instead of hanging the suite; `waited` says it came to that."""

    def __init__(self, path):
        self.path = path
        self.waited = False
        self.alarm = Alarm(5, self._write)

    def _write(self):
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # nobody has it open to read: the command did not wait on it
            return
        self.waited = True
        os.close(fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.alarm.cancel()


def test_a_fifo_as_answers_file_is_refused_at_once(cli, team, tmp_path):
    answers = _fifo(tmp_path / "answers.toml")
    before = fingerprint(StorePaths(team).db, StorePaths(team).keys)
    with _Unblocking(answers) as pipe:
        result = cli("session", "new", "--answers", str(answers))
    assert not pipe.waited
    assert result.code == 2, result.err
    assert "named pipe" in result.err and "not a regular file" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert fingerprint(StorePaths(team).db, StorePaths(team).keys) == before


def test_a_fifo_as_template_file_is_refused_at_once(cli, tmp_path):
    template = _fifo(tmp_path / "mine.toml")
    with _Unblocking(template) as pipe:
        result = cli("template", "validate", str(template))
    assert not pipe.waited
    assert result.code != 0
    assert "named pipe" in result.out + result.err


def test_a_fifo_in_the_templates_folder_is_a_broken_template_not_a_hang(cli, tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    _fifo(folder / "mine.toml")
    with _Unblocking(folder / "mine.toml") as pipe:
        result = cli("template", "list", "--json", env={"SUPERVISE_TEMPLATES": str(folder)})
    assert not pipe.waited
    assert result.code == 0, result.err
    mine = next(row for row in json.loads(result.out) if row["id"] == "mine")
    assert "problem" in mine["status"]


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_key_file_that_is_not_a_file_is_named_in_one_line(cli, store, kind):
    paths = StorePaths(store)
    paths.keys.unlink()
    if kind == "folder":
        paths.keys.mkdir()
    else:
        _fifo(paths.keys)
    before = fingerprint(paths.db)
    with _Unblocking(paths.keys) as pipe:
        result = cli("person", "list")
    assert not pipe.waited
    assert result.code == 3, result.err
    assert "Unexpected" not in result.err
    assert "key file" in result.err and "is not a file" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert fingerprint(paths.db) == before


def test_a_fifo_as_the_store_is_not_a_store(cli, tmp_path):
    fifo = _fifo(tmp_path / "store.db")
    with _Unblocking(fifo) as pipe:
        result = cli("person", "list", store=fifo)
    assert not pipe.waited
    assert result.code == 1 and "is a pipe or device, not a store file" in result.err
