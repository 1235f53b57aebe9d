"""The meeting walked in the terminal (scripted prompts, in-process): a carried action asks for
its new date, a misspelt child is offered the one on the register, each child gets their own
status and since-date, an action can be owned by a contact outside the staff list, the decision
record starts from the case's own decision, and the walk says where it is in the agenda."""

import json
from datetime import timedelta

from supervise.app import drafting
from supervise.cli import prompts
from supervise.cli.output import fits as _fits
from supervise.cli.records.walk_cases import FAMILY
from supervise.domain.wording import uk_date
from supervise.store.catalog import Catalog
from tests.clock import TODAY
from tests.helpers import KIND, ScriptedPrompter
from tests.test_meeting_records import (  # noqa: F401 - team is a fixture
    HELD,
    LILY_BORN,
    draft,
    dsl_file,
    opened,
    team,
)
from tests.test_sessions import detail

EARLIER = HELD - timedelta(days=40)


class Recording(ScriptedPrompter):
    """A scripted prompter that also keeps the text each question offered (its default)."""

    def __init__(self, *script) -> None:
        super().__init__(*script)
        self.offered: dict[str, str] = {}
        self.typeahead: dict[str, list[str]] = {}

    def note(self, message: str, default: str = "") -> str:
        self.offered[message] = default
        return super().note(message, default)

    def text(self, message: str, default: str = "") -> str:
        self.offered[message] = default
        return super().text(message, default)

    def name(self, message: str, names: list[str], default: str = "") -> str:
        self.typeahead[message] = list(names)
        return super().name(message, names, default)


def answer(field) -> object:
    return {"note": f"Said about {field.id}", "text": f"Said about {field.id}",
            "choice": field.choices[0] if field.choices else "", "yesno": True,
            "date": str(HELD), "person": "Sam Taylor",
            "multichoice": list(field.choices[:1])}[field.type]


def test_a_dsl_meeting_walked_in_the_terminal(cli, team, tmp_path):  # noqa: F811
    assert cli("child", "add", "Lily Brown", "--dob", LILY_BORN, "--family", "Brown").code == 0
    earlier = dsl_file(tmp_path, "earlier.toml", '[[actions]]\ntext = "Chase the health '
                       'visitor"\nowner = "Sam Taylor"\ndue = "' + str(EARLIER + timedelta(7))
                       + '"\n', held=EARLIER)
    assert cli("session", "new", "--answers", earlier).code == 0
    agenda = Catalog(None).get("dsl-agenda", kind="session")
    decision = Catalog(None).get("ms-decision-record", kind="decision")
    carried_to = HELD + timedelta(days=21)
    script: list[tuple[str, object]] = []
    for section in agenda.sections:
        if section.type in ("text", "note", "choice", "yesno", "date", "person",
                            "multichoice"):
            script.append((section.title[:25], answer(section)))
        elif section.type == "action_review":
            script += [("Chase the health visitor", "carried"),
                       ("new date it is due", str(carried_to)), ("Note", "Still waiting")]
        elif section.type == "cases":
            script += [("Discuss a family", True), ("Family name", "Brown"),
                       ("Child's full name", "Lilly Brown"), ("Date of birth", LILY_BORN)]
            script.append(("Did you mean one already on the register?",
                           f"Lily Brown, born {uk_date(LILY_BORN)}, Brown family, None"))
            script += [("Another child in this family", False),
                       ("Lily Brown's status now", "Child Protection Plan"),
                       ("Child Protection Plan since", "2025-11-03"),
                       ("Lily Brown's local reference", "CP-0412")]
            script += [(f.title[:25], answer(f)) for f in section.fields]
            script.append(("Record a decision", True))
            script += [(f.title[:25], answer(f)) for f in decision.sections
                       if f.type in ("text", "note", "choice", "yesno", "date", "person")]
            script.append(("Another family", False))
        elif section.type == "actions":
            script += [("Add an action", True), ("Item", "Case 1: Brown family"),
                       ("Notes of the discussion", "Lily asked that her SW hears this"),
                       ("Agreed action:", "Share Lily's words with her SW"),
                       ("By whom", "Jo Bloggs"), ("not on the staff list", True),
                       ("role or organisation", "Social worker, Bracknell CSC"),
                       ("By when", str(HELD + timedelta(days=2))), ("Add an action", False)]
        elif section.type == "next_meeting":
            script.append(("suggests", str(HELD + timedelta(days=84))))
    script.append(("What now", "Complete the session"))
    walked = Recording(KIND, *script)
    with prompts.use(walked):
        result = cli("session", "new", "--supervisee", "Sam Taylor", "--supervisor",
                     "Alex Morgan", "--template", "dsl-agenda", "--date", str(HELD), "--time",
                     "13:30", "--duration", "90")
    assert result.code == 0, result.err
    assert "== Introduction ==" in result.err and "Item 1 of 13, Introduction" in result.err
    assert "Item 7 of 13, Reflection" in result.err
    said = " ".join(result.err.split())
    assert f"Last time: session 1, {uk_date(EARLIER)}, Alex Morgan with Sam Taylor." in said
    assert "The whole record: `supervise session show 1`." in said

    record = detail(cli, 2)
    (case,) = record["cases"]
    (lily,) = case["children"]
    assert lily["name"] == "Lily Brown"  # the misspelling became the child on the register
    assert (lily["status"], lily["since"]) == ("child-protection", "2025-11-03")
    assert lily["ref"] == "CP-0412"
    said = {a["id"]: a["answer"] for a in case["answers"]}
    assert said["escalate"] is True and said["escalated_to"] == "Said about escalated_to"
    children = json.loads(cli("child", "list", "--json").out)
    assert [c["name"] for c in children] == ["Lily Brown"]

    assert walked.typeahead[FAMILY] == ["Brown"]  # the register's, as typed ahead
    assert walked.typeahead["Child's full name:"] == ["Lily Brown"]
    offered = next(d for m, d in walked.offered.items() if m.startswith("Decision"))
    assert offered == "Said about decision"  # the case's management decision, not retyped

    actions = json.loads(cli("action", "list", "--json").out)
    chased = next(a for a in actions if a["text"] == "Chase the health visitor")
    assert chased["due"] == str(carried_to) and chased["reviews"][0]["outcome"] == "carried"
    contact = next(a for a in actions if a["text"].startswith("Share Lily"))
    assert (contact["case"], contact["notes"]) == (1, "Lily asked that her SW hears this")
    assert contact["owner"].startswith("Jo Bloggs") and "Social worker" in contact["owner"]
    assert TODAY >= HELD


