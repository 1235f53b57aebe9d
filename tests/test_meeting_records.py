"""Issue 18, the record-model side of the meeting flow: required answers inside cases and
decision records checked at completion, each child's own status (since when, local
reference), near-duplicate children, actions owned by contacts outside the staff list and tied
to an agenda item, case questions' function tags, and a carried action's new due date. Real
stores throughout."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest

from supervise.app import drafting, sessions
from supervise.errors import SuperviseError
from supervise.store.catalog import Catalog
from supervise.store.db.opening import Store, unlock_store
from tests.clock import NOON, TODAY
from tests.helpers import PASSPHRASE
from tests.test_sessions import build_team, detail, session_file, write

HELD = TODAY - timedelta(days=1)
LILY_BORN = "2019-04-02"


@pytest.fixture
def team(cli, template_stores):
    """Alex Morgan supervises Sam Taylor under a contract; Priya Shah is a DSL."""
    template_stores.copy("sessions-team", build_team, cli.store.parent.parent)
    return cli.store


@contextmanager
def opened(path) -> Iterator[Store]:
    with unlock_store(path, passphrase=lambda: PASSPHRASE, user=None, now=NOON) as store:
        yield store


def draft(store: Store, template_id: str = "dsl-agenda") -> int:
    plan = sessions.plan_session(store, ["Sam Taylor"], template_id)
    template = sessions.session_template(Catalog(None), plan.template_id, "one-to-one")
    return sessions.start_session(store, plan, template, kind="one-to-one",
                                  supervisor="Alex Morgan", supervisees=["Sam Taylor"],
                                  held_on=HELD, start_time="10:00", duration=60)


def dsl_file(tmp_path, name: str, extra: str, held: date = HELD) -> str:
    return str(write(tmp_path, name, f"""\
template = "dsl-agenda"
date = "{held}"
supervisor = "Alex Morgan"
supervisees = ["Sam Taylor"]
{extra}"""))


# 1. Required fields inside cases and decision records

def test_a_decision_without_its_rationale_is_refused_at_completion_then_completed(team):
    with opened(team) as store:
        number = draft(store)
        drafting.record_case(store, number, position=1, family="Brown",
                             children=[{"name": "Lily Brown", "dob": LILY_BORN,
                                        "own_status": "child-protection",
                                        "since": "2026-01-10"}], status=None)
        drafting.record_case_answer(store, number, 1, "notes", {"notes": "Disclosure."})
        template = drafting.decision_template(store, Catalog(None))
        decided = {"synopsis": "Known since 2024.", "concerns": "Domestic abuse.",
                   "decision": "Refer to MASH."}
        drafting.record_decision(store, number, 1, template, decided)  # Ctrl-C at Rationale
        missing = drafting.missing_answers(store, number)
        assert [(m.part, m.case, m.field, m.family) for m in missing] == [
            ("decision", 1, "rationale", "Brown")]
        with pytest.raises(SuperviseError) as refused:
            sessions.complete_session(store, number)
        assert refused.value.message == (f"Session {number} still needs: case 1 (Brown "
                                         "family), its decision record: Rationale.")
        assert refused.value.hint is not None and refused.value.hint.key == "resume_session"
        assert sessions.session_status(store, str(number))[1] == "draft"
        drafting.record_decision(store, number, 1, template,
                                 {**decided, "rationale": "The disclosure outweighs the "
                                                          "recent improvement."})
        assert drafting.missing_answers(store, number) == []
        sessions.complete_session(store, number)
        assert sessions.session_status(store, str(number))[1] == "completed"


def test_missing_answers_lists_sections_case_fields_and_decision_fields_in_agenda_order(team):
    with opened(team) as store:
        number = draft(store, "ms-supervision-record")
        drafting.record_case(store, number, position=1, family="Okafor",
                             children=[{"name": "Ada Okafor", "dob": "2014-02-02"}],
                             status="child-in-need")
        drafting.record_decision(store, number, 1, drafting.decision_template(
            store, Catalog(None)), {"synopsis": "Known."})
        missing = drafting.missing_answers(store, number)
    template = Catalog(None).get("ms-supervision-record")
    required = [s.id for s in template.sections if s.required]
    parts = [m.part for m in missing]
    assert parts == sorted(parts, key=["section", "case", "decision"].index)
    assert [m.field for m in missing if m.part == "section"] == required
    assert {m.field for m in missing if m.part == "decision"} >= {"decision", "rationale"}


def test_an_answers_file_decision_without_its_rationale_stores_nothing(cli, team, tmp_path):
    refused = cli("session", "new", "--answers", dsl_file(tmp_path, "d.toml", """
