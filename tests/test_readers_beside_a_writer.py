"""Commands that only read never wait behind another process's write: held longer than the busy
timeout, `overdue` and `person list` still answer. Their unlock is still audited: noted beside
the store while it is busy, and folded into the audit trail by the next command that writes."""

import json
import threading

import pytest

from supervise.files import append_private, take_lines
from supervise.store.db.opening import StorePaths
from tests.helpers import joined, pause
from tests.test_crash_and_concurrency import lock_holder


@pytest.fixture
def holder(store, tmp_path):
    """Another process that takes the store's write lock when told to hold."""
    with lock_holder(store, tmp_path) as tell:
        yield tell


def unlocks(cli) -> list[dict]:
    events = json.loads(cli("audit", "log", "--json").out)
    return [e for e in events if e["action"] == "store.unlock"]


@pytest.mark.slow
def test_reads_answer_while_another_process_holds_the_write_lock(cli, store, holder):
    before = len(unlocks(cli))
    assert not StorePaths(store).failures.exists()
    held = holder
    assert held("hold") == "holding"

    overdue = cli("overdue")
    people = cli("person", "list", "--json")

    assert overdue.code == 0, overdue.err
    assert people.code == 0, people.err
    assert "Jordan Example" in [p["name"] for p in json.loads(people.out)]
    assert StorePaths(store).failures.exists(), "the reads' unlocks were not noted"

    assert held("release") == "released"
    assert cli("person", "add", "After Release", "--role", "Teacher").code == 0
    assert not StorePaths(store).failures.exists()
    events = unlocks(cli)
    noted = [e for e in events if (e["detail"] or {}).get("noted")]
    # overdue and person list noted while busy; the add after release and this audit log
    # written at once
    assert len(noted) == 2, events[before:]
    assert all(e["actor"] == "Jordan Example" and e["detail"]["unlocked_at"] for e in noted)
    assert len(events) == before + 4, events[before:]
    assert cli("audit", "verify").code == 0


def test_a_note_added_while_the_notes_are_taken_in_is_kept(tmp_path):
    """A read noting its unlock while a writer folds the notes in waits on the notes' lock,
    and its note goes to a new file, not the one being deleted."""
    notes = tmp_path / "store.db.unlock-failures"
    append_private(notes, b"one\n")
    taken = take_lines(notes)
    late = threading.Thread(target=append_private, args=(notes, b"two\n"))
    late.start()
    pause(0.2)  # let it reach the lock (if it has not, it simply comes after)
    assert taken.lines == ["one"]
    taken.remove()
    taken.release()
    assert joined(late, 10)
    assert notes.read_bytes() == b"two\n"
