"""The session and contract rules and the printouts' layout, as pure functions over plain facts
(domain/session_rules.py, domain/contract_rules.py, domain/printouts/)."""

from datetime import UTC, date, datetime

from supervise.domain.document import Answer, Grid, Heading, Remark
from supervise.domain.names import Known, near_matches, similar_names
from supervise.domain.policy.templates import parse_template
from supervise.domain.printouts.facts import PrintFacts
from supervise.domain.printouts.layout import lay_out
from supervise.domain.records.contract_rules import (
    OpenContract,
    Party,
    Replaced,
    contract_state,
    ending_problems,
    term_problems,
)
from supervise.domain.records.register_rules import (
    PersonDates,
    case_child_problems,
    child_problems,
    person_problems,
)
from supervise.domain.records.session_rules import (
    CaseFacts,
    action_owner_problems,
    action_problems,
    completion_problems,
    functions_covered,
    late_entry,
    review_problems,
    start_problems,
    unanswered,
)
from supervise.domain.records.signing import Content
from supervise.errors import UsageError
from supervise.store.catalog import shipped_dir, shipped_policy

DAY = date(2026, 5, 12)
POLICY = shipped_policy("minimum-standards")


def test_a_new_session_is_refused_in_the_future_too_long_or_self_supervised():
    assert start_problems(held_on=DAY, today=DAY, duration=90, supervisor_id=1,
                          supervisor_name="Ann", supervisee_ids=[2]) == []
    found = start_problems(held_on=date(2026, 5, 13), today=DAY, duration=601, supervisor_id=1,
                           supervisor_name="Ann", supervisee_ids=[1, 2])
    assert [type(p) for p in found] == [UsageError] * 3
    assert "in the future" in found[0].message and "not plausible" in found[1].message
    assert found[2].message == "Ann cannot supervise themselves:"
    assert found[2].hint is not None and found[2].hint.key == "check_supervisor"
    assert action_problems(date(2026, 5, 11), DAY)[0].message.startswith("The due date")
    assert late_entry(DAY, date(2026, 5, 15), POLICY) and not late_entry(DAY, DAY, POLICY)


def test_completing_is_refused_for_a_next_meeting_not_after_it_then_missing_case_answers():
    template = parse_template((shipped_dir("templates") / "dsl-agenda.toml").read_text(), "t")
    found = completion_problems(session_id=3, template=template, answers={},
                                cases=[CaseFacts(1, "Brown", {}),
                                       CaseFacts(2, "Okafor", {"notes": "Seen"})],
                                next_meeting=DAY, held_on=DAY)
    assert [p.message for p in found] == [
        f"The next meeting ({DAY}) is not after the session ({DAY}).",
        "Session 3 still needs: case 1 (Brown family): Notes."]
    assert found[1].hint is not None and found[1].hint.key == "resume_session"
    assert completion_problems(session_id=3, template=template, answers={},
                               cases=[CaseFacts(1, "Brown", {"notes": "Seen"})],
                               next_meeting=None, held_on=DAY) == []


DECISION = parse_template((shipped_dir("templates") / "ms-decision-record.toml").read_text(),
                          "d")


def test_a_decision_records_required_fields_are_needed_before_completing_in_agenda_order():
    template = parse_template((shipped_dir("templates") / "dsl-agenda.toml").read_text(), "t")
    required = [s.id for s in DECISION.sections if s.required]
    assert "rationale" in required
    without = {k: "x" for k in required if k != "rationale"}
    case = CaseFacts(2, "Brown", {"notes": "Seen"}, without, DECISION)
    found = completion_problems(session_id=7, template=template, answers={}, cases=[case],
                                next_meeting=None, held_on=DAY)
    assert [p.message for p in found] == [
        "Session 7 still needs: case 2 (Brown family), its decision record: Rationale."]
    missing = unanswered(template, {}, [case, CaseFacts(1, "Okafor", {"notes": ""})])
    assert [(m.part, m.case, m.field) for m in missing] == [
        ("case", 1, "notes"), ("decision", 2, "rationale")]
    assert missing[0].section == "share_experience"
    done = CaseFacts(2, "Brown", {"notes": "Seen"}, {**without, "rationale": "Weighed"},
                     DECISION)
    assert completion_problems(session_id=7, template=template, answers={}, cases=[done],
                               next_meeting=None, held_on=DAY) == []


