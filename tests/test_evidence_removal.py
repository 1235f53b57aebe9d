"""Removing evidence (issue 20, item 4): someone holding the database key (an insider, or the
recovery key) strips signatures and re-chains the trail, deletes a signed record with its
events, drops the database's guards or deletes the newest events; someone holding only an older
copy of the file puts it, or one of its pages, back. Each is named by `audit verify` or
`doctor` (exit 4): by the trigger set held against the migrations, the record numbers, the
page and structure checks, and the anchor of what the key holder last saw, kept in their key
slot under a secret only their passphrase opens."""

import json
import shutil

import pytest

from supervise.domain.records.audit import GENESIS, event_hash
from supervise.store.db import sqlcipher as sqlite
from supervise.store.db.opening import StorePaths
from supervise.store.integrity.guards import expected_triggers
from supervise.store.keys.anchor import SEEN, SEEN_MAC
from supervise.store.keys.key_file import KeyFile
from tests.helpers import USER, guards_dropped
from tests.signed_records import record_session

PAGE = sqlite.PAGE_SIZE


def raw(store, recovery_key):
    """The database opened with its key alone, as the recovery key's holder can."""
    return sqlite.connect(store, bytes.fromhex(recovery_key.replace("-", "")))


def rechain(conn) -> None:
    """Number the remaining events 1..N again and recompute every link: a consistent trail."""
    rows = conn.execute("SELECT seq, at, actor, action, record_type, record_id, digest, detail "
                        "FROM audit_event ORDER BY seq").fetchall()
    conn.execute("DELETE FROM audit_event")
    prev = GENESIS
    for number, row in enumerate(rows, start=1):
        event = dict(zip(("seq", "at", "actor", "action", "record_type", "record_id",
                          "digest", "detail"), row, strict=True))
        event.update(seq=number, prev_hash=prev)
        event["hash"] = event_hash(event)
        conn.execute("INSERT INTO audit_event (seq, at, actor, action, record_type, record_id, "
                     "digest, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     tuple(event[k] for k in ("seq", "at", "actor", "action", "record_type",
                                              "record_id", "digest", "detail", "prev_hash",
                                              "hash")))
        prev = event["hash"]


def as_insider(store, recovery_key, *statements: str, chain: bool = True) -> None:
    """Drop every guard, run `statements`, re-chain the trail and put the guards back exactly:
    what a careful insider does, leaving nothing the chain or the triggers show."""
    with guards_dropped(raw(store, recovery_key)) as conn:
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for statement in statements:
            conn.execute(statement)
        if chain:
            rechain(conn)


def verify(cli):
    return cli("audit", "verify")


def test_signatures_stripped_with_their_events_and_rechained_are_found(cli, signed, store,
                                                                       recovery_key):
    assert verify(cli).code == 0
    as_insider(store, recovery_key,
               "DELETE FROM signature",
               "DELETE FROM audit_event WHERE action LIKE '%.sign'",
               "UPDATE session_answer SET value = '\"Nothing to report.\"' "
               "WHERE section_id = 'matters_arising'")
    shown = cli("session", "show", signed)
    assert shown.code == 0 and "Not signed" in shown.out
    assert f"does not hold everything {USER} last saw" in shown.err  # every command warns
    result = verify(cli)
    assert result.code == 4
    assert f"is not the one {USER} last saw" in result.out or \
        f"but {USER} last saw event" in result.out
    assert f"signature 1 is missing: {USER} last saw signatures up to 2" in result.out
    doctor = cli("doctor")
    assert doctor.code == 4 and "last seen" in doctor.out


