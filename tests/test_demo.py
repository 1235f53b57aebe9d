"""`supervise demo` builds a sample store that the printed passphrase opens."""

import json

from supervise.cli.demo import DEMO_PASSPHRASE, DEMO_PEOPLE, DEMO_USER


def test_demo_builds_a_store_the_printed_passphrase_opens(cli, tmp_path):
    target = tmp_path / "demo" / "store.db"
    built = cli("demo", "--store", str(target), passphrase=None)
    assert built.code == 0, built.err
    assert DEMO_PASSPHRASE in built.err and str(target) in built.err
    assert DEMO_USER in built.out  # the listing it shows

    listed = cli("person", "list", "--all", "--json", store=target, passphrase=DEMO_PASSPHRASE)
    rows = {row["name"]: row for row in json.loads(listed.out)}
    assert set(rows) == {DEMO_USER} | {p[0] for p in DEMO_PEOPLE}
    assert rows[DEMO_USER]["custodian"] and rows[DEMO_USER]["start_date"] == "2016-09-01"
    assert rows["Ruth Adeyemi"]["status"] == "left"


def test_demo_refuses_to_overwrite_an_existing_store(cli, store):
    result = cli("demo", "--store", str(store))
    assert result.code == 1 and "already exists" in result.err
