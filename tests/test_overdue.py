"""`supervise overdue` (SPEC §8) on fixed dates: when supervision is due, which sessions count,
each status and each flag, judged on real stores built through the store layer."""

import csv
import io
import json
from datetime import date

import pytest

from supervise.domain.oversight.overdue import (
    KEYS,
    ContractFacts,
    PersonFacts,
    overdue_rows,
    rows_for,
)
from supervise.domain.policy.frequency import parse_frequency
from supervise.store.catalog import shipped_policy
from supervise.store.db.writing import Stamp
from tests.oversight_trust import LEAD, Trust

MS = shipped_policy("minimum-standards")
SCHOOL = shipped_policy("school-trust")
LA = shipped_policy("local-authority")


def one(person: PersonFacts, policy, on: date):
    rows = rows_for(person, policy, on)
    assert len(rows) == 1, rows
    return rows[0]


def under_contract(frequency: str, last: date | None, *, start=date(2025, 1, 6),
                   **contract) -> PersonFacts:
    facts = ContractFacts(kind="safeguarding", supervisor=LEAD,
                          frequency=parse_frequency(frequency), start=start,
                          review=date(2030, 1, 1), signed=True, **contract)
    return PersonFacts(name="Sam Taylor", contracts=[facts],
                       last_by_kind={None: last} if last else {})


@pytest.mark.parametrize(("frequency", "last", "due"), [
    ("4w", date(2026, 1, 5), date(2026, 2, 2)),
    ("2w", date(2026, 12, 28), date(2027, 1, 11)),
    ("1m", date(2025, 1, 31), date(2025, 2, 28)),  # clamps to the month's end
    ("1m", date(2024, 1, 31), date(2024, 2, 29)),  # a leap year
    ("1m", date(2026, 3, 31), date(2026, 4, 30)),
    ("3m", date(2025, 11, 30), date(2026, 2, 28)),
    ("12m", date(2024, 2, 29), date(2025, 2, 28)),
    ("termly", date(2025, 11, 20), date(2026, 3, 31)),  # autumn → the end of spring
    ("termly", date(2025, 12, 31), date(2026, 3, 31)),
    ("termly", date(2026, 3, 15), date(2026, 8, 31)),  # spring → the end of summer
    ("termly", date(2026, 8, 31), date(2026, 12, 31)),  # summer → the end of autumn
])
def test_due_is_the_last_session_plus_the_frequency(frequency, last, due):
    assert one(under_contract(frequency, last), MS, last).due == due


@pytest.mark.parametrize(("on", "status", "days"), [
    (date(2026, 1, 25), "ok", 0),  # 8 days before
    (date(2026, 1, 26), "due-soon", 0),  # 7 days before
    (date(2026, 2, 2), "due-soon", 0),  # the due day itself is not overdue
    (date(2026, 2, 3), "overdue", 1),
    (date(2026, 3, 4), "overdue", 30),
])
def test_status_around_the_due_date(on, status, days):
    row = one(under_contract("4w", date(2026, 1, 5)), MS, on)
    assert (row.due, row.status, row.days_overdue) == (date(2026, 2, 2), status, days)


def test_never_supervised_is_due_from_the_contract_start():
    row = one(under_contract("1m", None, start=date(2026, 1, 31)), MS, date(2026, 3, 2))
    assert (row.last_session, row.due, row.status, row.days_overdue) == \
        (None, date(2026, 2, 28), "overdue", 2)


def test_termly_never_supervised_is_due_at_the_end_of_the_start_term_across_the_year():
    person = under_contract("termly", None, start=date(2025, 12, 10))
    assert one(person, SCHOOL, date(2025, 12, 24)).status == "due-soon"
    row = one(person, SCHOOL, date(2026, 1, 2))
    assert (row.due, row.status, row.days_overdue) == (date(2025, 12, 31), "overdue", 2)


def test_termly_follows_the_policy_term_dates():
    from dataclasses import replace

    from supervise.domain.policy.frequency import Term

    # A policy with Scottish-style terms: a term that runs over the new year.
    terms = (Term("autumn", (8, 15), (12, 20)), Term("spring", (1, 6), (4, 1)),
             Term("summer", (4, 15), (6, 30)))
    policy = replace(SCHOOL, terms=terms)
    row = one(under_contract("termly", date(2025, 11, 3)), policy, date(2025, 11, 3))
    assert row.due == date(2026, 4, 1)
    row = one(under_contract("termly", date(2026, 4, 10)), policy, date(2026, 4, 10))
    assert row.due == date(2026, 6, 30)  # in the Easter holidays: counts for the spring term
    row = one(under_contract("termly", None, start=date(2026, 4, 10)), policy, date(2026, 4, 10))
    assert row.due == date(2026, 6, 30)  # a contract starting then is due by the summer's end