def _fields_script(template, value=lambda f: answer(f)) -> list[tuple[str, object]]:
    """Answers for every question of `template` a walk asks when nothing is saved yet."""
    script: list[tuple[str, object]] = []
    for section in template.sections:
        if section.type in ("text", "note", "choice", "yesno", "date", "person",
                            "multichoice"):
            script.append((section.title[:25], value(section)))
        elif section.type == "cases":
            script.append(("Discuss a family", False))
        elif section.type == "actions":
            script.append(("Add an action", False))
        elif section.type == "next_meeting":
            script.append(("suggests", str(HELD + timedelta(days=28))))
    return script


def test_mistakes_before_the_agenda_are_asked_again_in_the_same_run(cli, team):  # noqa: F811
    future = TODAY + timedelta(days=3)
    script = ScriptedPrompter(("Supervisee:", "sam tailor"), ("Supervisee:", "Sam Taylor"), KIND,
                              ("Date held", str(future)), ("Date held", str(HELD)),
                              ("Start time", "3.45pm"), ("Start time", "15:45"),
                              ("Duration", "60"), ("Welcome", KeyboardInterrupt()))
    with prompts.use(script):
        result = cli("session", "new", "--supervisor", "Alex Morgan", "--template",
                     "dsl-agenda")
    assert result.code == 130, result.err
    assert "Did you mean: Sam Taylor?" in result.err
    assert "is in the future" in result.err and "'3.45pm' is not a time" in result.err
    record = detail(cli, 1)
    assert (record["held_on"], record["time"], record["supervisees"]) == (
        str(HELD), "15:45", ["Sam Taylor"])


def test_a_future_date_given_as_a_flag_is_refused_before_any_question(cli, team):  # noqa: F811
    with prompts.use(ScriptedPrompter()):
        result = cli("session", "new", "--supervisee", "Sam Taylor", "--date",
                     str(TODAY + timedelta(days=3)), "--template", "dsl-agenda")
    assert result.code == 2 and "is in the future" in result.err


def test_the_review_goes_back_to_an_answer_and_changes_it(cli, team):  # noqa: F811
    template = Catalog(None).get("ms-supervision-record", kind="session")
    first = next(s for s in template.sections if s.type in ("text", "note"))
    script = [KIND, *_fields_script(template)] + [
        ("What now", "Go back and change an answer"), ("Which answer", _fits(first.title)),
        (first.title[:25], "Changed after the review"),
        ("What now", "Complete the session")]
    with prompts.use(ScriptedPrompter(*script)):
        result = cli("session", "new", "--supervisee", "Sam Taylor", "--supervisor",
                     "Alex Morgan", "--template", "ms-supervision-record", "--date", str(HELD),
                     "--time", "10:00", "--duration", "60")
    assert result.code == 0, result.err
    assert "Review before completing" in result.err
    answers = {a["id"]: a["answer"] for a in detail(cli, 1)["answers"]}
    assert answers[first.id] == "Changed after the review"
    assert detail(cli, 1)["status"] == "completed"