def test_function_tags_of_case_questions_count_when_a_case_answered_them():
    """The DSL agenda's only mediation question is a case question (multi-agency working)."""
    template = parse_template((shipped_dir("templates") / "dsl-agenda.toml").read_text(), "t")
    has = {"cases": True}
    assert "mediation" not in functions_covered(template, {}, has, [{"notes": "Seen"}])
    covered = functions_covered(template, {}, has,
                                [{"notes": "Seen"}, {"multi_agency": "Core group met"}])
    assert "mediation" in covered and "management" in covered
    assert "mediation" not in functions_covered(template, {}, has, [{"multi_agency": ""}])


def test_a_carried_action_needs_its_new_date_and_an_action_exactly_one_owner():
    assert review_problems(4, "open", outcome="carried", due=None, held_on=DAY)[0].hint.key \
        == "carried_needs_due"
    assert review_problems(4, "open", outcome="carried", due=DAY, held_on=DAY) == []
    assert "before the session" in review_problems(
        4, "open", outcome="carried", due=date(2026, 5, 1), held_on=DAY)[0].message
    assert action_owner_problems(staff=True, contact=None, role=None) == []
    assert action_owner_problems(staff=False, contact="Jo Bloggs", role="Social worker") == []
    assert "one owner" in action_owner_problems(staff=True, contact="Jo", role="SW")[0].message
    assert "needs an owner" in action_owner_problems(staff=False, contact=None,
                                                     role=None)[0].message
    assert "role or organisation" in action_owner_problems(staff=False, contact="Jo Bloggs",
                                                           role=" ")[0].message


def test_a_near_duplicate_child_is_a_similar_name_with_the_same_birthday_or_family():
    born = date(2019, 4, 2)
    lily = Known("Lily Brown", born, "Brown")
    register = [lily, Known("Lily Brown", date(2012, 1, 1), None),
                Known("Ava Smith", date(2016, 1, 1), "Smith"),
                Known("Samuel Green", None, "Green")]
    assert near_matches("Lilly Brown", born, "Brown", register) == [lily]
    assert near_matches("LILLY BROWN", born, None, register) == [lily]  # same dob
    assert near_matches("Lilly Brown", None, "Brown", register) == [lily]  # same family
    assert near_matches("Lilly Brown", date(2020, 1, 1), "Jones", register) == []
    assert near_matches("Lily Brown", born, "Brown", register) == []  # that is her
    assert near_matches("Amy Smith", None, "Smith", register) == []  # a sibling's name
    assert [k.name for k in near_matches("Sam Green", None, "Green", register)] == [
        "Samuel Green"]
    assert similar_names("Zofia Nowak-Kowalska", "zofia nowak kowalsky")
    assert not similar_names("Ada Okafor", "Ben Okafor")


def test_a_childs_status_dates_from_before_the_session_and_after_their_birth():
    assert case_child_problems("Lily", since=DAY, held_on=DAY, dob=date(2019, 4, 2)) == []
    assert "after the session" in case_child_problems(
        "Lily", since=date(2026, 5, 13), held_on=DAY, dob=None)[0].message
    assert "before their date of birth" in case_child_problems(
        "Lily", since=date(2019, 1, 1), held_on=DAY, dob=date(2019, 4, 2))[0].message


