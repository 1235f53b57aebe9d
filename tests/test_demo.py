"""`supervise demo` builds a sample store that the printed passphrase opens."""

import json

from supervise.store import sample


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
    assert {"superseded", "ended", "in force"} <= statuses
    in_force = [c for c in contracts if c["status"] != "superseded" and not c["ended_on"]]
    pairs = [(c["supervisee"], c["kind"]) for c in in_force]
    assert len(pairs) == len(set(pairs))  # one in force per supervisee and kind
    assert {"eyfs", "dsl"} <= {c["kind"] for c in in_force}
    assert run("policy", "show", "--json")["profile"] == "school-trust"


def test_demo_refuses_to_overwrite_an_existing_store(cli, store):
    result = cli("demo", "--store", str(store))
    assert result.code == 1 and "already exists" in result.err
