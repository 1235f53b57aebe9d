"""Retention (SPEC §3, §6): the rules, the report, legal holds and the purge, on real stores."""

import json
from datetime import date

import pytest

from supervise.domain.policy.retention import (
    DESTROY,
    DUE_SOON,
    HELD,
    KEPT,
    RETAINED,
    REVIEW,
    ChildFacts,
    Hold,
    RetentionRules,
    Supervisee,
    Unit,
    evaluate,
    years_after,
)
from tests.clock import product_now
from tests.helpers import USER
from tests.signed_records import record_session

RULES = RetentionRules()
TODAY = date(2026, 11, 22)
LEFT_LONG_AGO = Supervisee("Sam Taylor", date(2012, 1, 31))


def child(dob, statuses=("none",), id_=1, name="Ada Okafor"):
    return ChildFacts(id_, name, dob, frozenset(statuses))


def session_unit(*, supervisees=(LEFT_LONG_AGO,), children=(), needs=(), id_=1, people=(2,)):
    return Unit("session", id_, date(2010, 3, 1), "Sam Taylor", tuple(supervisees),
                frozenset(people), tuple(children), tuple(needs))


def status_of(units, holds=(), today=TODAY, rules=RULES):
    return {(r.unit.record_type, r.unit.record_id): (r.status, r.keep_until, r.reason)
            for r in evaluate(list(units), list(holds), rules, today)}


# The rules, pure -------------------------------------------------------------------------------

def test_supervision_records_run_six_years_from_leaving_and_never_while_employed():
    found = status_of([session_unit()])
    assert found[("session", 1)][:2] == (DESTROY, date(2018, 1, 31))
    day_before = status_of([session_unit()], today=date(2018, 1, 30))
    assert day_before[("session", 1)][0] == DUE_SOON
    employed = status_of([session_unit(supervisees=(Supervisee("Sam Taylor", None),))])
    assert employed[("session", 1)][0] == RETAINED
    assert "while Sam Taylor is employed" in employed[("session", 1)][2]


def test_a_group_session_waits_for_the_last_supervisee_to_leave():
    later = Supervisee("Jo Bloggs", date(2022, 8, 31))
    found = status_of([session_unit(supervisees=(LEFT_LONG_AGO, later))])
    assert found[("session", 1)][:2] == (RETAINED, date(2028, 8, 31))


def test_case_discussions_keep_the_session_to_the_childs_25th_birthday():
    found = status_of([session_unit(children=[child(date(2005, 6, 1))])])
    assert found[("session", 1)][:2] == (RETAINED, date(2030, 6, 1))
    grown_up = status_of([session_unit(children=[child(date(1990, 6, 1))])])
    assert grown_up[("session", 1)][:2] == (DESTROY, date(2018, 1, 31))


def test_the_long_term_category_keeps_75_years_from_birth():
    cared_for = child(date(1990, 6, 1), statuses=("none", "looked-after"))
    found = status_of([session_unit(children=[cared_for])])
    assert found[("session", 1)][:2] == (RETAINED, date(2065, 6, 1))
    longer = RetentionRules(long_term_statuses=("looked-after", "child-protection"))
    protected = child(date(1990, 6, 1), statuses=("child-protection",))
    assert status_of([session_unit(children=[protected])], rules=longer)[("session", 1)][1] \
        == date(2065, 6, 1)


def test_a_leap_day_birthday_ends_on_1_march_never_a_day_early():
    assert years_after(date(2004, 2, 29), 25) == date(2029, 3, 1)
    assert years_after(date(2004, 2, 29), 24) == date(2028, 2, 29)


def test_a_child_without_a_date_of_birth_is_for_review_by_hand():
    found = status_of([session_unit(children=[child(None)])])
    status, _, reason = found[("session", 1)]
    assert status == REVIEW and "Ada Okafor has no date of birth" in reason


