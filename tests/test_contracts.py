"""Supervision contracts: made from flags, answers files or prompts; one in force per supervisee
and kind; reviews supersede and keep the old; ending; never a prompt without a terminal."""

import json

import pytest

from supervise.cli import prompts
from supervise.store.db import sqlcipher as sqlite
from supervise.store.db.opening import unlock_store
from tests.clock import TODAY, product_now, years_after
from tests.helpers import PASSPHRASE, ScriptedPrompter

ONE_QUESTION = """\
id = "ms-contract"
kind = "contract"
title = "Short contract"
version = 1

[[sections]]
id = "expectations"
title = "What do we expect of each other?"
type = "note"
required = true

[[sections]]
id = "venue_ok"
title = "Is the room private?"
type = "yesno"
"""


@pytest.fixture
def people(cli, store):
    for args in (["Alex Morgan", "--role", "Head of Safeguarding", "--supervisor"],
                 ["Sam Taylor", "--role", "Deputy DSL"],
                 ["Tom Okafor", "--role", "Class Teacher"]):
        assert cli("person", "add", *args).code == 0
    return store


@pytest.fixture
def short_template(tmp_path, monkeypatch):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "short.toml").write_text(ONE_QUESTION)
    monkeypatch.setenv("SUPERVISE_TEMPLATES", str(folder))
    return folder


def new(cli, *extra, supervisee="Sam Taylor"):
    return cli("contract", "new", "--supervisee", supervisee, "--supervisor", "Alex Morgan",
               *extra)


