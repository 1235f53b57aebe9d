"""People: recorded, listed, shown, corrected and leaving, with bad input refused cleanly."""

import json

import pytest

from tests.helpers import USER

KEYS = {"name", "role", "team", "start_date", "left_date", "status", "requires_supervision",
        "supervisor", "supervisor_since", "supervisor_trained_on", "newly_qualified_on",
        "custodian"}


def rows(cli, *extra):
    result = cli("person", "list", "--json", *extra)
    assert result.code == 0, result.err
    return {row["name"]: row for row in json.loads(result.out)}


def test_init_records_the_first_user_as_supervisor_and_key_holder(cli, store):
    me = rows(cli)[USER]
    assert set(me) == KEYS
    assert me["supervisor"] is True and me["custodian"] is True


def test_add_list_show_round_trip(cli, store):
    result = cli("person", "add", "Morgan Teacher", "--role", "Class Teacher", "--team", "Year 4",
                 "--start", "2024-09-01", "--supervisor", "--trained", "2025-01-10")
    assert result.code == 0, result.err
    assert result.out == "" and "Added Morgan Teacher" in result.err
    row = rows(cli)["Morgan Teacher"]
    assert row["start_date"] == "2024-09-01" and row["supervisor_trained_on"] == "2025-01-10"
    assert row["supervisor"] is True and row["custodian"] is False
    shown = cli("person", "show", "MORGAN   teacher")
    assert shown.code == 0 and "Class Teacher" in shown.out and "Year 4" in shown.out
    assert json.loads(cli("person", "show", "morgan teacher", "--json").out) == row


def test_table_and_json_come_from_the_same_rows(cli, store):
    cli("person", "add", "Emoji Person 🙂", "--role", "Role [bold]with[/bold] markup")
    table = cli("person", "list").out
    assert "Emoji Person 🙂" in table and "Role [bold]with[/bold] markup" in table
    for row in rows(cli).values():
        assert row["name"] in table and row["role"] in table


def test_unknown_name_is_refused_with_the_closest_match(cli, store):
    cli("person", "add", "Frances Okoro", "--role", "Teacher")
    result = cli("person", "show", "Francis Okoro")
    assert result.code == 1
    assert result.err == "Error: No person named 'Francis Okoro'. Did you mean: Frances Okoro?\n"


def test_a_partial_name_is_never_guessed(cli, store):
    cli("person", "add", "Sarah Jones", "--role", "Teacher")
    cli("person", "add", "Sarah Patel", "--role", "Teacher")
    result = cli("person", "show", "Sarah")
    assert result.code == 1 and "Sarah Jones" in result.err and "Sarah Patel" in result.err


def test_duplicate_names_are_refused_case_insensitively(cli, store):
    assert cli("person", "add", "Lee Chan", "--role", "Teacher").code == 0
    result = cli("person", "add", "LEE  CHAN", "--role", "Cook")
    assert result.code == 1 and "already recorded" in result.err
    assert rows(cli)["Lee Chan"]["role"] == "Teacher"


@pytest.mark.parametrize("args, message", [
    (["--start", "2026-02-30"], "not a real date"),
    (["--start", "30/01/2026"], "YYYY-MM-DD"),
    (["--start", "2026-13-01"], "not a real date"),
    (["--newly-qualified", "2999-01-01"], "in the future"),
])
def test_bad_dates_are_refused_and_nothing_is_stored(cli, store, args, message):
    result = cli("person", "add", "Date Person", "--role", "Teacher", *args)
    assert result.code in (1, 2) and message in result.err
    assert "Date Person" not in rows(cli)


@pytest.mark.parametrize("name, message", [
    ("Bell\x07", "control characters"),
    ("Zero\u200bWidth", "control characters"),
    ("   ", "empty"),
    ("x" * 5000, "longer than 200"),
])
def test_bad_names_are_refused(cli, store, name, message):
    result = cli("person", "add", name, "--role", "Teacher")
    assert result.code == 2 and message in result.err
    assert len(rows(cli)) == 1