def test_holds_cover_their_child_person_or_the_whole_store():
    unit = session_unit(children=[child(date(1990, 6, 1), id_=7)], people=(2, 1))
    on_child = Hold(1, "child", 7, "Ada Okafor", "CSPR 2026/14", USER, "2026-11-01T10:00:00Z")
    on_person = Hold(2, "person", 1, USER, "LADO referral", USER, "2026-11-01T10:00:00Z")
    on_store = Hold(3, "store", None, "the whole store", "Inquiry", USER, "2026-11-01")
    other_child = Hold(4, "child", 8, "Someone Else", "Other review", USER, "2026-11-01")
    for hold in (on_child, on_person, on_store):
        status, _, reason = status_of([unit], [hold])[("session", 1)]
        assert status == HELD and hold.reason in reason and hold.subject in reason
    assert status_of([unit], [other_child])[("session", 1)][0] == DESTROY


def test_a_record_that_a_kept_record_needs_is_kept_too():
    contract = Unit("contract", 3, date(2009, 1, 1), "Sam Taylor", (LEFT_LONG_AGO,),
                    frozenset({2}))
    raised = session_unit(id_=1)
    reviewer = session_unit(id_=2, children=[child(date(2005, 6, 1))],
                            needs=[("contract", 3), ("session", 1)])
    found = status_of([contract, raised, reviewer])
    assert found[("session", 2)][0] == RETAINED
    assert found[("session", 1)][0] == KEPT and "needed by session 2" in found[("session", 1)][2]
    assert found[("contract", 3)][0] == KEPT


# On a real store ------------------------------------------------------------------------------

@pytest.fixture
def old_records(cli, template_stores, tmp_path):
    """Sam Taylor left in 2012: a signed contract, a signed session, a cancellation, and a
    signed session discussing two children now in their thirties. Jo Current is still here."""
    cli.store = tmp_path / "trust" / "store.db"
    return template_stores.copy("old-records", build_old_records, tmp_path)


def build_old_records(cli, tmp_path) -> dict[str, int]:
    from tests.oversight_trust import LEAD, Trust

    trust = Trust(tmp_path / "trust", setup=date(2008, 8, 1))
    trust.person("Sam Taylor", start=date(2008, 9, 1))
    trust.person("Jo Current", start=date(2008, 9, 1))
    ids = {"contract": trust.contract("Sam Taylor", start=date(2009, 1, 5)),
           "plain": trust.session(date(2010, 3, 1), "Sam Taylor"),
           "current": trust.session(date(2010, 3, 2), "Jo Current")}
    trust.cancel(date(2010, 4, 1), "Sam Taylor", rebooked=date(2010, 4, 8))
    trust.close()
    cli.store = trust.path
    ids["case"] = int(record_session(cli, tmp_path, held=date(2011, 5, 10), supervisor=LEAD,
                                     born=("1990-02-02", "1992-05-05")))
    assert cli("session", "sign", str(ids["case"]), "--as", LEAD).code == 0
    typed = cli("session", "sign", str(ids["case"]), "--as", "Sam Taylor", "--typed",
                "--typed-name", "Sam Taylor")
    assert typed.code == 0, typed.err
    assert cli("person", "leave", "Sam Taylor", "--date", "2012-01-31").code == 0
    return ids


def report(cli, *args):
    result = cli("retention", "report", "--json", *args)
    assert result.code == 0, result.err
    return {row["record"]: row for row in json.loads(result.out)}


def test_the_report_lists_what_is_due_and_why(cli, old_records):
    rows = report(cli)
    case = rows[f"session {old_records['case']}"]
    assert case["status"] == "destroy" and case["keep_until"] == "2018-01-31"
    assert case["rule"] == "supervision record: 6 years after leaving"
    assert rows[f"contract {old_records['contract']}"]["status"] == "destroy"
    assert rows["child 1"]["rule"] == "child's file: to the 25th birthday"
    assert rows["child 1"]["keep_until"] == "2015-02-02"
    assert f"session {old_records['current']}" not in rows  # Jo Current is still employed
    everything = report(cli, "--all")
    assert everything[f"session {old_records['current']}"]["status"] == "retained"
    assert set(next(iter(everything.values()))) == {
        "record", "record_type", "record_id", "date", "about", "rule", "keep_until", "status",
        "reason"}
    before = report(cli, "--as-of", "2015-01-01")
    assert f"session {old_records['case']}" not in before  # in 2015 Sam had left 3 years