def test_a_signed_session_deleted_with_its_events_is_found(cli, signed, store, recovery_key,
                                                           tmp_path):
    assert record_session(cli, tmp_path, name="second.toml") == "2"
    cases = "(SELECT id FROM case_discussion WHERE session_id = 1)"
    as_insider(store, recovery_key,
               "DELETE FROM signature WHERE record_type = 'session' AND record_id = 1",
               "DELETE FROM action_review WHERE session_id = 1",
               "DELETE FROM action_item WHERE session_id = 1",
               f"DELETE FROM decision WHERE case_id IN {cases}",
               f"DELETE FROM case_child WHERE case_id IN {cases}",
               "DELETE FROM case_discussion WHERE session_id = 1",
               "DELETE FROM session_answer WHERE session_id = 1",
               "DELETE FROM session_supervisee WHERE session_id = 1",
               "DELETE FROM session_record WHERE id = 1",
               "DELETE FROM audit_event WHERE record_type = 'session' AND record_id = '1'")
    result = verify(cli)
    assert result.code == 4
    assert "session 1 is missing: deleted from the store, and no audit event says" in result.out


def test_a_newest_signed_session_deleted_with_its_events_is_found_by_the_anchor(
        cli, signed, store, recovery_key):
    as_insider(store, recovery_key,
               "DELETE FROM signature", "DELETE FROM action_review", "DELETE FROM action_item",
               "DELETE FROM decision", "DELETE FROM case_child", "DELETE FROM case_discussion",
               "DELETE FROM session_answer", "DELETE FROM session_supervisee",
               "DELETE FROM session_record",
               "DELETE FROM audit_event WHERE record_type = 'session'")
    result = verify(cli)
    assert result.code == 4
    assert f"session 1 is missing: {USER} last saw sessions up to 1" in result.out


@pytest.mark.parametrize("guard, replacement", [
    ("signature_no_delete", None),
    ("session_record_signed_update",
     "CREATE TRIGGER session_record_signed_update BEFORE UPDATE ON session_record "
     "FOR EACH ROW WHEN 0 BEGIN SELECT RAISE(ABORT, 'signed records are never changed'); END"),
])
def test_a_dropped_or_weakened_guard_is_found_by_doctor_and_audit_verify(
        cli, signed, store, recovery_key, guard, replacement):
    assert guard in expected_triggers()
    conn = raw(store, recovery_key)
    try:
        conn.execute(f"DROP TRIGGER {guard}")
        if replacement:
            conn.execute(replacement)
    finally:
        conn.close()
    said = f"the database guard {guard} {'was altered' if replacement else 'is missing'}"
    doctor = cli("doctor")
    assert doctor.code == 4 and said in doctor.out
    result = verify(cli)
    assert result.code == 4 and said in result.out


def test_the_newest_events_deleted_are_found(cli, signed, store, recovery_key):
    conn = raw(store, recovery_key)
    try:
        (newest,) = conn.execute("SELECT max(seq) FROM audit_event").fetchone()
    finally:
        conn.close()
    as_insider(store, recovery_key, f"DELETE FROM audit_event WHERE seq > {newest - 3}",
               chain=False)
    result = verify(cli)
    assert result.code == 4
    assert f"but {USER} last saw event {newest}: events were removed" in result.out


def test_an_older_anchor_put_back_into_the_key_file_is_caught_by_the_holders_own_copy(
        cli, signed, store, recovery_key):
    """The key slot's anchor is the holder's genuine statement of an earlier day, so an insider
    can copy it back from an older key file (a backup, STORE.backups/) after removing what came
    since. The copy in the holder's own state folder still says how far they saw."""
    from supervise.store.keys.anchor import home_copy

    older = StorePaths(store).keys.read_bytes()
    assert cli("person", "add", "Later Person", "--role", "Teacher").code == 0
    conn = raw(store, recovery_key)
    try:
        (seen,) = conn.execute("SELECT max(seq) FROM audit_event").fetchone()
        (before,) = conn.execute("SELECT max(seq) FROM audit_event WHERE action = "
                                 "'person.add'").fetchone()
    finally:
        conn.close()
    as_insider(store, recovery_key, "DELETE FROM person WHERE name = 'Later Person'",
               f"DELETE FROM audit_event WHERE seq >= {before}", chain=False)
    StorePaths(store).keys.write_bytes(older)  # the older, genuine anchor put back
    result = verify(cli)
    assert result.code == 4, result.out
    assert f"audit event {seen} is not the one {USER} last saw" in result.out
    keyfile = KeyFile.from_bytes(older)
    copy = home_copy(store, keyfile.store_id, keyfile.slot_for(USER)["id"])
    copy.unlink()  # without that copy the replay passes: it is what catches it
    assert verify(cli).code == 0


