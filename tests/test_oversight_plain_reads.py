"""The plain-SQL reads `overdue` and the reports use instead of the ORM's: the policy in force
read as records/policies.py reads it, and an `IN` list that holds nothing."""

from supervise.store.catalog import shipped_policy
from supervise.store.db.writing import Stamp
from supervise.store.queries.overdue_facts import in_list
from supervise.store.queries.policy_read import policy_read
from supervise.store.records.policies import current_policy, set_policy
from tests.oversight_trust import LEAD, SETUP, Trust, at


def test_the_policy_read_in_plain_sql_is_the_latest_version_the_orm_reads(tmp_path):
    trust = Trust(tmp_path, policy="school-trust")
    try:
        with trust.store.session() as session:
            set_policy(Stamp(session, at(SETUP), LEAD), shipped_policy("local-authority"))
        with trust.store.reader() as reader:
            policy, version = policy_read(reader)
        with trust.store.session() as session:
            expected, expected_version = current_policy(session)
    finally:
        trust.close()
    assert (policy.id, version) == (expected.id, expected_version) == ("local-authority", 2)
    assert policy.digest == expected.digest


def test_an_in_list_of_nothing_matches_no_row_and_of_names_matches_those(tmp_path):
    trust = Trust(tmp_path)
    try:
        trust.person("Ann Able")
        trust.person("Bo Bright")
        with trust.store.reader() as reader:
            def named(*names: str) -> list[str]:
                listed, params = in_list("name", names)
                return [n for (n,) in reader.rows(
                    f"SELECT name FROM person WHERE name IN {listed} ORDER BY name", params)]

            assert named() == []
            assert named("Bo Bright", "Ann Able", "Nobody") == ["Ann Able", "Bo Bright"]
    finally:
        trust.close()