def test_purge_with_a_hold_on_a_child_keeps_that_childs_records_and_says_why(cli, old_records):
    held = cli("retention", "hold", "--child", "ada okafor", "--reason", "CSPR 2026/14")
    assert held.code == 0, held.err
    case, contract = old_records["case"], old_records["contract"]
    result = cli("retention", "purge", "--yes")
    assert result.code == 0, result.err
    assert f"Kept: session {case} (Sam Taylor) is under hold 1 on Ada Okafor (CSPR 2026/14)" \
        in " ".join(result.err.split())
    assert cli("session", "show", str(case)).code == 0
    assert "Ada Okafor" in cli("child", "list").out
    assert cli("contract", "show", str(contract)).code == 0  # the held session needs it
    assert cli("session", "show", str(old_records["plain"])).code == 1  # not held: destroyed
    assert cli("audit", "verify").code == 0
    rows = report(cli)
    assert rows[f"session {case}"]["status"] == "held"
    assert rows[f"contract {contract}"]["status"] == "kept"
    assert "needed by session" in rows[f"contract {contract}"]["reason"]


def test_purge_without_the_hold_destroys_and_audit_verify_still_passes(cli, old_records):
    assert cli("retention", "hold", "--child", "Ada Okafor", "--reason", "CSPR 2026/14").code == 0
    released = cli("retention", "release", "1", "--reason", "Review published")
    assert released.code == 0, released.err
    assert cli("retention", "release", "1", "--reason", "again").code == 2
    listed = json.loads(cli("retention", "holds", "--all", "--json").out)
    assert listed[0]["released_by"] and listed[0]["release_reason"] == "Review published"
    assert json.loads(cli("retention", "holds", "--json").out) == []
    result = cli("retention", "purge", "--yes")
    assert result.code == 0, result.err
    case = old_records["case"]
    for gone in (("session", "show", str(case)), ("session", "show", str(old_records["plain"])),
                 ("contract", "show", str(old_records["contract"]))):
        assert cli(*gone).code == 1
    assert cli("session", "show", str(old_records["current"])).code == 0
    assert "Ada Okafor" not in cli("child", "list", "--json").out
    assert "Ada Okafor" not in cli("decision", "list", "--json").out
    verified = cli("audit", "verify")
    assert verified.code == 0, verified.out + verified.err
    events = json.loads(cli("audit", "log", "--record", f"session:{case}", "--json").out)
    destroyed = events[-1]
    assert destroyed["action"] == "session.destroyed"
    assert destroyed["detail"]["rule"] == "supervision record: 6 years after leaving"
    assert destroyed["detail"]["signatures"] and destroyed["detail"]["decisions"]
    trail = cli("audit", "log", "--json").out
    for content in ("Referral made", "Missed two health", "strategy discussion",
                    "Call the school nurse"):
        assert content not in trail
    summary = next(e for e in json.loads(trail) if e["action"] == "retention.purge")
    assert summary["detail"]["destroyed"]["session"] == 2
    assert cli("retention", "purge", "--yes").err.strip() == "Nothing is due for destruction."
    assert cli("doctor").code == 0


def test_purge_asks_first_and_without_a_terminal_needs_yes(cli, old_records):
    refused = cli("retention", "purge")
    assert refused.code != 0 and "--yes" in refused.err
    assert cli("session", "show", str(old_records["plain"])).code == 0