[[cases]]
family = "Brown"
children = [{name = "Lily Brown", dob = "2019-04-02"}]
answers = {notes = "Disclosure on Monday."}

[cases.decision]
synopsis = "Known since 2024."
concerns = "Domestic abuse."
decision = "Refer to MASH."
"""))
    assert refused.code == 2 and "cases[1].decision.rationale: is required" in refused.err
    assert json.loads(cli("session", "list", "--json").out) == []


# 2. Each child's own status, since when, and local reference

SIBLINGS = ("""
[[cases]]
family = "Brown"
answers = {{notes = "Plan reviewed at conference."}}
"""  # children as tables, so each line stays short
    """
[[cases.children]]
name = "Lily Brown"
dob = "2019-04-02"
status = "child-protection"
since = "{since}"
ref = "CP-77"

[[cases.children]]
name = "Tom Brown"
dob = "2021-09-09"
status = "none"
""")


def test_each_child_has_their_own_status_since_date_and_reference(cli, team, tmp_path):
    since = HELD - timedelta(days=50)
    assert cli("session", "new", "--answers", dsl_file(
        tmp_path, "a.toml", SIBLINGS.format(since=since))).code == 0
    case = detail(cli, 1)["cases"][0]
    assert case["children"] == [
        {"name": "Lily Brown", "dob": LILY_BORN, "status": "child-protection",
         "since": since.isoformat(), "ref": "CP-77"},
        {"name": "Tom Brown", "dob": "2021-09-09", "status": "none", "since": None,
         "ref": None}]
    lily = json.loads(cli("child", "show", "Lily Brown", "--json").out)
    tom = json.loads(cli("child", "show", "Tom Brown", "--json").out)
    assert (lily["status"], lily["status_since"], lily["ref"]) == (
        "child-protection", since.isoformat(), "CP-77")
    assert tom["status"] == "none"  # the sibling not on the plan is not on it
    shown = cli("session", "show", "1").out
    assert f"Lily Brown (born {LILY_BORN}; Child Protection Plan since {since}; ref CP-77)" \
        in shown
    assert "Tom Brown (born 2021-09-09; None)" in shown


def test_a_status_since_after_the_session_is_refused(cli, team, tmp_path):
    refused = cli("session", "new", "--answers", dsl_file(
        tmp_path, "a.toml", SIBLINGS.format(since=HELD + timedelta(days=1))))
    assert refused.code == 2 and "children[1].since" in refused.err
    assert "is after the session date" in refused.err
    assert json.loads(cli("child", "list", "--json").out) == []


def test_a_reference_that_differs_from_the_registers_is_refused(cli, team, tmp_path):
    assert cli("child", "add", "Lily Brown", "--dob", LILY_BORN, "--family", "Brown",
               "--ref", "CP-1").code == 0
    refused = cli("session", "new", "--answers", dsl_file(
        tmp_path, "a.toml", SIBLINGS.format(since=HELD - timedelta(days=5))))
    assert refused.code == 2 and "has the local reference CP-1 on the register" in refused.err


def test_the_register_follows_the_latest_session_and_a_late_entry_never_moves_it_back(
        cli, team, tmp_path):
    since = HELD - timedelta(days=50)
    assert cli("session", "new", "--answers", dsl_file(
        tmp_path, "a.toml", SIBLINGS.format(since=since))).code == 0
    older = SIBLINGS.format(since=since).replace("child-protection", "child-in-need")
    assert cli("session", "new", "--answers", dsl_file(
        tmp_path, "b.toml", older, held=HELD - timedelta(days=20))).code == 0
    lily = json.loads(cli("child", "show", "Lily Brown", "--json").out)
    assert (lily["status"], lily["status_since"]) == ("child-protection", since.isoformat())
    stepped = SIBLINGS.format(since=HELD).replace("child-protection", "child-in-need")
    assert cli("session", "new", "--answers", dsl_file(tmp_path, "c.toml", stepped,
                                                       held=TODAY)).code == 0
    lily = json.loads(cli("child", "show", "Lily Brown", "--json").out)
    assert (lily["status"], lily["status_since"]) == ("child-in-need", HELD.isoformat())


def test_each_childs_status_is_in_the_digest_of_new_records_and_in_the_export(
        cli, team, tmp_path):
    since = HELD - timedelta(days=50)
    path = dsl_file(tmp_path, "a.toml", SIBLINGS.format(since=since) + """