def test_contract_terms_are_told_in_order_and_one_contract_per_kind():
    ann = Party(1, "Ann", None, True)
    bob = Party(2, "Bob", date(2026, 1, 1), False)
    kind = POLICY.default_kind
    found = term_problems(supervisee=bob, supervisor=bob, kind=kind, start=DAY, review=DAY,
                          policy=POLICY, today=DAY, replacing=None,
                          open_of_kind=[OpenContract(4, DAY)])
    assert [p.message for p in found][:4] == [
        "Bob cannot supervise themselves:",
        "Bob left on 2026-01-01: a contract needs people still in post.",
        "Bob left on 2026-01-01: a contract needs people still in post.",
        "Bob is not marked as a supervisor:"]
    assert found[4].message == f"The review date {DAY} is not after the start {DAY}:"
    assert found[-1].message.startswith(f"Bob already has a {kind} contract in force (contract 4")
    assert term_problems(supervisee=bob, supervisor=ann, kind=kind, start=date(2025, 6, 1),
                         review=DAY, policy=POLICY, today=DAY,
                         replacing=Replaced(4, date(2025, 1, 1), 5, False),
                         open_of_kind=[OpenContract(4, date(2025, 1, 1))])[0].message \
        == "Contract 4 is superseded by contract 5: review contract 5 instead."
    assert ending_problems(contract_id=4, start_on=DAY, closed_as=None, on=date(2026, 5, 13),
                           today=DAY)[0].message.endswith("on or before today.")
    state = {"start_on": date(2026, 1, 1), "review_on": date(2027, 1, 1), "today": DAY}
    assert contract_state(**state, ended_on=None, superseded_from=None) == "in force"
    assert contract_state(**state, ended_on=date(2025, 12, 1), superseded_from=None) \
        == "withdrawn"
    assert contract_state(**state, ended_on=None, superseded_from=DAY) == "superseded"


def test_a_printout_is_laid_out_from_its_facts_alone():
    template = parse_template((shipped_dir("templates") / "dsl-contract.toml").read_text(), "t")
    header = {"type": "contract", "id": 7, "supervisee": 2, "supervisor": 1, "kind": "x",
              "frequency": "every 4 weeks", "schedule": None, "duration_minutes": 60,
              "venue": None, "start": DAY, "review": date(2027, 5, 12), "supersedes": 6}
    facts = PrintFacts(
        record_type="contract", content=Content(header, []), omitted={}, hidden=(),
        template=template, names={1: "Ann", 2: "Bob"},
        summary={"signatures": [], "awaiting": ["Bob (supervisee)"]}, status="not signed",
        state="in force")
    doc = lay_out(facts, organisation="Org", author="Ann",
                  now=datetime(2026, 5, 12, 12, tzinfo=UTC))
    assert doc.reference == "Contract C7" and doc.title == "Supervision Contract"
    details = doc.blocks[0]
    assert isinstance(details, Grid)
    assert ("Supervisee", "Bob") in details.rows and ("Status", "In force; not signed") in \
        details.rows and ("Replaces", "contract C6") in details.rows
    assert ("Frequency", "Every 4 weeks") in details.rows
    assert ("Start", "12 May 2026") in details.rows and ("Review by", "12 May 2027") in \
        details.rows
    assert all(isinstance(b, Answer) and b.answer is None for b in doc.blocks[1:-3])
    assert doc.blocks[-3:] == [Heading("Signatures"), Remark("Not signed."),
                               Remark("Awaiting the signature of Bob (Supervisee).")]


def test_a_persons_dates_are_held_to_what_has_happened():
    today = date(2026, 3, 1)
    fine = PersonDates(date(2020, 9, 1), None, True, date(2021, 1, 5), date(2020, 9, 1), None)
    assert person_problems(fine, today) == []
    future = PersonDates(None, None, True, date(2026, 3, 2), None, date(2027, 1, 1))
    assert [str(p) for p in person_problems(future, today)] == [
        "The training date 2026-03-02 is in the future: give the date it happened.",
        "The qualification date 2027-01-01 is in the future: give the date it happened."]
    not_supervising = PersonDates(None, None, False, date(2021, 1, 5), None, None)
    assert [p.hint.key for p in person_problems(not_supervising, today) if p.hint] == [
        "add_supervisor_for_training_dates"]
    backwards = PersonDates(date(2024, 1, 8), date(2023, 12, 31), False, None, None, None)
    assert "before the start date" in str(person_problems(backwards, today)[0])


def test_a_childs_date_of_birth_is_not_in_the_future():
    assert child_problems(date(2026, 3, 1), date(2026, 3, 1)) == []
    assert child_problems(None, date(2026, 3, 1)) == []
    assert "in the future" in str(child_problems(date(2026, 3, 2), date(2026, 3, 1))[0])