def test_whitespace_pasted_from_word_collapses_in_names(cli, store):
    assert cli("person", "add", "Tab\x0bPasted\t Name", "--role", "Teacher").code == 0
    assert "Tab Pasted Name" in rows(cli)


def test_a_training_date_makes_someone_a_supervisor_and_needs_them_to_stay_one(cli, store):
    assert cli("person", "add", "Trained Person", "--role", "Teacher",
               "--trained", "2025-01-01").code == 0
    assert rows(cli)["Trained Person"]["supervisor"] is True
    result = cli("person", "edit", "Trained Person", "--not-supervisor")
    assert result.code == 2 and "only for supervisors" in result.err
    assert rows(cli)["Trained Person"]["supervisor"] is True


def test_edit_changes_only_what_is_given(cli, store):
    cli("person", "add", "Pat Edit", "--role", "Teacher", "--team", "Year 1")
    result = cli("person", "edit", "pat edit", "--role", "Head of Year", "--supervisor")
    assert result.code == 0 and "role" in result.err
    row = rows(cli)["Pat Edit"]
    assert (row["role"], row["team"], row["supervisor"]) == ("Head of Year", "Year 1", True)
    renamed = cli("person", "edit", "Pat Edit", "--name", "Patricia Edit")
    assert renamed.code == 0
    assert "Patricia Edit" in rows(cli) and "Pat Edit" not in rows(cli)
    assert cli("person", "edit", "Patricia Edit").code == 2
    unchanged = cli("person", "edit", "Patricia Edit", "--role", "Head of Year")
    assert unchanged.code == 0 and "nothing changed" in unchanged.err


def test_edit_cannot_take_another_persons_name(cli, store):
    cli("person", "add", "One Person", "--role", "Teacher")
    result = cli("person", "edit", "One Person", "--name", USER.upper())
    assert result.code == 1 and "already recorded" in result.err


def test_leave_keeps_the_person_but_hides_them_from_the_default_list(cli, store):
    cli("person", "add", "Leaving Person", "--role", "Teacher", "--start", "2020-09-01")
    assert cli("person", "leave", "Leaving Person", "--date", "2026-07-31").code == 0
    assert "Leaving Person" not in rows(cli)
    row = rows(cli, "--all")["Leaving Person"]
    assert (row["status"], row["left_date"]) == ("left", "2026-07-31")
    again = cli("person", "leave", "Leaving Person", "--date", "2026-08-01")
    assert again.code == 1 and "already left" in again.err


def test_leaving_before_starting_is_refused(cli, store):
    cli("person", "add", "Early Leaver", "--role", "Teacher", "--start", "2026-09-01")
    result = cli("person", "leave", "Early Leaver", "--date", "2026-08-01")
    assert result.code == 2 and "before the start date" in result.err
    assert rows(cli)["Early Leaver"]["left_date"] is None


def test_empty_list_says_how_to_add_people_and_json_is_an_array(cli, store):
    cli("person", "leave", USER, "--date", "2026-01-01")
    result = cli("person", "list")
    assert result.out == "" and "person add" in result.err
    assert json.loads(cli("person", "list", "--json").out) == []


def test_huge_role_text_is_refused_not_truncated(cli, store):
    result = cli("person", "add", "Long Role", "--role", "r" * 10_000)
    assert result.code == 2 and "longer than" in result.err


@pytest.mark.parametrize("name", [
    "Siân Ffion ap Gwilym",          # Welsh
    "Zażółć Gęślą-Jaźń",             # Polish
    "محمد علی\u200cخان",              # Urdu, with the zero-width non-joiner its spelling needs
    "Jo Parent 👩\u200d👧",           # an emoji sequence joined by ZWJ
])
def test_names_in_any_script_are_kept_exactly(cli, store, name):
    assert cli("person", "add", name, "--role", "Teacher").code == 0
    shown = json.loads(cli("person", "show", name, "--json").out)
    assert shown["name"] == name