[cases.decision]
synopsis = "Known since 2024."
concerns = "Domestic abuse."
decision = "Stay on the plan."
rationale = "Risks unchanged."
""")
    assert cli("session", "new", "--answers", path).code == 0
    assert f"Lily Brown (born {LILY_BORN}; Child Protection Plan since {since}; ref CP-77)" \
        in cli("decision", "show", "1").out
    decision = json.loads(cli("decision", "show", "1", "--json").out)
    assert decision["children"][0]["since"] == since.isoformat()
    assert cli("session", "sign", "1", "--as", "Alex Morgan", "--typed",
               "--typed-name", "Alex Morgan").code == 0
    assert cli("audit", "verify").code == 0
    out = tmp_path / "review"
    result = cli("export", "review", "--child", "Lily Brown", "--out", str(out))
    assert result.code == 0, result.err
    assert cli("verify", str(out)).code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert f'"since": "{since}"' in json.dumps(manifest)
    from docx import Document

    text = "\n".join(cell.text for docx in sorted(out.glob("*.docx")) if "S1" in docx.name
                     or "session" in docx.name.lower()
                     for table in Document(str(docx)).tables for row in table.rows
                     for cell in row.cells)
    assert f"Lily Brown: Child Protection Plan since {since.day} {since:%B %Y}" in text


# 3. Near-duplicate children

def test_a_misspelt_child_in_an_answers_file_is_refused_until_said_to_be_another(
        cli, team, tmp_path):
    assert cli("child", "add", "Lily Brown", "--dob", LILY_BORN, "--family", "Brown").code == 0
    case = """
[[cases]]
family = "Brown"
children = [{name = "Lilly Brown", dob = "2019-04-02"%s}]
answers = {notes = "Seen."}
"""
    refused = cli("session", "new", "--answers", dsl_file(tmp_path, "a.toml", case % ""))
    assert refused.code == 2
    assert "Lilly Brown is not on the register, but Lily Brown (born 2019-04-02, Brown " \
           "family) is" in refused.err
    assert "add new = true to that child's entry" in refused.err
    assert len(json.loads(cli("child", "list", "--json").out)) == 1
    assert cli("session", "new", "--answers", dsl_file(
        tmp_path, "b.toml", case % ", new = true")).code == 0
    assert len(json.loads(cli("child", "list", "--json").out)) == 2


def test_child_add_refuses_a_near_duplicate_unless_new(cli, team):
    assert cli("child", "add", "Lily Brown", "--dob", LILY_BORN, "--family", "Brown").code == 0
    near = cli("child", "add", "lilly brown", "--family", "Brown")
    assert near.code == 2 and "Lily Brown (born 2019-04-02, Brown family)" in near.err
    assert "add them with --new" in near.err
    assert cli("child", "add", "Lilly Brown", "--family", "Brown", "--new").code == 0
    assert cli("child", "add", "Ava Smith", "--dob", LILY_BORN, "--family", "Smith").code == 0


def test_the_walk_can_ask_for_near_matches_and_type_ahead_candidates(cli, team):
    assert cli("child", "add", "Lily Brown", "--dob", LILY_BORN, "--family", "Brown",
               "--status", "child-protection", "--since", "2026-01-10").code == 0
    with opened(team) as store:
        near = drafting.near_children(store, "Lilly Brown", date(2019, 4, 2), None)
        candidates = drafting.child_candidates(store)
        assert drafting.near_children(store, "Lilly Brown", None, "Jones") == []
    assert [(c["name"], c["family"], c["status_since"]) for c in near] == [
        ("Lily Brown", "Brown", "2026-01-10")]
    assert [c["name"] for c in candidates.children] == ["Lily Brown"]
    assert candidates.families == ["Brown"]


# 4. Actions owned by contacts outside the staff list, tied to an agenda item or a case

CONTACT_ACTIONS = f"""
[[cases]]
family = "Brown"
children = [{{name = "Lily Brown", dob = "2019-04-02"}}]
answers = {{notes = "Seen."}}