def shown(cli, contract_id):
    result = cli("contract", "show", str(contract_id), "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def listed(cli, *args):
    return json.loads(cli("contract", "list", "--json", *args).out)


def test_a_contract_from_flags_takes_the_policys_defaults(cli, people):
    result = new(cli)
    assert result.code == 0, result.err
    assert result.out.strip() == "1"
    contract = shown(cli, 1)
    assert contract["kind"] == "safeguarding" and contract["frequency"] == "4w"
    assert contract["start"] == TODAY.isoformat()
    assert contract["review"] == years_after(TODAY, 1).isoformat()  # 29 Feb: the 28th
    assert contract["status"] == "in force" and contract["template"] == "ms-contract"
    assert contract["policy_version"] == 1 and contract["signed"] is False
    answers = {a["id"]: a["answer"] for a in contract["answers"]}
    assert "The supervisor will meet" in answers["supervisor_responsibilities"]  # standard wording
    assert len(contract["digest"]) == 64


def test_a_second_contract_in_force_of_the_same_kind_is_refused(cli, people):
    assert new(cli).code == 0
    refused = new(cli, "--frequency", "1m")
    assert refused.code == 1
    assert ("Sam Taylor already has a safeguarding contract in force (contract 1" in refused.err
            and "supervise contract review 1" in refused.err)
    assert len(listed(cli, "--all")) == 1
    assert new(cli, "--kind", "external").code == 0  # another kind is another relationship


def test_a_review_supersedes_the_old_contract_and_keeps_it_readable(cli, people):
    assert new(cli, "--venue", "Room 4").code == 0
    before = shown(cli, 1)
    result = cli("contract", "review", "1", "--frequency", "monthly")
    assert result.code == 0, result.err
    old, current = shown(cli, 1), shown(cli, 2)
    assert old["status"] == "superseded" and old["superseded_by"] == 2
    assert old["answers"] == before["answers"] and old["digest"] == before["digest"]
    assert old["frequency"] == "4w"
    assert current["supersedes"] == 1 and current["frequency"] == "1m"
    assert current["venue"] == "Room 4" and current["answers"] == before["answers"]
    assert [c["id"] for c in listed(cli)] == [2]
    assert [c["id"] for c in listed(cli, "--all")] == [1, 2]
    again = cli("contract", "review", "1")
    assert again.code == 1  # only the one in force is reviewed
    assert "Contract 1 is superseded by contract 2: review contract 2" in again.err
    assert [c["id"] for c in listed(cli, "--all")] == [1, 2]


def test_ending_a_contract_keeps_it_and_frees_the_kind(cli, people):
    assert new(cli).code == 0
    no_reason = cli("contract", "end", "1")
    assert no_reason.code == 2 and "--reason" in no_reason.err
    assert cli("contract", "end", "1", "--reason", "Moved to another school").code == 0
    ended = shown(cli, 1)
    assert ended["status"] == "ended" and ended["end_reason"] == "Moved to another school"
    twice = cli("contract", "end", "1", "--reason", "again")
    assert twice.code == 1 and "already ended" in twice.err
    assert new(cli).code == 0


@pytest.mark.parametrize(("on", "fragment"), [("2000-01-01", "cannot end before"),
                                              ("2999-01-01", "in the future"),
                                              ("2026-02-30", "not a real date")])
def test_a_contract_cannot_end_on_an_impossible_day(cli, people, on, fragment):
    assert new(cli).code == 0
    result = cli("contract", "end", "1", "--reason", "x", "--date", on)
    assert result.code == 2 and fragment in result.err
    assert shown(cli, 1)["status"] == "in force"


@pytest.mark.parametrize(("args", "code", "fragment"), [
    (["--supervisee", "Sam Tailor", "--supervisor", "Alex Morgan"], 1,
     "No person named 'Sam Tailor'. Did you mean: Sam Taylor?"),
    (["--supervisee", "Sam Taylor", "--supervisor", "Tom Okafor"], 2,
     "Tom Okafor is not marked as a supervisor"),
    (["--supervisee", "Alex Morgan", "--supervisor", "Alex Morgan"], 2,
     "cannot supervise themselves"),
    (["--supervisee", "Sam Taylor", "--supervisor", "Alex Morgan", "--frequency", "5w"], 2,
     "Use one of: 1w, 2w, 4w, 6w, 1m, 2m, 3m, 6m, 12m, termly"),
    (["--supervisee", "Sam Taylor", "--supervisor", "Alex Morgan", "--kind", "eyfs"], 2,
     "Unknown contract kind 'eyfs'"),
    (["--supervisee", "Sam Taylor", "--supervisor", "Alex Morgan", "--start", "2026-13-01"],
     2, "not a real date"),
    (["--supervisee", "Sam Taylor", "--supervisor", "Alex Morgan", "--start", "2026-11-01",
      "--review-date", "2026-10-01"], 2, "is not after the start"),
    (["--supervisee", "Sam Taylor", "--supervisor", "Alex Morgan", "--template",
      "dsl-agenda"], 2, "dsl-agenda is a session template"),
    (["--supervisee", "Sam Taylor", "--supervisor", "Alex Morgan", "--answer", "nope=1"], 2,
     "ms-contract has no question 'nope'"),
    (["--supervisor", "Alex Morgan"], 2, "No terminal to ask on: give --supervisee NAME."),
])
def test_bad_input_is_refused_clearly_and_stores_nothing(cli, people, args, code, fragment):
    result = cli("contract", "new", *args)
    assert result.code == code, result.err
    assert fragment in result.err and result.err.count("\n") == 1
    assert listed(cli, "--all") == []


def test_a_bad_answers_file_is_refused_whole_with_every_problem(cli, people, tmp_path):
    path = tmp_path / "contract.toml"
    path.write_text('supervisee = "Sam Taylor"\nsupervisor = "Alex Morgan"\n'
                    'frequency = "every blue moon"\nstart = "2026-02-31"\ncolour = "red"\n'
                    '[answers]\npurpose = 7\nmystery = "x"\n')
    result = cli("contract", "new", "--answers", str(path))
    assert result.code == 2
    for fragment in ("5 problems", "nothing was stored", "frequency: Unknown frequency",
                     "start: ", "not a real date",
                     "colour: unknown key", "answers.purpose: must be text",
                     "answers.mystery: ms-contract has no question"):
        assert fragment in result.err, result.err
    assert listed(cli, "--all") == []


def test_a_json_answers_file_and_awkward_text_are_kept_exactly(cli, people, tmp_path):
    awkward = ("Pasted from Word:\x0bnext line. Cymraeg: ŵ ŷ. Polski: Zażółć gęślą jaźń. "
               "اردو میں نوٹ. 🙂 " + "x" * 20_000)
    path = tmp_path / "contract.json"
    path.write_text(json.dumps({"supervisee": "Sam Taylor", "supervisor": "Alex Morgan",
                                "answers": {"purpose": awkward}}), encoding="utf-8")
    result = cli("contract", "new", "--answers", str(path))
    assert result.code == 0, result.err
    answers = {a["id"]: a["answer"] for a in shown(cli, 1)["answers"]}
    assert answers["purpose"] == awkward


def test_flags_override_the_answers_file(cli, people, tmp_path):
    path = tmp_path / "contract.toml"
    path.write_text('supervisee = "Tom Okafor"\nsupervisor = "Alex Morgan"\nfrequency = "2w"\n')
    assert cli("contract", "new", "--answers", str(path), "--supervisee", "Sam Taylor").code == 0
    contract = shown(cli, 1)
    assert (contract["supervisee"], contract["frequency"]) == ("Sam Taylor", "2w")


def test_a_required_answer_with_no_terminal_names_the_flag_and_stores_nothing(
        cli, people, short_template):
    result = new(cli)
    assert result.code == 2
    assert "answers.expectations: is required" in result.err
    assert "--answer expectations=" in result.err
    assert listed(cli, "--all") == []


def test_on_a_terminal_contract_new_asks_for_what_is_missing(cli, people, short_template):
    script = ScriptedPrompter(
        ("Supervisee", "sam taylor"),
        ("Supervisor", "Alex Morgan"),
        ("Agreed on", "31/02/2026"),                # not a date: asked again
        ("Agreed on", TODAY.isoformat()),
        ("Venue", "Meeting room 2, \x1b[31mEast wing"),  # a control character: asked again
        ("Venue", "Meeting room 2, East wing"),
        ("What do we expect", "   "),            # blank: required, so asked again
        ("What do we expect", "To come prepared\nand be honest"),
        ("Is the room private", True),
    )
    with prompts.use(script):
        result = cli("contract", "new")
    assert result.code == 0, result.err
    assert script.finished()
    assert "This one is required" in result.err
    contract = shown(cli, 1)
    assert contract["supervisee"] == "Sam Taylor"
    assert (contract["start"], contract["venue"]) == (TODAY.isoformat(),
                                                      "Meeting room 2, East wing")
    assert [a["answer"] for a in contract["answers"]] == ["To come prepared\nand be honest", True]


def test_a_contract_review_on_a_terminal_offers_the_old_answers(cli, people, short_template):
    assert new(cli, "--answer", "expectations=Be on time", "--answer", "venue_ok=yes").code == 0
    script = ScriptedPrompter(("Is the room private", False))  # walked again, old as default
    with prompts.use(script):
        assert cli("contract", "review", "1", "--answer", "expectations=Be early").code == 0
    assert script.finished()
    answers = [a["answer"] for a in shown(cli, 2)["answers"]]
    assert answers == ["Be early", False]
    assert [a["answer"] for a in shown(cli, 1)["answers"]] == ["Be on time", True]


def test_the_database_refuses_to_change_a_contract(cli, people):
    assert new(cli).code == 0
    opened = unlock_store(people, passphrase=lambda: PASSPHRASE, user=None,
                          now=product_now())
    opened.close()
    conn = sqlite.connect(people, opened.db_key)
    try:
        for statement in ("UPDATE contract SET frequency = '12m'", "DELETE FROM contract",
                          "UPDATE template_snapshot SET text = ''"):
            with pytest.raises(Exception, match="append-only"):
                conn.execute(statement)
    finally:
        conn.close()


def test_contract_list_filters_by_supervisee(cli, people):
    assert new(cli).code == 0
    assert new(cli, supervisee="Tom Okafor").code == 0
    rows = listed(cli, "--supervisee", "tom okafor")
    assert [r["supervisee"] for r in rows] == ["Tom Okafor"]
    table = cli("contract", "list")
    assert "Sam Taylor" in table.out and "Tom Okafor" in table.out
    missing = cli("contract", "show", "99")
    assert missing.code == 1 and "No contract 99" in missing.err


def test_a_review_from_a_later_date_leaves_the_old_contract_in_force_until_then(cli, people):
    assert new(cli, "--start", "2026-01-05").code == 0
    later = years_after(TODAY, 1).isoformat()
    assert cli("contract", "review", "1", "--date", later).code == 0
    old, upcoming = shown(cli, 1), shown(cli, 2)
    assert old["status"] in ("in force", "review due") and old["superseded_by"] == 2
    assert upcoming["status"] == "not yet in force"
    assert [c["id"] for c in listed(cli)] == [1, 2]  # both show until the review starts


def test_a_contract_not_yet_in_force_can_be_withdrawn(cli, people):
    later = years_after(TODAY, 1).isoformat()
    assert new(cli, "--start", later).code == 0
    refused = new(cli)
    assert refused.code == 1 and "already has a safeguarding contract agreed" in refused.err
    assert cli("contract", "end", "1", "--reason", "Supervisor changed").code == 0
    assert shown(cli, 1)["status"] == "withdrawn"
    assert listed(cli) == []
    assert new(cli).code == 0


@pytest.mark.parametrize(("content", "suffix", "fragment"), [
    ('supervisee = "Sam Taylor"\nstart = 2026-11-01T10:00:00\n', ".toml",
     "start: must be a date alone"),
    ("[" * 100_000 + "]" * 100_000, ".json", "nested too deeply"),
    ('{"supervisee": ', ".json", "not valid JSON: line 1"),
    ('supervisee = "Sam Taylor"\n[answers]\npurpose = """unclosed\n', ".toml",
     "not valid TOML: line"),
])
def test_malformed_answers_files_get_a_clear_error(cli, people, tmp_path, content, suffix,
                                                   fragment):
    path = tmp_path / f"answers{suffix}"
    path.write_text(content)
    result = cli("contract", "new", "--answers", str(path), "--supervisor", "Alex Morgan")
    assert result.code == 2 and fragment in result.err, result.err
    assert "Unexpected" not in result.err
    assert listed(cli, "--all") == []


def test_an_answers_file_saved_with_a_byte_order_mark_is_read(cli, people, tmp_path):
    path = tmp_path / "notepad.toml"
    path.write_bytes('supervisee = "Sam Taylor"\nsupervisor = "Alex Morgan"\n'
                     .encode("utf-8-sig"))
    result = cli("contract", "new", "--answers", str(path))
    assert result.code == 0, result.err
    contract = shown(cli, int(result.out))
    assert (contract["supervisee"], contract["supervisor"]) == ("Sam Taylor", "Alex Morgan")


def test_without_a_terminal_the_standard_wording_used_is_named(cli, people):
    result = new(cli)
    assert "Used the standard (or previous) wording for: " in result.err
    assert "confidentiality" in result.err


def test_stored_text_is_kept_exactly_but_printed_harmlessly(cli, people):
    hostile = "Cleared\x1b[2J\x07 and \u202eevil"
    assert new(cli, "--answer", f"purpose={hostile}").code == 0
    text = cli("contract", "show", "1").out
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "Cleared[U+001B][2J[U+0007] and [U+202E]evil" in text
    raw = cli("contract", "show", "1", "--json").out
    assert "\x1b" not in raw and "\\u001b" in raw
    answers = {a["id"]: a["answer"] for a in json.loads(raw)["answers"]}
    assert answers["purpose"] == hostile


def test_an_absurd_contract_number_is_simply_not_found(cli, people):
    result = cli("contract", "show", "9" * 30)
    assert result.code == 1 and "No contract" in result.err
