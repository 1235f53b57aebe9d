"""The audit trail: every init, unlock, failed unlock, key and person change, chained."""


import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from supervise.domain.records.audit import GENESIS, chain_problems
from supervise.store.db.opening import unlock_store
from supervise.store.integrity.audit_chain import audit_events, audit_problems
from tests.clock import NOON
from tests.helpers import PASSPHRASE, USER

NOW = NOON  # the product clock at the start of each test


def open_store(path, passphrase=PASSPHRASE, user=None):
    return unlock_store(path, passphrase=lambda: passphrase, user=user, now=NOW)


def actions(path, passphrase=PASSPHRASE):
    with open_store(path, passphrase) as store, store.session() as session:
        return [(e.action, e.actor) for e in audit_events(session)]


def test_every_kind_of_event_is_recorded_in_order(cli, store):
    assert cli("person", "add", "Audit Person", "--role", "Teacher").code == 0
    assert cli("person", "edit", "Audit Person", "--team", "Year 3").code == 0
    assert cli("person", "leave", "Audit Person", "--date", "2026-08-31").code == 0
    assert cli("person", "list", passphrase="wrong passphrase!").code == 3
    assert cli("key", "add-user", "Audit Person",
               env={"SUPERVISE_NEW_PASSPHRASE": "whatever12"}).code == 1  # has left
    assert cli("key", "passwd", env={"SUPERVISE_NEW_PASSPHRASE": PASSPHRASE + "!"}).code == 0
    recorded = [a for a, _ in actions(store, PASSPHRASE + "!")]
    # The store is created, then each command unlocks it first.
    assert recorded[:3] == ["store.init", "policy.set", "person.add"]
    expected_in_order = ["person.add", "person.edit", "person.leave", "store.unlock-failed",
                         "key.passwd"]
    positions = [recorded.index(a, 3) for a in expected_in_order]
    assert positions == sorted(positions)
    assert recorded.count("store.unlock") >= 5
    assert "key.add-user" not in recorded  # the refused change left no event


def test_a_failed_unlock_names_the_user_whose_slot_was_tried(cli, store):
    assert cli("person", "list", passphrase="wrong passphrase!").code == 3
    with open_store(store) as opened, opened.session() as session:
        failed = [e for e in audit_events(session) if e.action == "store.unlock-failed"]
    assert len(failed) == 1 and failed[0].actor == USER
    assert '"reason":"wrong passphrase"' in failed[0].detail


def test_the_chain_links_every_event(cli, store):
    cli("person", "add", "Chain Person", "--role", "Teacher")
    with open_store(store) as opened, opened.session() as session:
        events = [e.model_dump() for e in audit_events(session)]
        assert audit_problems(session) == []
    assert events[0]["prev_hash"] == GENESIS
    for earlier, later in zip(events, events[1:], strict=False):
        assert later["prev_hash"] == earlier["hash"] and later["seq"] == earlier["seq"] + 1


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET actor = 'someone else' WHERE seq = 1",
    "DELETE FROM audit_event WHERE seq = 2",
])
def test_the_database_refuses_to_change_or_delete_an_event(store, statement):
    with open_store(store) as opened, opened.engine.connect() as conn:
        with pytest.raises(DatabaseError, match="append-only"):
            conn.execute(text(statement))


def test_tampering_that_bypasses_the_triggers_is_detected(cli, store):
    for name in ("First Person", "Second Person"):
        assert cli("person", "add", name, "--role", "Teacher").code == 0
    with open_store(store) as opened, opened.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_event_no_update"))
        conn.execute(text("DROP TRIGGER audit_event_no_delete"))
        conn.execute(text("UPDATE audit_event SET actor = 'Mallory' WHERE seq = 2"))
        conn.execute(text("DELETE FROM audit_event WHERE seq = 3"))
    with open_store(store) as opened, opened.session() as session:
        problems = audit_problems(session)
    assert "audit event 2 was altered after it was written" in problems
    assert "audit events 3..3 are missing" in problems


def test_chain_rule_on_plain_rows():
    from supervise.domain.records.audit import event_hash

    first = {"seq": 1, "at": "2026-01-01T00:00:00.000000Z", "actor": "A", "action": "x",
             "record_type": None, "record_id": None, "digest": None, "detail": "{}",
             "prev_hash": GENESIS}
    first["hash"] = event_hash(first)
    second = {**first, "seq": 2, "prev_hash": first["hash"], "action": "y"}
    second["hash"] = event_hash(second)
    assert chain_problems([first, second]) == []
    assert chain_problems([first, {**second, "prev_hash": GENESIS}]) == [
        "audit event 2 does not link to the event before it",
        "audit event 2 was altered after it was written",
    ]
    assert chain_problems([second]) != []