def test_the_newly_qualified_schedule_moves_on_by_itself():
    """Local authority: weekly for 6 weeks from qualifying, fortnightly to 6 months, then
    monthly; each as-of date uses the step it falls in."""
    schedule = LA.newly_qualified
    qualified = date(2026, 1, 5)

    def at(on: date, last: date):
        return one(under_contract("1w", last, schedule=schedule, schedule_from=qualified),
                   LA, on)

    assert (at(date(2026, 1, 20), date(2026, 1, 19)).frequency, at(
        date(2026, 1, 20), date(2026, 1, 19)).due) == ("1w", date(2026, 1, 26))
    row = at(date(2026, 3, 1), date(2026, 2, 23))
    assert (row.frequency, row.due) == ("2w", date(2026, 3, 9))
    row = at(date(2026, 8, 1), date(2026, 7, 20))
    assert (row.frequency, row.due) == ("1m", date(2026, 8, 20))


def test_rows_are_sorted_most_overdue_first_and_ok_rows_need_all():
    people = [under_contract("1m", date(2026, 1, 10)), under_contract("1m", date(2025, 12, 1)),
              under_contract("1m", date(2026, 2, 25)), under_contract("1m", date(2026, 2, 1))]
    for number, person in enumerate(people):
        person.name = f"P{number}"
    rows = overdue_rows(people, MS, date(2026, 2, 27))
    assert [(r.supervisee, r.status, r.days_overdue) for r in rows] == [
        ("P1", "overdue", 57), ("P0", "overdue", 17), ("P3", "due-soon", 0), ("P2", "ok", 0)]
    assert [r.needs_attention for r in rows] == [True, True, True, False]


# --- on a real store -----------------------------------------------------------------------


@pytest.fixture
def trust(tmp_path):
    built = Trust(tmp_path)
    yield built
    built.close()


def row_of(trust: Trust, name: str, on: date):
    facts, policy = trust.facts(on)
    found = [r for r in overdue_rows(facts, policy, on) if r.supervisee == name]
    assert len(found) == 1, found
    return found[0]


def test_only_completed_sessions_that_count_set_the_last_session(trust):
    """Ad hoc sessions, cancelled meetings and drafts are not supervision held."""
    trust.person("Sam Taylor")
    trust.contract("Sam Taylor", frequency="1m", start=date(2025, 1, 6))
    trust.session(date(2025, 3, 3), "Sam Taylor")
    trust.session(date(2025, 4, 1), "Sam Taylor", kind="ad-hoc")
    trust.cancel(date(2025, 4, 3), "Sam Taylor", rebooked=date(2025, 4, 10))
    trust.draft(date(2025, 4, 10), "Sam Taylor")
    row = row_of(trust, "Sam Taylor", date(2025, 4, 11))
    assert (row.last_session, row.due, row.status, row.days_overdue) == \
        (date(2025, 3, 3), date(2025, 4, 3), "overdue", 8)
    assert "cancelled-not-rebooked" not in row.flags  # it was rebooked
    assert "record-incomplete" in row_of(trust, "Sam Taylor", date(2025, 4, 13)).flags
    trust.session(date(2025, 4, 14), "Sam Taylor")
    row = row_of(trust, "Sam Taylor", date(2025, 4, 15))
    assert (row.last_session, row.due, row.status) == (date(2025, 4, 14), date(2025, 5, 14),
                                                         "ok")
    # As of a day before it, the later session was not yet held.
    assert row_of(trust, "Sam Taylor", date(2025, 4, 13)).last_session == date(2025, 3, 3)


@pytest.mark.parametrize(("profile", "counted"), [("minimum-standards", False),
                                                  ("school-trust", True)])
