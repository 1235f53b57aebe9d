"""Policy profiles as data: chosen at init, shown, replaced, and driving contract defaults."""

import json
from datetime import date

import pytest

from supervise.domain.policy.organisation_policy import PolicyError, parse_policy
from supervise.store.catalog import policy_names, shipped_dir, shipped_policy
from supervise.store.db import migrations as schema
from supervise.store.db import sqlcipher as sqlite
from supervise.store.db.opening import unlock_store
from tests.clock import TODAY, product_now
from tests.helpers import PASSPHRASE, USER

PROFILES = ["local-authority", "minimum-standards", "nhs-icb", "school-trust"]


def test_the_four_profiles_of_the_spec_are_shipped_and_parse():
    assert policy_names() == PROFILES
    for name in PROFILES:
        policy = shipped_policy(name)
        assert policy.id == name and policy.kinds and policy.source


@pytest.mark.parametrize(("name", "frequency", "signing", "group_counts"), [
    ("minimum-standards", "4w", 1, False),
    ("nhs-icb", "3m", 1, False),
    ("local-authority", "1m", 1, False),
    ("school-trust", "termly", 4, True),
])
def test_each_profile_is_stored_at_init_and_shown(cli, tmp_path, name, frequency, signing,
                                                  group_counts):
    target = tmp_path / name / "store.db"
    made = cli("init", "--org", "O", "--user", USER, "--kdf", "owasp-minimum", "--policy", name,
               store=target)
    assert made.code == 0, made.err
    shown = json.loads(cli("policy", "show", "--json", store=target).out)
    assert shown["profile"] == name and shown["store_version"] == 1
    assert shown["default_frequency"] == frequency
    assert shown["contract_signed_before_session"] == signing
    assert shown["group_sessions_count"] is group_counts
    text = cli("policy", "show", store=target)
    assert text.code == 0 and shipped_policy(name).title in text.out


def test_policy_set_replaces_the_policy_and_records_keep_theirs(cli, store, tmp_path):
    assert cli("person", "add", "Sam Taylor", "--role", "Teacher").code == 0
    assert cli("contract", "new", "--supervisee", "Sam Taylor", "--supervisor", USER).code == 0
    exported = cli("policy", "show", "--toml").out
    changed = exported.replace('default_frequency = "4w"', 'default_frequency = "6w"') \
        .replace('[kinds.safeguarding]\nlabel = "Safeguarding supervision"\nfrequency = "4w"',
                 '[kinds.safeguarding]\nlabel = "Safeguarding supervision"\nfrequency = "6w"')
    assert changed != exported
    path = tmp_path / "ours.toml"
    path.write_text(changed)
    result = cli("policy", "set", str(path))
    assert result.code == 0, result.err
    assert "version 2 in this store" in result.err
    assert json.loads(cli("policy", "show", "--json").out)["store_version"] == 2
    assert cli("contract", "end", "1", "--reason", "Re-agreed under the new policy").code == 0
    assert cli("contract", "new", "--supervisee", "Sam Taylor", "--supervisor", USER).code == 0
    first, second = (json.loads(cli("contract", "show", n, "--json").out) for n in "12")
    assert (first["policy_version"], first["frequency"]) == (1, "4w")
    assert (second["policy_version"], second["frequency"]) == (2, "6w")
    again = cli("policy", "set", str(path))
    assert again.code == 0 and "nothing was changed" in again.err
    assert cli("policy", "set", "school-trust").code == 0
    assert json.loads(cli("policy", "show", "--json").out)["profile"] == "school-trust"


