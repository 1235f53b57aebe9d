"""Sharing an experience about no one family (the DSL agenda's "Share experience"), and going
back to a case discussion's answers: from the review before completing, and by an amendment
of a completed session chosen on the terminal."""

import pytest

from supervise.cli import prompts
from supervise.cli.output import fits
from supervise.cli.records.walk_asking import short
from supervise.cli.records.walk_cases import FAMILY
from supervise.store.catalog import Catalog
from tests.helpers import KIND, ScriptedPrompter
from tests.test_meeting_records import HELD, dsl_file, team  # noqa: F401 - team is a fixture
from tests.test_meeting_walk import Recording, _fields_script, answer
from tests.test_sessions import detail

AGENDA = Catalog(None).get("dsl-agenda", kind="session")
CASE_FIELDS = AGENDA.of_type("cases").fields
SHARED = "Case 1: an experience shared, about no one family"
THEME = "Three parents this term said the gate rota felt hostile; a whole-school theme."


def _walk_with_an_experience(review: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """The DSL agenda walked with one case: an experience about no family (escalated, so its
    to-whom and by-when are asked), then `review` at the review before completing."""
    script: list[tuple[str, object]] = [KIND]
    for step in _fields_script(AGENDA):
        if step[0] != "Discuss a family":
            script.append(step)
            continue
        script += [("Discuss a family or child, or share an experience", True),
                   (FAMILY, "")]  # blank: no family, and so no child is asked
        script += [(f.title[:25], THEME if f.id == "notes" else answer(f)) for f in CASE_FIELDS]
        script.append(("Another family, child or experience", False))  # no decision offered
    return script + review


def _new(cli, script):
    with prompts.use(ScriptedPrompter(*script)):
        return cli("session", "new", "--supervisee", "Sam Taylor", "--supervisor",
                   "Alex Morgan", "--template", "dsl-agenda", "--date", str(HELD),
                   "--time", "10:00", "--duration", "60")


def test_an_experience_about_no_family_is_recorded_printed_and_reviewed(cli, team):  # noqa: F811
    result = _new(cli, _walk_with_an_experience([("What now", "Complete the session")]))
    assert result.code == 0, result.err
    assert "no family or child is named" in result.err
    assert "1. an experience shared, about no one family" in result.err  # the review lists it
    case = detail(cli, 1)["cases"][0]
    assert (case["family"], case["children"]) == (None, [])
    assert {a["id"]: a["answer"] for a in case["answers"]}["notes"] == THEME
    shown = cli("session", "show", "1").out
    assert SHARED in shown and "family:" not in shown.split(SHARED)[1].split("\n")[0]
    assert cli("child", "list", "--json").out.strip() == "[]"  # nobody added to the register


def test_the_review_changes_a_case_answer_and_a_no_clears_what_followed_its_yes(
        cli, team):  # noqa: F811
    escalate = next(f for f in CASE_FIELDS if f.id == "escalate")
    notes = next(f for f in CASE_FIELDS if f.id == "notes")
    review = [
        ("What now", "Go back and change an answer"),
        ("Which answer?", fits(f"A question of {SHARED}")),
        ("Which answer of case 1", fits(f"{notes.title}: {short(THEME)}")),
        (notes.title, "Corrected in the review: four parents, not three."),
        ("What now", "Go back and change an answer"),
        ("Which answer?", fits(f"A question of {SHARED}")),
        ("Which answer of case 1", fits(f"{escalate.title}: Yes")),
        (escalate.title[:25], False),
        ("What now", "Complete the session")]
    result = _new(cli, _walk_with_an_experience(review))
    assert result.code == 0, result.err
    answers = {a["id"]: a["answer"] for a in detail(cli, 1)["cases"][0]["answers"]}
    assert answers["notes"] == "Corrected in the review: four parents, not three."
    assert answers["escalate"] is False
    assert answers["escalated_to"] is None and answers["escalate_by"] is None
    assert detail(cli, 1)["status"] == "completed"


def test_an_amendment_chosen_on_the_terminal_corrects_a_case_answer(cli, team):  # noqa: F811
    assert _new(cli, _walk_with_an_experience([("What now", "Complete the session")])).code == 0
    script = ScriptedPrompter(
        ("Which question does it correct?", fits(f"A question of {SHARED}")),
        ("Which question of case 1?", "notes: Notes"),
        ("The corrected text", "Four parents, not three."),
        ("Why is it amended?", "Miscounted in the meeting"))
    with prompts.use(script):
        result = cli("session", "amend", "1")
    assert result.code == 0, result.err
    amendment = detail(cli, 1)["amendments"][0]
    assert (amendment["case"], amendment["section"], amendment["previous"],
            amendment["text"]) == (1, "notes", THEME, "Four parents, not three.")


@pytest.mark.parametrize(("case", "says"), [
    ('[[cases]]\nchildren = [{name = "Lily Brown"}]\n', "give the children's family"),
    ('[[cases]]\n[cases.answers]\nnotes = "A theme"\n[cases.decision]\ndecision = "Refer"\n',
     "a decision record is for a child's file"),
])
def test_an_answers_file_case_without_a_family_names_no_child_and_no_decision(
        cli, team, tmp_path, case, says):  # noqa: F811
    result = cli("session", "new", "--answers", dsl_file(tmp_path, "s.toml", case))
    assert result.code == 2 and says in result.err
    assert cli("session", "list", "--json").out.strip() == "[]"


def test_an_answers_file_case_with_no_family_is_an_experience_shared(
        cli, team, tmp_path):  # noqa: F811
    path = dsl_file(tmp_path, "s.toml", f'[[cases]]\n[cases.answers]\nnotes = "{THEME}"\n')
    assert cli("session", "new", "--answers", path).code == 0
    case = detail(cli, 1)["cases"][0]
    assert (case["family"], case["children"]) == (None, [])


def test_a_child_from_the_register_offers_their_status_since_date_and_reference(
        cli, team):  # noqa: F811
    assert cli("child", "add", "Lily Brown", "--dob", "2019-04-02", "--family", "Brown",
               "--status", "child-protection", "--since", "2025-11-03", "--ref",
               "CP-0412").code == 0
    script: list[tuple[str, object]] = [KIND]
    for step in _fields_script(AGENDA):
        if step[0] != "Discuss a family":
            script.append(step)
            continue
        script += [("Discuss a family", True), (FAMILY, "Brown"),
                   ("Child's full name", "Lily Brown"),
                   ("Which child?", fits("Lily Brown, born 2 April 2019, Brown family, Child "
                                         "Protection Plan, ref CP-0412")),
                   ("Another child", False),
                   ("Lily Brown's status now", "Child Protection Plan"),
                   ("Child Protection Plan since", "2025-11-03"), ("local reference", "CP-0412")]
        script += [(f.title[:25], answer(f)) for f in CASE_FIELDS]
        script += [("Record a decision", False), ("Another family", False)]
    recording = Recording(*script, ("What now", "Complete the session"))
    with prompts.use(recording):
        result = cli("session", "new", "--supervisee", "Sam Taylor", "--supervisor",
                     "Alex Morgan", "--template", "dsl-agenda", "--date", str(HELD),
                     "--time", "10:00", "--duration", "60")
    assert result.code == 0, result.err
    assert recording.offered["Lily Brown: Child Protection Plan since:"] == "2025-11-03"
    assert recording.offered["Lily Brown's local reference (blank if none):"] == "CP-0412"
    child = detail(cli, 1)["cases"][0]["children"][0]
    assert (child["status"], child["since"], child["ref"]) == (
        "child-protection", "2025-11-03", "CP-0412")