[[actions]]
text = "Send the core group minutes"
owner = "Jo Bloggs"
owner_role = "Social worker, Anytown Council"
due = "{TODAY - timedelta(days=10)}"
case = 1

[[actions]]
text = "Update the DSL log"
owner = "Sam Taylor"
due = "{TODAY - timedelta(days=10)}"
item = "welcome"
notes = "Two calls from the nursery went unlogged."
"""


def test_an_action_can_be_owned_by_a_contact_and_tied_to_an_agenda_item(cli, team, tmp_path):
    held = TODAY - timedelta(days=20)
    result = cli("session", "new", "--answers", dsl_file(tmp_path, "a.toml", CONTACT_ACTIONS,
                                                         held=held))
    assert result.code == 0, result.err
    actions = detail(cli, 1)["actions"]
    assert [(a["owner"], a["staff_owner"], a["case"], a["item"]) for a in actions] == [
        ("Jo Bloggs (Social worker, Anytown Council)", False, 1, None),
        ("Sam Taylor", True, None, "welcome")]
    listed = cli("action", "list")
    assert "Jo Bloggs (Social worker, Anytown Council)" in listed.out
    mine = json.loads(cli("action", "list", "--owner", "jo bloggs", "--json").out)
    assert [a["text"] for a in mine] == ["Send the core group minutes"]
    shown = cli("session", "show", "1").out
    assert "item welcome" in shown and "Notes: Two calls from the nursery went unlogged." in shown
    overdue = json.loads(cli("overdue", "--all", "--json").out)
    sam = next(r for r in overdue if r["supervisee"] == "Sam Taylor")
    assert "actions-overdue" in sam["flags"]  # Sam's own; the social worker's is not counted
    drift = json.loads(cli("report", "drift", "--json").out)
    assert {r["owner"] for r in drift} <= {"Jo Bloggs (Social worker, Anytown Council)",
                                          "Sam Taylor"}
    assert cli("session", "sign", "1", "--as", "Alex Morgan", "--typed",
               "--typed-name", "Alex Morgan").code == 0
    assert cli("audit", "verify").code == 0
    out = tmp_path / "export.docx"
    assert cli("session", "export", "1", "--out", str(out)).code == 0
    from docx import Document

    cells = [c.text for t in Document(str(out)).tables for r in t.rows for c in r.cells]
    assert "Jo Bloggs (Social worker, Anytown Council)" in cells and "Welcome" in cells
    assert "Two calls from the nursery went unlogged." in cells  # the policy's Notes column
    assert [a["notes"] for a in actions] == [None, "Two calls from the nursery went unlogged."]


def test_only_staff_owned_actions_count_as_the_supervisees_overdue_actions(cli, team,
                                                                            tmp_path):
    contact_only = CONTACT_ACTIONS.split("[[actions]]\ntext = \"Update")[0]
    assert cli("session", "new", "--answers", dsl_file(
        tmp_path, "a.toml", contact_only, held=TODAY - timedelta(days=20))).code == 0
    overdue = json.loads(cli("overdue", "--all", "--json").out)
    sam = next(r for r in overdue if r["supervisee"] == "Sam Taylor")
    assert "actions-overdue" not in sam["flags"]


def test_an_unknown_owner_is_told_how_to_name_a_contact_and_a_staff_role_is_refused(
        cli, team, tmp_path):
    bad = f"""
[[actions]]
text = "Call mum"
owner = "Mum"
due = "{TODAY}"

[[actions]]
text = "Visit"
owner = "Sam Taylor"
owner_role = "Deputy DSL"
due = "{TODAY}"