def test_a_bad_policy_file_is_refused_with_its_problems_and_lines(cli, store, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('id = "ours"\ntitle = "Ours"\ndefault_frequency = "sometimes"\n'
                    'decision_template = "ms-decision-record"\n[kinds.safeguarding]\n'
                    'frequency = "4w"\ncontract_templat = "ms-contract"\n[contract]\n'
                    'review_months = 0\n')
    result = cli("policy", "set", str(path))
    assert result.code == 1
    for fragment in ("3 problems", "line 3: default_frequency: Unknown frequency",
                     "line 7: kinds.safeguarding.contract_templat: unknown key; did you mean "
                     "`contract_template`?", "line 9: contract.review_months"):
        assert fragment in result.err, result.err
    assert json.loads(cli("policy", "show", "--json").out)["store_version"] == 1


def test_a_policy_naming_a_missing_template_is_refused(cli, store, tmp_path):
    text = shipped_dir("policies").joinpath("minimum-standards.toml").read_text()
    path = tmp_path / "missing.toml"
    path.write_text(text.replace('session_template = "ms-supervision-record"',
                                 'session_template = "ms-supervision-recrod"', 1))
    result = cli("policy", "set", str(path))
    assert result.code == 1 and "No template 'ms-supervision-recrod'" in result.err
    assert "ms-supervision-record" in result.err  # the suggestion


def test_a_policy_file_with_a_syntax_error_names_its_line():
    with pytest.raises(PolicyError, match="line 2: TOML syntax error"):
        parse_policy('id = "x"\ntitle = \n')


def test_frequencies_follow_role_kind_and_the_newly_qualified_schedule():
    icb = shipped_policy("nhs-icb")
    on = date(2026, 11, 22)
    assert str(icb.frequency_for("safeguarding", "Named Nurse", None, on)[0]) == "3m"
    assert str(icb.frequency_for("children-in-care", "Health Visitor", None, on)[0]) == "6m"
    # the named-professional rule is for safeguarding supervision, not children in care
    assert str(icb.frequency_for("children-in-care", "Named Nurse", None, on)[0]) == "6m"
    assert icb.kind("children-in-care").contract_template == "icb-cic-agreement"
    la = shipped_policy("local-authority")
    weekly, schedule, why = la.frequency_for("case-supervision", "Social Worker",
                                             date(2026, 11, 1), on)
    assert str(weekly) == "1w" and schedule is not None and "newly qualified" in why
    assert str(la.frequency_for("case-supervision", "Social Worker", date(2026, 8, 1),
                                on)[0]) == "2w"
    settled = la.frequency_for("case-supervision", "Social Worker", date(2025, 1, 1), on)
    assert (str(settled[0]), settled[1]) == ("1m", None)
    school = shipped_policy("school-trust")
    assert str(school.frequency_for("eyfs", "EYFS Lead", None, on)[0]) == "termly"
    assert school.review_on(date(2028, 2, 29)) == date(2029, 2, 28)


def test_a_newly_qualified_social_worker_gets_the_schedule_from_starting_in_post(cli, tmp_path):
    target = tmp_path / "la" / "store.db"
    assert cli("init", "--org", "Shire County Council", "--user", USER, "--kdf",
               "owasp-minimum", "--policy", "local-authority", store=target).code == 0
    qualified = date(TODAY.year - 1, 7, 10).isoformat()  # qualified last summer
    started = TODAY.replace(day=1).isoformat()          # in post from this month
    assert cli("person", "add", "Hannah Novak", "--role", "Social Worker", "--start", started,
               "--newly-qualified", qualified, store=target).code == 0
    made = cli("contract", "new", "--supervisee", "Hannah Novak", "--supervisor", USER,
               store=target)
    assert made.code == 0, made.err
    assert "weekly for 6 weeks, fortnightly to 6 months, then monthly" in made.err
    contract = json.loads(cli("contract", "show", "1", "--json", store=target).out)
    assert contract["frequency"] == "1w" and contract["schedule"] == "newly-qualified"
    assert contract["schedule_from"] == started and contract["template"] == "la-agreement"


BASE = """\
id = "ours"
title = "Ours"
default_frequency = "4w"
decision_template = "ms-decision-record"
[kinds.safeguarding]
frequency = "4w"
"""


@pytest.mark.parametrize(("extra", "fragment"), [
    ("[contract]\nreview_months = 100000\n", "contract.review_months: must be a whole number"),
    ("[contract]\nsign_before_session = 0\n", "contract.sign_before_session"),
    ('[contract]\nagree_within_days = "soon"\n', "contract.agree_within_days"),
    ('[terms]\nspring = ["01-01", "02-29"]\n', "terms.spring"),
    ('[[frequency_rules]]\nrole = "*"\nevery = "1m"\nkinds = ["cic"]\n',
     "frequency_rules[1].kinds"),
    ('[schedules]\nnewly-qualified = "weekly"\n', "schedules.newly-qualified: must be a table"),
    ('[kinds.Bad_Kind]\nfrequency = "1m"\n', "kinds.Bad_Kind: a kind's name"),
    ('[kinds.cic]\ncontract_template = 5\n', "kinds.cic.contract_template"),
    ("[retention]\nsupervision_years = 0\n", "retention.supervision_years: must be a whole"),
    ("[retention]\nchild_until_age = 12\n", "retention.child_until_age"),
    ('[retention]\nlong_term_statuses = ["in-care"]\n', "retention.long_term_statuses"),
    ("[retention]\nkeep_forever = true\n", "retention.keep_forever: unknown key"),
])
def test_bad_policy_values_are_refused_before_they_are_stored(extra, fragment):
    with pytest.raises(PolicyError) as caught:
        parse_policy(BASE + extra)
    assert fragment in caught.value.message


def test_policy_text_fields_refuse_control_characters():
    with pytest.raises(PolicyError, match="title"):
        parse_policy(BASE.replace('title = "Ours"', 'title = "Ours\\u001b[2J"'))
    with pytest.raises(PolicyError, match="default_kind"):
        parse_policy('default_kind = ["x"]\n' + BASE)
    with pytest.raises(PolicyError, match="frequency_rules: must be a list"):
        parse_policy("frequency_rules = 5\n" + BASE)
    with pytest.raises(PolicyError, match="kinds.safeguarding.colour: unknown key"):
        parse_policy(BASE + 'colour = "red"\n')


def test_a_store_from_before_policies_were_stored_gets_its_profile(cli, tmp_path):
    """A schema-1 store (policy named in store_meta only) is migrated and its profile stored
    the first time a record needs it."""
    target = tmp_path / "old" / "store.db"
    assert cli("init", "--org", "O", "--user", USER, "--kdf", "owasp-minimum", "--policy",
               "nhs-icb", store=target).code == 0
    opened = unlock_store(target, passphrase=lambda: PASSPHRASE, user=None,
                          now=product_now())
    opened.close()
    conn = sqlite.connect(target, opened.db_key)
    try:  # take it back to schema 1, as issue 2's code left it
        later = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN "
            "('store_meta', 'person', 'audit_event', 'sqlite_sequence') ORDER BY rowid DESC")]
        for table in later:  # newest first, so nothing refers to a dropped table
            conn.execute(f"DROP TABLE {table}")
        conn.execute("ALTER TABLE person DROP COLUMN supervisor_since")  # added by migration 5
        conn.execute("UPDATE store_meta SET value = '1' WHERE key = 'schema_version'")
    finally:
        conn.close()
    shown = json.loads(cli("policy", "show", "--json", store=target).out)
    assert (shown["profile"], shown["store_version"]) == ("nhs-icb", 0)  # not stored yet
    assert cli("person", "add", "Sam Taylor", "--role", "Named Nurse", store=target).code == 0
    assert cli("contract", "new", "--supervisee", "Sam Taylor", "--supervisor", USER,
               store=target).code == 0
    contract = json.loads(cli("contract", "show", "1", "--json", store=target).out)
    assert contract["policy_version"] == 1 and contract["frequency"] == "3m"
    conn = sqlite.connect(target, opened.db_key)
    try:
        assert schema.schema_version(conn) == schema.latest_version()
    finally:
        conn.close()


def test_retention_rules_come_from_the_policy_with_defaults():
    from supervise.domain.policy.retention import RetentionRules

    assert parse_policy(BASE).retention_rules == RetentionRules()
    chosen = parse_policy(BASE + "[retention]\nsupervision_years = 7\n"
                          'long_term_statuses = ["looked-after", "child-protection"]\n')
    assert chosen.retention_rules.supervision_years == 7
    assert chosen.retention_rules.long_term_statuses == ("looked-after", "child-protection")