def test_a_hold_on_a_person_or_the_whole_store_keeps_everything_it_covers(cli, old_records):
    assert cli("retention", "hold", "--person", "Sam Taylor", "--reason", "LADO 77").code == 0
    rows = report(cli)
    assert {r["status"] for r in rows.values() if r["record_type"] != "child"} == {"held"}
    assert cli("retention", "release", "1", "--reason", "closed").code == 0
    assert cli("retention", "hold", "--store-wide", "--reason", "Public inquiry").code == 0
    assert cli("retention", "purge", "--yes").code == 0
    assert cli("session", "show", str(old_records["plain"])).code == 0
    assert cli("retention", "hold", "--reason", "no subject").code == 2
    assert cli("retention", "hold", "--child", "Nobody Known", "--reason", "x").code == 1


def test_a_signed_session_cannot_be_deleted_outside_a_purge(cli, old_records):

    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from supervise.errors import SuperviseError
    from supervise.store.db.opening import unlock_store
    from tests.helpers import PASSPHRASE

    with unlock_store(cli.store, passphrase=lambda: PASSPHRASE, user=None,
                      now=product_now()) as store:
        with pytest.raises(SuperviseError) as refused, store.session() as session:
            session.connection().execute(text("DELETE FROM session_record WHERE id = :i"),
                                         {"i": old_records["case"]})
        assert "signed" in refused.value.message
        assert cli("retention", "hold", "--store-wide", "--reason", "Inquiry").code == 0
        with pytest.raises(DBAPIError) as refused, store.session() as session:
            session.connection().execute(text("DELETE FROM retention_hold"))
        assert "never deleted" in str(refused.value)


def test_purge_asks_and_a_no_destroys_nothing_a_yes_destroys(cli, old_records):
    from supervise.cli import prompts
    from tests.helpers import ScriptedPrompter

    with prompts.use(ScriptedPrompter(("Destroy these 6 records?", False))):
        declined = cli("retention", "purge")
    assert declined.code == 0 and "Nothing was destroyed." in declined.err
    assert cli("session", "show", str(old_records["plain"])).code == 0
    with prompts.use(ScriptedPrompter(("Destroy these 6 records?", True))):
        accepted = cli("retention", "purge")
    assert accepted.code == 0 and "Destroyed 6 records" in accepted.err
    assert cli("session", "show", str(old_records["plain"])).code == 1


def test_a_purged_sessions_signed_amendment_goes_with_it(cli, old_records):
    from tests.oversight_trust import LEAD

    case = str(old_records["case"])
    amended = cli("session", "amend", case, "--section", "matters_arising", "--text",
                  "Corrected", "--reason", "typo")
    assert amended.code == 0, amended.err
    signed = cli("session", "sign", case, "--amendment", "1", "--as", LEAD, "--yes")
    assert signed.code == 0, signed.err
    assert cli("retention", "purge", "--yes").code == 0
    verified = cli("audit", "verify")
    assert verified.code == 0, verified.out
    events = json.loads(cli("audit", "log", "--record", f"session:{case}", "--json").out)
    assert events[-1]["detail"]["amendments"] == [1]


def test_a_number_freed_by_a_purge_and_taken_again_is_another_record(cli, old_records, tmp_path):
    from tests.oversight_trust import LEAD

    assert cli("retention", "hold", "--child", "Ada Okafor", "--reason", "CSPR").code == 0
    assert cli("retention", "release", "1", "--reason", "done").code == 0
    assert cli("retention", "purge", "--yes").code == 0
    skeleton = tmp_path / "contract.toml"
    skeleton.write_text(cli("template", "skeleton", "ms-contract").out, encoding="utf-8")
    made = cli("contract", "new", "--supervisee", "Jo Current", "--supervisor", LEAD,
               "--answers", str(skeleton))
    assert made.code == 0, made.err
    assert int(made.out) == old_records["contract"]  # SQLite reuses the highest freed number
    assert cli("audit", "verify").code == 0
    assert cli("child", "add", "Zed Newchild", "--dob", "2015-01-01").code == 0
    holds = json.loads(cli("retention", "holds", "--all", "--json").out)
    assert holds[0]["subject"] == "(destroyed)"