[[actions]]
text = "Note"
owner = "Sam Taylor"
due = "{TODAY}"
item = "no_such_item"
"""
    refused = cli("session", "new", "--answers", dsl_file(tmp_path, "a.toml", bad))
    assert refused.code == 2
    assert "actions[1].owner: No person named 'Mum'" in refused.err
    assert 'add owner_role = "…"' in refused.err
    assert "actions[2].owner_role: Sam Taylor is on the staff list" in refused.err
    assert "actions[3].item: 'no_such_item' is not an item of dsl-agenda" in refused.err


def test_the_walk_records_an_action_for_a_contact(team):
    with opened(team) as store:
        number = draft(store)
        drafting.record_case(store, number, position=1, family="Brown",
                             children=[{"name": "Lily Brown", "dob": LILY_BORN}],
                             status="child-in-need")
        drafting.record_action(store, number, text="Share the plan", owner="Jo Bloggs",
                               owner_role="Social worker", due=TODAY, case=1)
        drafting.record_action(store, number, text="Log it", owner="Sam Taylor", due=TODAY,
                               item="welcome")
        with pytest.raises(SuperviseError, match="No person named"):
            drafting.record_action(store, number, text="x", owner="Jo Bloggs", due=TODAY)
        with pytest.raises(SuperviseError, match="no item 'nope'"):
            drafting.record_action(store, number, text="x", owner="Sam Taylor", due=TODAY,
                                   item="nope")
        shown = sessions.show_session(store, str(number))
    assert [(a["owner"], a["case"], a["item"]) for a in shown["actions"]] == [
        ("Jo Bloggs (Social worker)", 1, None), ("Sam Taylor", None, "welcome")]


# 5. Function tags on case questions

def test_balance_counts_mediation_from_a_dsl_case_question(cli, team, tmp_path):
    case = """
[[cases]]
family = "Brown"
children = [{name = "Lily Brown", dob = "2019-04-02"}]
answers = {notes = "Seen.", multi_agency = "Core group met; minutes awaited."}
"""
    assert cli("session", "new", "--answers", dsl_file(tmp_path, "a.toml", case)).code == 0
    assert "mediation" in detail(cli, 1)["functions"]
    result = cli("report", "balance", "--json")
    assert result.code == 0, result.err
    sam = next(r for r in json.loads(result.out) if r["supervisee"] == "Sam Taylor")
    assert sam["mediation"] == 1


# 6. A carried action's new due date

def test_a_carried_action_in_the_walk_needs_its_new_date(cli, team, tmp_path):
    first = TODAY - timedelta(days=40)
    assert cli("session", "new", "--answers", session_file(tmp_path, "1.toml", first, f"""