def test_group_sessions_count_only_where_the_policy_says(tmp_path, profile, counted):
    trust = Trust(tmp_path, policy=profile)
    try:
        for name in ("Sam Taylor", "Kim Lowe"):
            trust.person(name)
            trust.contract(name, frequency="1m", start=date(2025, 1, 6))
        trust.session(date(2025, 2, 3), "Sam Taylor")
        trust.session(date(2025, 3, 3), "Sam Taylor", "Kim Lowe", kind="group")
        sam = row_of(trust, "Sam Taylor", date(2025, 3, 20))
        kim = row_of(trust, "Kim Lowe", date(2025, 3, 20))
    finally:
        trust.close()
    if counted:
        assert (sam.last_session, sam.status) == (date(2025, 3, 3), "ok")
        assert (kim.last_session, kim.status) == (date(2025, 3, 3), "ok")
    else:
        assert (sam.last_session, sam.status, sam.days_overdue) == \
            (date(2025, 2, 3), "overdue", 17)
        assert (kim.last_session, kim.due, kim.status) == (None, date(2025, 2, 6), "overdue")


def test_ad_hoc_counts_nowhere_in_the_shipped_policies():
    from supervise.domain.oversight.overdue import counting_kinds

    for profile in ("minimum-standards", "nhs-icb", "local-authority", "school-trust"):
        assert "ad-hoc" not in counting_kinds(shipped_policy(profile))
    assert counting_kinds(SCHOOL) == ("one-to-one", "group", "external")


def test_no_contract_and_never_supervised(trust):
    trust.person("Ola Nowak", start=date(2024, 9, 1))
    trust.person("Gov Ernor", requires=False)
    trust.person("Leaver Lee")
    with trust.store.session() as session:
        from supervise.store.records.people import find_person, leave_person

        leave_person(Stamp(session, trust_moment(), LEAD), find_person(session, "Leaver Lee"),
                     left=date(2025, 1, 31))
    facts, policy = trust.facts(date(2025, 3, 1))
    rows = {r.supervisee: r for r in overdue_rows(facts, policy, date(2025, 3, 1))}
    assert "Gov Ernor" not in rows and "Leaver Lee" not in rows
    ola = rows["Ola Nowak"]
    # Due the policy's 4 weeks after she started (she was added to the register before).
    assert (ola.supervisor, ola.frequency, ola.last_session, ola.due, ola.status) == \
        (None, "4w", None, date(2024, 9, 29), "overdue")
    assert ola.flags == ("no-contract",)


def trust_moment():
    from tests.oversight_trust import at

    return at(date(2025, 2, 1))


def test_contract_unsigned_follows_the_policy_signing_point(tmp_path):
    """Minimum standards: signed before the first session, so flagged at once. School trust:
    by the end of the third session, so flagged from the third on."""
    ms = Trust(tmp_path / "ms")
    try:
        ms.person("Sam Taylor")
        ms.contract("Sam Taylor", start=date(2025, 1, 6), signed=False)
        assert "contract-unsigned" in row_of(ms, "Sam Taylor", date(2025, 1, 7)).flags
    finally:
        ms.close()
    school = Trust(tmp_path / "school", policy="school-trust")
    try:
        school.person("Sam Taylor")
        contract = school.contract("Sam Taylor", frequency="1m", start=date(2025, 1, 6),
                                   signed=False)
        for month in (2, 3):
            school.session(date(2025, month, 3), "Sam Taylor", template="dsl-agenda")
        assert "contract-unsigned" not in row_of(school, "Sam Taylor", date(2025, 3, 4)).flags
        school.session(date(2025, 4, 3), "Sam Taylor", template="dsl-agenda")
        assert "contract-unsigned" in row_of(school, "Sam Taylor", date(2025, 4, 4)).flags
        school.sign_contract(contract, date(2025, 4, 5))
        assert "contract-unsigned" not in row_of(school, "Sam Taylor", date(2025, 4, 6)).flags
        # As of before the signature, it was unsigned.
        assert "contract-unsigned" in row_of(school, "Sam Taylor", date(2025, 4, 4)).flags
    finally:
        school.close()


def test_contract_review_due_a_week_ahead(trust):
    trust.person("Sam Taylor")
    trust.contract("Sam Taylor", start=date(2025, 1, 6), review=date(2025, 6, 30))
    trust.session(date(2025, 6, 2), "Sam Taylor")
    assert "contract-review-due" not in row_of(trust, "Sam Taylor", date(2025, 6, 22)).flags
    assert "contract-review-due" in row_of(trust, "Sam Taylor", date(2025, 6, 23)).flags