def without_log(store) -> None:
    for end in ("-wal", "-shm"):
        store.with_name(store.name + end).unlink(missing_ok=True)


def put_back(old, store) -> None:
    without_log(store)
    shutil.copyfile(old, store)


def test_the_whole_file_rolled_back_to_an_older_copy_is_found(cli, signed, store, tmp_path):
    old = tmp_path / "older-copy.db"
    shutil.copyfile(store, old)
    assert record_session(cli, tmp_path, name="newer.toml") == "2"
    put_back(old, store)
    result = verify(cli)
    assert result.code == 4
    assert f"but {USER} last saw event" in result.out
    assert f"session 2 is missing: {USER} last saw sessions up to 2" in result.out
    doctor = cli("doctor")
    assert doctor.code == 4 and "last seen" in doctor.out
    assert not any(store.with_name(store.name + end).exists() for end in ("-wal", "-shm"))


def test_an_index_page_rolled_back_to_an_older_copy_is_found(cli, team, store, recovery_key,
                                                            tmp_path):
    conn = raw(store, recovery_key)
    try:
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master "
                               "WHERE name = 'ix_person_name_key'").fetchone()
    finally:
        conn.close()
    old = store.read_bytes()
    assert cli("person", "add", "Newer Person", "--role", "Teacher").code == 0
    new = bytearray(store.read_bytes())
    start = (root - 1) * PAGE
    assert new[start:start + PAGE] != old[start:start + PAGE]  # the index page changed
    new[start:start + PAGE] = old[start:start + PAGE]  # its older version, HMAC and all
    without_log(store)
    store.write_bytes(bytes(new))
    result = verify(cli)
    assert result.code == 4
    assert "ix_person_name_key" in result.out


@pytest.mark.parametrize("change", ["moved back", "removed"])
def test_the_anchor_cannot_be_moved_back_or_removed_without_the_holders_passphrase(
        cli, signed, store, tmp_path, change):
    old = tmp_path / "older-copy.db"
    shutil.copyfile(store, old)
    assert record_session(cli, tmp_path, name="newer.toml") == "2"
    keys = StorePaths(store).keys
    document = json.loads(keys.read_text())
    if change == "removed":
        del document["slots"][0][SEEN], document["slots"][0][SEEN_MAC]
    else:
        document["slots"][0][SEEN]["events"] = 1  # as if nothing had been seen yet
    keys.write_text(json.dumps(document))
    put_back(old, store)  # so that the older copy would pass
    said = "altered" if change == "moved back" else "removed"
    result = verify(cli)
    assert result.code == 4
    assert f"the record of what {USER} last saw, kept in their key slot, was {said}" \
        in result.out
    assert cli("person", "add", "Later Person", "--role", "Teacher").code == 0
    assert verify(cli).code == 4  # a later command does not wipe the evidence


def test_a_command_that_only_reads_leaves_the_key_file_as_it_was(cli, signed, store):
    keys = StorePaths(store).keys
    before = keys.read_bytes()
    assert cli("person", "list").code == 0
    assert keys.read_bytes() == before
    assert cli("person", "add", "Later Person", "--role", "Teacher").code == 0
    assert keys.read_bytes() != before  # a command that wrote moves the anchor on
    assert verify(cli).code == 0


def test_doctor_leaves_no_log_files_beside_a_damaged_store(cli, store):
    logs = [store.with_name(store.name + end) for end in ("-wal", "-shm")]
    assert not any(p.exists() for p in logs)
    with store.open("r+b") as handle:
        handle.seek(5 * PAGE + 1234)
        byte = handle.read(1)
        handle.seek(5 * PAGE + 1234)
        handle.write(bytes([byte[0] ^ 0x01]))
    result = cli("doctor")
    assert result.code == 4 and "damaged page" in result.out
    assert [p.name for p in logs if p.exists()] == []