[[actions]]
text = "Chase the report"
owner = "Sam Taylor"
due = "{first + timedelta(days=14)}"
""")).code == 0
    new_due = TODAY + timedelta(days=14)
    with opened(team) as store:
        number = draft(store, "ms-supervision-record")
        with pytest.raises(SuperviseError, match="give it its new due date") as refused:
            drafting.record_review(store, number, 1, outcome="carried", note="Chased")
        assert refused.value.hint is not None and \
            refused.value.hint.key == "carried_needs_due"
        drafting.record_review(store, number, 1, outcome="carried", note="Chased",
                               due=new_due)
        assert drafting.actions_to_review(store, number) == []
    action = json.loads(cli("action", "list", "--json").out)[0]
    assert action["due"] == (first + timedelta(days=14)).isoformat()  # not until completed
    assert action["reviews"][0]["due_after"] == new_due.isoformat()


# Records made before: their parts keep exactly the shape they were signed in

def test_children_and_actions_without_the_new_facts_keep_the_parts_they_were_signed_in():
    """A case child or action stored before migration 9 has none of the new columns, and its
    part is exactly the old one (so every digest signed before is unchanged)."""
    from supervise.store.db.tables import ActionItem, CaseChild, Child
    from supervise.store.records.session_parts import action_part, child_in_case

    lily = Child(id=3, name="Lily Brown", name_key="lily brown", dob=date(2019, 4, 2),
                 created_at="", updated_at="")
    assert child_in_case(lily, CaseChild(case_id=1, child_id=3)) == {
        "name": "Lily Brown", "dob": date(2019, 4, 2)}
    assert child_in_case(lily, CaseChild(case_id=1, child_id=3, status="none")) == {
        "name": "Lily Brown", "dob": date(2019, 4, 2), "status": "none", "since": None}
    old = ActionItem(id=5, text="Do it", owner_id=2, due_on=TODAY, agreed_due_on=TODAY,
                     session_id=1, case_id=9, created_at="", updated_at="")
    assert action_part(old, {9: 1}) == {"action": 5, "text": "Do it", "owner": 2,
                                        "due": TODAY, "case": 1}
    new = ActionItem(id=6, text="Minutes", owner_contact="Jo Bloggs", owner_role="SW",
                     section_id="welcome", due_on=TODAY, agreed_due_on=TODAY, session_id=1,
                     created_at="", updated_at="")
    assert action_part(new, {}) == {"action": 6, "text": "Minutes", "owner": None,
                                    "due": TODAY, "case": None, "item": "welcome",
                                    "contact": {"name": "Jo Bloggs", "role": "SW"}}


def test_a_signed_action_and_case_child_cannot_be_changed_in_the_new_columns(cli, team,
                                                                              tmp_path):
    import sqlalchemy

    assert cli("session", "new", "--answers", dsl_file(tmp_path, "a.toml", CONTACT_ACTIONS,
                                                       held=TODAY - timedelta(days=20))).code == 0
    assert cli("session", "sign", "1", "--as", "Alex Morgan", "--typed",
               "--typed-name", "Alex Morgan").code == 0
    with opened(team) as store, store.session() as session:
        for statement in ("UPDATE action_item SET owner_contact = 'Someone else'",
                          "UPDATE action_item SET section_id = 'roles_confidentiality'",
                          "UPDATE action_item SET notes = 'Rewritten'",
                          "UPDATE case_child SET status = 'looked-after'"):
            with pytest.raises(sqlalchemy.exc.DatabaseError, match="signed records"):
                session.exec(sqlalchemy.text(statement))  # type: ignore[call-overload]
            session.rollback()


# Escalation: to whom, by when

def _escalation(tmp_path, answers: str) -> str:
    return dsl_file(tmp_path, "e.toml", f"""
[[cases]]
family = "Brown"
children = [{{name = "Lily Brown", dob = "2019-04-02"}}]
answers = {{{answers}}}
""")


def test_an_escalation_says_to_whom_and_by_when(cli, team, tmp_path):
    by = HELD + timedelta(days=5)
    assert cli("session", "new", "--answers", _escalation(
        tmp_path, f'notes = "No reply.", escalate = true, escalated_to = "CSC team manager", '
                  f'escalate_by = "{by}"')).code == 0
    answers = {a["id"]: a["answer"] for a in detail(cli, 1)["cases"][0]["answers"]}
    assert (answers["escalated_to"], answers["escalate_by"]) == ("CSC team manager", str(by))


@pytest.mark.parametrize(("answers", "said"), [
    ('notes = "No reply.", escalate = true',
     "cases[1].answers.escalated_to: is required (Escalated to whom)"),
    ('notes = "Fine.", escalate = false, escalated_to = "CSC"',
     "cases[1].answers.escalated_to: is only answered when escalate is true"),
    ('notes = "Fine.", escalated_to = "CSC"',
     "cases[1].answers.escalated_to: is only answered when escalate is true"),
])
def test_an_escalation_without_whom_or_whom_without_escalation_is_refused(
        cli, team, tmp_path, answers, said):
    refused = cli("session", "new", "--answers", _escalation(tmp_path, answers))
    assert refused.code == 2 and said in " ".join(refused.err.split()), refused.err
    assert json.loads(cli("session", "list", "--json").out) == []


def test_a_draft_with_an_escalation_needs_whom_before_completing(team):
    with opened(team) as store:
        number = draft(store)
        drafting.record_case(store, number, position=1, family="Brown",
                             children=[{"name": "Lily Brown", "dob": LILY_BORN}], status=None)
        drafting.record_case_answer(store, number, 1, "notes",
                                    {"notes": "No reply.", "escalate": True})
        missing = [(m.part, m.field) for m in drafting.missing_answers(store, number)]
        assert missing == [("case", "escalated_to"), ("case", "escalate_by")]
        drafting.record_case_answer(store, number, 1, "escalate",
                                    {"notes": "No reply.", "escalate": False})
        assert drafting.missing_answers(store, number) == []