def test_actions_overdue_only_when_open_and_past_due(trust):
    from supervise.store.db.tables import ActionItem
    from supervise.store.records.sessions import review_action

    trust.person("Sam Taylor")
    trust.contract("Sam Taylor", start=date(2025, 1, 6))
    trust.session(date(2025, 2, 3), "Sam Taylor", action_due=date(2025, 2, 20))
    assert "actions-overdue" not in row_of(trust, "Sam Taylor", date(2025, 2, 20)).flags
    assert "actions-overdue" in row_of(trust, "Sam Taylor", date(2025, 2, 21)).flags
    with trust.store.session() as session:
        action = session.exec(__import__("sqlmodel").select(ActionItem)).one()
        review_action(Stamp(session, trust_moment(), LEAD), action, outcome="done", note="")
    assert "actions-overdue" not in row_of(trust, "Sam Taylor", date(2025, 2, 21)).flags


def test_record_incomplete_is_a_draft_older_than_two_days(trust):
    trust.person("Sam Taylor")
    trust.contract("Sam Taylor", start=date(2025, 1, 6))
    trust.session(date(2025, 1, 20), "Sam Taylor")
    trust.draft(date(2025, 2, 3), "Sam Taylor")
    assert "record-incomplete" not in row_of(trust, "Sam Taylor", date(2025, 2, 5)).flags
    assert "record-incomplete" in row_of(trust, "Sam Taylor", date(2025, 2, 6)).flags
    # Drafts do not count as held: the last session is still January's.
    assert row_of(trust, "Sam Taylor", date(2025, 2, 6)).last_session == date(2025, 1, 20)


def test_record_unsigned_seven_days_after_it_was_held(trust):
    trust.person("Sam Taylor")
    trust.contract("Sam Taylor", start=date(2025, 1, 6))
    trust.session(date(2025, 2, 3), "Sam Taylor", signed=False)
    assert "record-unsigned" not in row_of(trust, "Sam Taylor", date(2025, 2, 10)).flags
    assert "record-unsigned" in row_of(trust, "Sam Taylor", date(2025, 2, 11)).flags
    trust.session(date(2025, 3, 3), "Sam Taylor")  # signed: the February one still is not
    assert "record-unsigned" in row_of(trust, "Sam Taylor", date(2025, 3, 4)).flags


def test_a_cancelled_meeting_not_rebooked_until_a_session_is_held(trust):
    trust.person("Sam Taylor")
    trust.contract("Sam Taylor", start=date(2025, 1, 6))
    trust.session(date(2025, 2, 3), "Sam Taylor")
    trust.cancel(date(2025, 3, 3), "Sam Taylor", by="supervisor")
    assert "cancelled-not-rebooked" not in row_of(trust, "Sam Taylor", date(2025, 3, 2)).flags
    row = row_of(trust, "Sam Taylor", date(2025, 3, 4))
    assert "cancelled-not-rebooked" in row.flags and row.last_session == date(2025, 2, 3)
    trust.session(date(2025, 3, 17), "Sam Taylor")
    assert "cancelled-not-rebooked" not in row_of(trust, "Sam Taylor", date(2025, 3, 18)).flags


def test_supervisor_training_due_six_months_from_becoming_one(trust):
    trust.person("New Sup", supervisor=True, since=date(2025, 1, 15), requires=False,
                 added=date(2025, 1, 15))
    trust.person("Old Sup", supervisor=True, since=date(2024, 1, 15), trained=date(2024, 3, 1),
                 requires=False)
    facts, policy = trust.facts(date(2025, 7, 7))
    assert [r.supervisee for r in overdue_rows(facts, policy, date(2025, 7, 7))
            if r.flags] == []  # the deadline 2025-07-15 is 8 days away
    row = row_of(trust, "New Sup", date(2025, 7, 8))
    assert (row.supervisor, row.frequency, row.due, row.status, row.flags) == \
        (None, None, None, "ok", ("supervisor-training-due",))


# --- the command ---------------------------------------------------------------------------


@pytest.fixture
def busy(tmp_path):
    """Three supervisees of two supervisors, on fixed dates."""
    trust = Trust(tmp_path)
    trust.person("Sup Two", supervisor=True, trained=date(2024, 6, 1), since=date(2024, 1, 1))
    for name, supervisor, last in (("Ann Able", LEAD, date(2025, 1, 10)),
                                   ("Ben Bold", "Sup Two", date(2025, 2, 20)),
                                   ("Cat Calm", LEAD, date(2025, 3, 5))):
        trust.person(name)
        trust.contract(name, supervisor=supervisor, start=date(2025, 1, 6))
        trust.session(last, name, supervisor=supervisor)
    trust.contract("Sup Two", start=date(2025, 1, 6))
    trust.session(date(2025, 3, 1), "Sup Two")
    trust.close()
    return trust.path


