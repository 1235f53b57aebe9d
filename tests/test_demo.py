"""`supervise demo` builds a sample store that the printed passphrase opens."""

import json

import pytest

from supervise.demo import trust as sample
from tests.clock import product_now


@pytest.mark.slow  # builds the whole sample trust
@pytest.mark.xdist_group("demo")
def test_demo_builds_a_store_the_printed_passphrase_opens(cli, tmp_path):
    target = tmp_path / "demo" / "store.db"
    built = cli("demo", "--store", str(target), passphrase=None)
    assert built.code == 0, built.err
    assert sample.PASSPHRASE in built.err and str(target) in built.err
    assert sample.USER in built.out  # the listings it shows

    def run(*args):
        result = cli(*args, store=target, passphrase=sample.PASSPHRASE)
        assert result.code == 0, result.err
        return json.loads(result.out)

    rows = {row["name"]: row for row in run("person", "list", "--all", "--json")}
    assert set(rows) == {sample.USER} | {p[0] for p in sample.PEOPLE}
    assert rows[sample.USER]["custodian"] and rows[sample.USER]["start_date"] == "2016-09-01"
    assert rows["Ruth Adeyemi"]["status"] == "left"

    contracts = run("contract", "list", "--all", "--json")
    assert {c["policy"] for c in contracts} == {"minimum-standards", "school-trust"}
    statuses = {c["status"] for c in contracts}
    assert {"superseded", "ended"} <= statuses
    # The sample's history has fixed dates (to November 2026): a year on, its contracts in force
    # are due for review, and still in force.
    assert statuses & {"in force", "review due"}
    in_force = [c for c in contracts if c["status"] != "superseded" and not c["ended_on"]]
    pairs = [(c["supervisee"], c["kind"]) for c in in_force]
    assert len(pairs) == len(set(pairs))  # one in force per supervisee and kind
    assert {"eyfs", "dsl"} <= {c["kind"] for c in in_force}
    assert run("policy", "show", "--json")["profile"] == "school-trust"

    held = run("session", "list", "--json")
    assert len(held) >= 30 and {"one-to-one", "group", "ad-hoc"} <= {s["kind"] for s in held}
    assert not any(s["late_entry"] for s in held)  # each recorded on the day it was held
    assert held[0]["held_on"] < "2025-10-01" and held[-1]["held_on"] > "2026-10-31"
    assert {"ms-supervision-record", "dsl-agenda", "eyfs-record"} <= {s["template"]
                                                                      for s in held}
    actions = run("action", "list", "--json")
    assert {"open", "done"} <= {a["status"] for a in actions}
    assert any(len(a["reviews"]) >= 2 for a in actions)  # carried, then done
    assert run("decision", "list", "--json") and run("child", "list", "--json")

    # Signed as it happened, the latest still awaiting signatures; everything verifies.
    assert {"signed", "completed"} == {s["status"] for s in held}
    assert all(c["signed"] for c in contracts)
    first = run("session", "show", "1", "--json")
    methods = {s["method"] for s in first["signatures"]}
    assert methods == {"personal key", f"typed name, witnessed by {sample.USER}"}
    assert first["amendments"][0]["signed"]
    verified = cli("audit", "verify", store=target, passphrase=sample.PASSPHRASE)
    assert verified.code == 0 and "All intact" in verified.err


@pytest.mark.xdist_group("demo")  # one worker builds the demo store for both
def test_demo_records_its_cancellations(demo_store):

    from supervise.store.db.opening import unlock_store
    from supervise.store.records.cancellations import cancellations_of
    from supervise.store.records.people import find_person

    with unlock_store(demo_store, passphrase=lambda: sample.PASSPHRASE, user=None,
                      now=product_now()) as opened, opened.session() as session:
        rows = cancellations_of(session, find_person(session, "Tom Okafor"))
        assert [(r.cancelled_by, r.rebooked_on is not None) for r in rows] == [
            ("supervisor", True), ("supervisee", True)]


def test_demo_refuses_to_overwrite_an_existing_store(cli, store):
    result = cli("demo", "--store", str(store))
    assert result.code == 1 and "already exists" in result.err