def test_resume_takes_a_decision_without_rationale_to_it_before_completing(
        cli, team):  # noqa: F811
    decision = Catalog(None).get("ms-decision-record", kind="decision")
    agenda = Catalog(None).get("dsl-agenda", kind="session")
    with opened(team) as store:
        number = draft(store)
        drafting.record_case(store, number, position=1, family="Brown",
                             children=[{"name": "Lily Brown", "dob": LILY_BORN}], status=None)
        fields = agenda.of_type("cases").fields
        drafting.record_case_answer(store, number, 1, fields[0].id,
                                    {f.id: "Said" for f in fields})
        drafting.record_decision(store, number, 1, decision, {
            "synopsis": "Known since 2024.", "concerns": "Domestic abuse.",
            "decision": "Refer to MASH."})  # Ctrl-C at the rationale
    script = [s for s in _fields_script(agenda) if s[0] != "Discuss a family"]
    cases_at = next(i for i, s in enumerate(agenda.sections) if s.type == "cases")
    before = sum(1 for s in agenda.sections[:cases_at]
                 if s.type in ("text", "note", "choice", "yesno", "date", "person"))
    script.insert(before, ("Another family", False))
    script += [("What now", "Answer what is still needed"),
               ("Rationale", "The disclosure outweighs the recent improvement."),
               ("What now", "Complete the session")]
    with prompts.use(ScriptedPrompter(*script)):
        result = cli("session", "resume", str(number))
    assert result.code == 0, result.err
    assert "Still needed before it can be completed: case 1 (Brown family), its decision " \
           "record: Rationale" in " ".join(result.err.split())
    record = detail(cli, number)
    assert record["status"] == "completed"
    assert record["cases"][0]["decision"]["rationale"].startswith("The disclosure")


def test_to_whom_and_by_when_are_asked_only_after_yes_to_escalate(cli, team):  # noqa: F811
    agenda = Catalog(None).get("dsl-agenda", kind="session")
    fields = agenda.of_type("cases").fields
    script: list[tuple[str, object]] = [KIND]
    for step in _fields_script(agenda):
        if step[0] != "Discuss a family":
            script.append(step)
            continue
        script += [("Discuss a family", True), ("Family name", "Brown"),
                   ("Child's full name", "Tom Brown"), ("Date of birth", ""),
                   ("Another child", False), ("Tom Brown's status now", "None"),
                   ("local reference", "")]
        script += [(f.title[:25], False if f.id == "escalate" else answer(f))
                   for f in fields if f.when is None]  # escalate: no, so nothing more
        script += [("Record a decision", False), ("Another family", False)]
    script.append(("What now", "Complete the session"))
    with prompts.use(ScriptedPrompter(*script)):
        result = cli("session", "new", "--supervisee", "Sam Taylor", "--supervisor",
                     "Alex Morgan", "--template", "dsl-agenda", "--date", str(HELD),
                     "--time", "10:00", "--duration", "60")
    assert result.code == 0, result.err
    answers = {a["id"]: a["answer"] for a in detail(cli, 1)["cases"][0]["answers"]}
    assert answers["escalate"] is False
    assert answers.get("escalated_to") is None and answers.get("escalate_by") is None


def test_the_childs_name_offers_the_familys_children_first_each_once():
    from supervise.cli.records.walk_cases import _family_first

    def row(name, family):
        return {"id": 1, "name": name, "dob": None, "ref": None, "family": family,
                "status": "none", "status_since": None}

    register = [row("Amy Smith", "Smith"), row("Lily Brown", "Brown"),
                row("Amy Smith", "Jones"), row("Tom Brown", "brown")]
    assert _family_first(register, "Brown") == ["Lily Brown", "Tom Brown", "Amy Smith"]


def test_review_notes_of_previous_meeting_shows_last_times_notes_and_decisions(
        cli, team, tmp_path):  # noqa: F811
    earlier = dsl_file(tmp_path, "earlier.toml", '''[answers]
agreed_expectations = "Termly, 90 minutes.\\nNotes within a week."
[[cases]]
family = "Brown"
children = [{name = "Lily Brown", dob = "2019-04-02"}]
answers = {notes = "Disclosure on Monday."}
[cases.decision]
synopsis = "Known since 2024."
concerns = "Domestic abuse."
decision = "Refer to MASH today."
rationale = "Immediate risk."
[[actions]]
text = "Chase the health visitor"
owner = "Sam Taylor"
due = "''' + str(EARLIER + timedelta(7)) + '"\n', held=EARLIER)
    assert cli("session", "new", "--answers", earlier).code == 0
    agenda = Catalog(None).get("dsl-agenda", kind="session")
    review_at = next(i for i, s in enumerate(agenda.sections) if s.type == "action_review")
    before = [(s.title[:25], answer(s)) for s in agenda.sections[:review_at]]
    script = ScriptedPrompter(KIND, *before, ("Chase the health visitor", KeyboardInterrupt()))
    with prompts.use(script):
        result = cli("session", "new", "--supervisee", "Sam Taylor", "--supervisor",
                     "Alex Morgan", "--template", "dsl-agenda", "--date", str(HELD),
                     "--time", "10:00", "--duration", "60")
    assert result.code == 130, result.err
    lines = result.err.splitlines()
    shown = lines[next(i for i, line in enumerate(lines) if line.startswith("Last time")):]
    assert "  Agreed expectations: Termly, 90 minutes. Notes within a week." in shown
    assert "  Case 1: Brown family. Decision: Refer to MASH today." in shown
    assert all(len(line) <= 80 for line in shown)