def test_overdue_json_has_exactly_the_keys_of_the_spec(cli, busy):
    result = cli("overdue", "--as-of", "2025-03-16", "--json", store=busy)
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert rows and all(list(row) == list(KEYS) for row in rows)
    assert set(KEYS) == {"supervisee", "supervisor", "frequency", "last_session", "due",
                         "status", "days_overdue", "flags"}
    assert rows[0] == {"supervisee": "Ann Able", "supervisor": LEAD, "frequency": "1m",
                       "last_session": "2025-01-10", "due": "2025-02-10", "status": "overdue",
                       "days_overdue": 34, "flags": []}
    assert [r["supervisee"] for r in rows] == ["Ann Able", "Ben Bold"]  # Ben due 03-20
    assert rows[1]["status"] == "due-soon" and rows[1]["days_overdue"] == 0
    assert "1 overdue, 1 due soon, 0 flagged (4 supervisions checked on 2025-03-16)." \
        in result.err


def test_overdue_all_supervisor_csv_and_table(cli, busy):
    everyone = json.loads(cli("overdue", "--as-of", "2025-03-16", "--all", "--json",
                              store=busy).out)
    assert [r["supervisee"] for r in everyone] == ["Ann Able", "Ben Bold", "Sup Two",
                                                   "Cat Calm"]
    assert {r["status"] for r in everyone} == {"overdue", "due-soon", "ok"}
    mine = json.loads(cli("overdue", "--as-of", "2025-03-16", "--all", "--supervisor",
                          "sup two", "--json", store=busy).out)
    assert [r["supervisee"] for r in mine] == ["Ben Bold"]
    result = cli("overdue", "--as-of", "2025-03-16", "--csv", store=busy)
    table = list(csv.reader(io.StringIO(result.out)))
    assert table[0] == list(KEYS)
    assert table[1] == ["Ann Able", LEAD, "1m", "2025-01-10", "2025-02-10", "overdue", "34", ""]
    shown = cli("overdue", "--as-of", "2025-03-16", store=busy)
    assert "overdue 34 d" in shown.out and "Ann Able" in shown.out
    assert "Cat Calm" not in shown.out  # ok with no flags: only with --all


def test_overdue_refuses_bad_input(cli, busy):
    unknown = cli("overdue", "--supervisor", "Sup Tow", store=busy)
    assert unknown.code == 1 and "Sup Two" in unknown.err and unknown.out == ""
    impossible = cli("overdue", "--as-of", "2025-02-30", store=busy)
    assert impossible.code != 0 and "not a real date" in impossible.err
    assert cli("overdue", "--as-of", "next week", store=busy).code != 0
    wrong = cli("overdue", store=busy, passphrase="not the passphrase")
    assert wrong.code == 3 and wrong.out == ""


def test_a_new_store_shows_its_first_user_needs_a_contract(cli, store):
    result = cli("overdue", "--json")
    assert result.code == 0
    assert [(r["supervisee"], r["flags"]) for r in json.loads(result.out)] == \
        [("Jordan Example", ["no-contract"])]
    assert cli("person", "edit", "Jordan Example", "--no-supervision").code == 0
    result = cli("overdue")
    assert result.code == 0 and result.out == ""
    assert "contract new" in result.err


def test_two_contracts_each_count_their_own_sessions():
    """A DSL with an internal and an external contract: a session recorded under one does not
    keep the other up to date; one recorded under no contract counts for both."""
    def contract(kind: str) -> ContractFacts:
        return ContractFacts(kind=kind, supervisor=LEAD, frequency=parse_frequency("1m"),
                             start=date(2025, 1, 6), review=date(2030, 1, 1), signed=True)

    person = PersonFacts(name="Sam Taylor", contracts=[contract("dsl"), contract("external")],
                         last_by_kind={"dsl": date(2025, 3, 3), "external": date(2025, 1, 20),
                                       None: date(2025, 2, 10)})
    rows = {r.last_session: r for r in rows_for(person, SCHOOL, date(2025, 3, 20))}
    assert sorted(rows) == [date(2025, 2, 10), date(2025, 3, 3)]
    assert (rows[date(2025, 2, 10)].status, rows[date(2025, 3, 3)].status) == ("overdue", "ok")
