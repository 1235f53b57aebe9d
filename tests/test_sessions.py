"""Recording sessions: answers files, the agenda walked on a (scripted) terminal with autosave,
resume, actions reviewed across sessions, children, decisions, cancellations, late entries."""

import json
import tomllib
from datetime import date, timedelta

import pytest

from supervise.cli import prompts
from supervise.store.catalog import Catalog
from supervise.store.db.writing import Stamp
from tests.clock import TODAY
from tests.conftest import build_initialised
from tests.helpers import KIND, ScriptedPrompter

SESSION_TEMPLATES = sorted(f.id for f in Catalog(None).files() if f.template.kind == "session")


def build_team(cli, scratch) -> str:
    key = build_initialised(cli, scratch)
    for args in (["Alex Morgan", "--role", "Head of Safeguarding", "--supervisor"],
                 ["Sam Taylor", "--role", "Deputy DSL"],
                 ["Priya Shah", "--role", "DSL"]):
        assert cli("person", "add", *args).code == 0
    assert cli("contract", "new", "--supervisee", "Sam Taylor", "--supervisor",
               "Alex Morgan").code == 0
    return key


@pytest.fixture
def team(cli, template_stores):
    """Alex Morgan supervises Sam Taylor under a contract; Priya Shah is a DSL."""
    template_stores.copy("sessions-team", build_team, cli.store.parent.parent)
    return cli.store


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def sessions(cli, *args):
    result = cli("session", "list", "--json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def detail(cli, session_id):
    result = cli("session", "show", str(session_id), "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


@pytest.mark.parametrize("template_id", SESSION_TEMPLATES)
def test_a_skeleton_records_a_whole_session_with_no_prompt(cli, team, tmp_path, template_id):
    skeleton = cli("template", "skeleton", template_id).out
    path = write(tmp_path, "session.toml", skeleton)
    with prompts.use(ScriptedPrompter()):  # any prompt at all fails the test
        result = cli("session", "new", "--answers", str(path))
    assert result.code == 0, result.err
    record = detail(cli, 1)
    expected = tomllib.loads(skeleton)
    assert record["status"] == "completed" and record["template"] == template_id
    assert record["supervisees"] == sorted(expected["supervisees"])
    answered = {a["id"]: a["answer"] for a in record["answers"] if a["answer"] is not None}
    assert answered == expected["answers"]
    if "cases" in expected:
        case = record["cases"][0]
        assert case["children"] == expected["cases"][0]["children"]
        assert {a["id"]: a["answer"] for a in case["answers"]} == \
            expected["cases"][0]["answers"]
    if "actions" in expected:
        assert [a["text"] for a in record["actions"]] == [
            a["text"] for a in expected["actions"]]
    assert record["functions"] and record["late_entry"] is False
    assert len(record["digest"]) == 64


def test_a_bad_answers_file_is_refused_whole_and_stores_nothing(cli, team, tmp_path):
    path = write(tmp_path, "bad.toml", f"""\
template = "ms-supervision-record"
date = "{TODAY}"
supervisees = ["Sam Tailor"]
next_meeting = "{TODAY - timedelta(days=3)}"

[[cases]]
family = "Nowak"
children = [{{name = "Zofia Nowak"}}]
status = "on a plan"
answers = {{summary = "Seen at home."}}
""")
    result = cli("session", "new", "--answers", str(path))
    assert result.code == 2
    for fragment in ("3 problems", "nothing was stored",
                     "supervisees[1]: No person named 'Sam Tailor'. Did you mean: Sam Taylor?",
                     "next_meeting: ", "is not after the session date",
                     "cases[1].status: 'on a plan' is not a status"):
        assert fragment in result.err, result.err
    assert sessions(cli) == []
    assert json.loads(cli("child", "list", "--json").out) == []


AWKWARD_NOTE = "Pasted from Word:\x0bsecond line\x0c\n" + "Long note. " * 1_900  # ~20,900


def test_awkward_text_and_names_in_any_script_are_kept_exactly(cli, team, tmp_path):
    assert len(AWKWARD_NOTE) > 20_000
    data = {
        "template": "ms-supervision-record", "date": TODAY.isoformat(),
        "supervisees": ["Sam Taylor"],
        "answers": {"matters_arising": AWKWARD_NOTE},
        "cases": [{"family": "ap Gwilym-Nowak", "status": "early-help",
                   "children": [{"name": "Siân ap Gwilym", "dob": "2016-05-01"},
                                {"name": "Zażółć Nowak"}, {"name": "عائشہ خان"},
                                {"name": "Mia 🌟 Nowak"}],
                   "answers": {"summary": "Emoji 👩\u200d👧 and Urdu: بچے کی آواز"}}],
    }
    path = write(tmp_path, "awkward.json", json.dumps(data, ensure_ascii=False))
    result = cli("session", "new", "--answers", str(path))
    assert result.code == 0, result.err
    record = detail(cli, 1)
    answered = {a["id"]: a["answer"] for a in record["answers"]}
    assert answered["matters_arising"] == AWKWARD_NOTE
    case = record["cases"][0]
    assert [c["name"] for c in case["children"]] == [c["name"] for c in data["cases"][0]
                                                     ["children"]]
    assert case["family"] == "ap Gwilym-Nowak"
    assert {a["id"]: a["answer"] for a in case["answers"]}["summary"] == \
        data["cases"][0]["answers"]["summary"]
    shown = cli("session", "show", "1").out
    assert "Pasted from Word:[U+000B]second line[U+000C]" in shown and "\x0b" not in shown
    assert "Siân ap Gwilym" in shown and "عائشہ خان" in shown and "Mia 🌟 Nowak" in shown
    child = json.loads(cli("child", "show", "Siân ap Gwilym", "--json").out)
    assert child["status"] == "early-help" and child["family"] == "ap Gwilym-Nowak"


def session_file(tmp_path, name: str, held: date, extra: str = "") -> str:
    return str(write(tmp_path, name, f"""\
template = "ms-supervision-record"
date = "{held}"
supervisees = ["Sam Taylor"]
{extra}"""))


def test_reviewing_an_action_in_later_sessions_keeps_every_review(cli, team, tmp_path):
    first = TODAY - timedelta(days=60)
    assert cli("session", "new", "--answers", session_file(tmp_path, "1.toml", first, f"""
[[actions]]
text = "Chase the health visitor's report"
owner = "Sam Taylor"
due = "{first + timedelta(days=14)}"
""")).code == 0
    review = """
[[action_review]]
action = 1
outcome = "carried"
note = "Report promised for next week"
"""
    undated = cli("session", "new", "--answers", session_file(
        tmp_path, "2.toml", TODAY - timedelta(days=30), review))
    assert undated.code == 2 and "a carried action needs its new due date" in undated.err
    assert len(sessions(cli)) == 1
    new_due = TODAY - timedelta(days=20)
    second = session_file(tmp_path, "2.toml", TODAY - timedelta(days=30),
                          review + f'due = "{new_due}"\n')
    assert cli("session", "new", "--answers", second).code == 0
    action = json.loads(cli("action", "list", "--json").out)[0]
    assert action["status"] == "open" and len(action["reviews"]) == 1
    assert action["due"] == new_due.isoformat()  # carried forward to its new date
    assert (action["reviews"][0]["due_before"], action["reviews"][0]["due_after"]) == (
        (first + timedelta(days=14)).isoformat(), new_due.isoformat())
    third = session_file(tmp_path, "3.toml", TODAY, """
[[action_review]]
action = 1
outcome = "done"
note = "Report received and on file"
""")
    assert cli("session", "new", "--answers", third).code == 0
    action = json.loads(cli("action", "list", "--json").out)[0]
    assert action["status"] == "done"
    assert [(r["session"], r["outcome"], r["note"]) for r in action["reviews"]] == [
        (2, "carried", "Report promised for next week"),
        (3, "done", "Report received and on file")]
    again = cli("session", "new", "--answers", session_file(
        tmp_path, "4.toml", TODAY, "[[action_review]]\naction = 1\noutcome = \"dropped\"\n"))
    assert again.code == 2 and "action 1 is already done" in again.err
    assert len(sessions(cli)) == 3


def test_actions_can_be_listed_done_and_moved_between_sessions(cli, team, tmp_path):
    held = TODAY - timedelta(days=40)
    actions = "".join(f"""
[[actions]]
text = "{text}"
owner = "{owner}"
due = "{held + timedelta(days=days)}"
""" for text, owner, days in (("Overdue one", "Sam Taylor", 7),
                              ("Later one", "Alex Morgan", 60)))
    assert cli("session", "new", "--answers", session_file(tmp_path, "a.toml", held,
                                                           actions)).code == 0
    overdue = json.loads(cli("action", "list", "--overdue", "--json").out)
    assert [a["text"] for a in overdue] == ["Overdue one"]
    mine = json.loads(cli("action", "list", "--owner", "alex morgan", "--json").out)
    assert [a["text"] for a in mine] == ["Later one"]
    moved = cli("action", "update", "1", "--due", (TODAY + timedelta(days=7)).isoformat(),
                "--note", "Waiting for the school nurse")
    assert moved.code == 0
    assert json.loads(cli("action", "list", "--overdue", "--json").out) == []
    assert cli("action", "done", "2", "--note", "Done early").code == 0
    assert [a["id"] for a in json.loads(cli("action", "list", "--open", "--json").out)] == [1]
    assert cli("action", "done", "2").code == 1
    assert cli("action", "done", "99").code == 1


def test_a_session_written_days_later_is_a_late_entry_everywhere(cli, team, tmp_path):
    held = TODAY - timedelta(days=10)
    assert cli("session", "new", "--answers", session_file(tmp_path, "late.toml", held)).code == 0
    assert detail(cli, 1)["late_entry"] is True
    assert "LATE ENTRY" in cli("session", "show", "1").out
    assert "LATE ENTRY" in cli("session", "list").out
    assert cli("session", "new", "--answers", session_file(tmp_path, "now.toml", TODAY)).code == 0
    assert detail(cli, 2)["late_entry"] is False


def test_group_sessions_need_several_supervisees_and_say_so(cli, team, tmp_path):
    skeleton = cli("template", "skeleton", "la-pod-record").out
    data = tomllib.loads(skeleton)
    data["supervisees"] = ["Sam Taylor", "Priya Shah"]
    data["answers"]["concern_lead"] = "Alex Morgan"
    path = write(tmp_path, "pod.json", json.dumps(data))
    assert cli("session", "new", "--answers", str(path)).code == 0
    record = detail(cli, 1)
    assert record["kind"] == "group" and record["supervisees"] == ["Priya Shah", "Sam Taylor"]
    lone = dict(data, supervisees=["Sam Taylor"])
    result = cli("session", "new", "--answers", str(write(tmp_path, "lone.json",
                                                          json.dumps(lone))))
    assert result.code == 2 and "a group session has two or more supervisees" in result.err


def test_a_cancelled_meeting_is_its_own_record(cli, team):
    result = cli("session", "cancel", "--supervisee", "Sam Taylor", "--date",
                 TODAY.isoformat(), "--by", "supervisee", "--reason", "Off sick")
    assert result.code == 0 and "the supervisee who cancelled rebooks it" in result.err
    bad = cli("session", "cancel", "--supervisee", "Sam Taylor", "--date", TODAY.isoformat(),
              "--by", "governor", "--reason", "x")
    assert bad.code == 2
    early = cli("session", "cancel", "--supervisee", "Sam Taylor", "--date", TODAY.isoformat(),
                "--by", "supervisor", "--reason", "x", "--rebooked",
                (TODAY - timedelta(days=1)).isoformat())
    assert early.code == 2 and "not after the cancelled meeting" in early.err
    assert sessions(cli) == []  # a cancellation is not a session held


def test_children_on_the_register(cli, team):
    assert cli("child", "add", "Jamie Example", "--dob", "2015-03-14", "--family",
               "Example", "--status", "child-protection", "--ref", "CP-1234").code == 0
    twin = cli("child", "add", "Jamie Example", "--dob", "2015-03-14")
    assert twin.code == 2 and "already on the register" in twin.err
    assert cli("child", "add", "Jamie Example", "--dob", "2019-01-02").code == 0
    ambiguous = cli("child", "show", "jamie example")
    assert ambiguous.code == 1 and "--dob or --ref" in ambiguous.err
    shown = json.loads(cli("child", "show", "Jamie Example", "--ref", "CP-1234", "--json").out)
    assert shown["status"] == "child-protection" and shown["family"] == "Example"
    assert cli("child", "add", "Future Child", "--dob", "2999-01-01").code == 2
    assert cli("child", "add", "X", "--status", "at risk").code == 2
    unknown = cli("child", "show", "Jamie Exampel")
    assert unknown.code == 1 and "Did you mean: Jamie Example?" in unknown.err


def test_a_decision_record_is_kept_for_the_childs_file(cli, team, tmp_path):
    path = session_file(tmp_path, "d.toml", TODAY, """
[[cases]]
family = "Okafor"
children = [{name = "Ada Okafor", dob = "2014-02-02"}]
status = "child-in-need"
answers = {summary = "Missed two health appointments since we last met."}

[cases.decision]
synopsis = "Known to services since 2023."
concerns = "Neglect: missed health appointments."
decision = "Request a strategy discussion."
rationale = "Three missed appointments and a new injury outweigh the recent improvement."
""")
    assert cli("session", "new", "--answers", path).code == 0
    decisions = json.loads(cli("decision", "list", "--child", "Ada Okafor", "--json").out)
    assert len(decisions) == 1 and decisions[0]["answers"]["decision"].startswith("Request")
    shown = cli("decision", "show", str(decisions[0]["id"]))
    assert shown.code == 0 and "Three missed appointments" in shown.out
    assert cli("decision", "show", "77").code == 1


def test_on_a_terminal_the_agenda_is_walked_and_saved_answer_by_answer(cli, team):
    script = ScriptedPrompter(
        ("Kind of session", "One-to-one"),
        ("holidays, sickness absence", "Annual leave in August; safeguarding refresher done"),
        ("ALL current cases or a sample", "All current cases"),
        ("Matters arising", KeyboardInterrupt()),  # the DSL is called away
    )
    with prompts.use(script):
        result = cli("session", "new", "--supervisee", "Sam Taylor", "--date",
                     TODAY.isoformat(), "--time", "14:30", "--duration", "60")
    assert result.code == 130 and "session resume 1" in result.err
    draft = detail(cli, 1)
    assert draft["status"] == "draft" and draft["supervisor"] == "Alex Morgan"
    saved = {a["id"]: a["answer"] for a in draft["answers"] if a["answer"]}
    assert saved == {"absence_and_training": "Annual leave in August; safeguarding refresher "
                                             "done", "case_coverage": "All current cases"}
    assert sessions(cli, "--status", "draft")[0]["id"] == 1


def test_resume_finishes_a_draft_and_a_finished_session_cannot_be_resumed(cli, team):
    template = Catalog(None).get("ms-supervision-record")
    with prompts.use(ScriptedPrompter(KIND, ("holidays", KeyboardInterrupt()))):
        assert cli("session", "new", "--supervisee", "Sam Taylor", "--date",
                   TODAY.isoformat(), "--time", "09:00", "--duration", "45").code == 130
    script = []
    for section in template.sections:
        if section.type in ("text", "note"):
            script.append((section.title[:20], f"Answer to {section.id}"))
        elif section.type == "choice":
            script.append((section.title[:20], section.choices[0]))
        elif section.type == "action_review":
            pass  # no open actions yet: nothing is asked
        elif section.type == "cases":
            script.append(("Discuss a family", False))
        elif section.type == "actions":
            script += [("Add an action", True), ("Item", "None in particular"), ("Notes", ""),
                       ("Agreed action:", "Book the review meeting"),
                       ("By whom", "Sam Taylor"), ("By when", str(TODAY + timedelta(days=7))),
                       ("Add an action", False)]
        elif section.type == "next_meeting":
            script.append(("suggests", str(TODAY + timedelta(days=28))))
    script.append(("What now", "Complete the session"))
    finish = ScriptedPrompter(*script)
    with prompts.use(finish):
        result = cli("session", "resume", "1")
    assert result.code == 0, result.err
    assert finish.finished()
    record = detail(cli, 1)
    assert record["status"] == "completed" and record["next_meeting"] == str(
        TODAY + timedelta(days=28))
    assert [a["text"] for a in record["actions"]] == ["Book the review meeting"]
    again = cli("session", "resume", "1")
    assert again.code == 1 and "only a draft can be resumed" in again.err


def test_every_group_record_says_its_boundaries_and_concern_lead(cli, team, tmp_path):
    data = tomllib.loads(cli("template", "skeleton", "eyfs-record").out)
    data.update(kind="group", supervisees=["Sam Taylor", "Priya Shah"])
    missing = cli("session", "new", "--answers", str(write(tmp_path, "g.json",
                                                           json.dumps(data))))
    assert missing.code == 2
    assert "group_confidentiality: a group session records the confidentiality" in missing.err
    assert "concern_lead: a group session records who takes forward" in missing.err
    data.update(group_confidentiality="Stays in the room unless a child is at risk",
                concern_lead="alex morgan")
    made = cli("session", "new", "--answers", str(write(tmp_path, "g2.json", json.dumps(data))))
    assert made.code == 0, made.err
    record = detail(cli, 1)
    assert record["group"] == {"group_confidentiality": "Stays in the room unless a child is "
                                                        "at risk", "concern_lead": "Alex Morgan"}
    assert "who takes forward an immediate safeguarding concern\nAlex Morgan" in cli(
        "session", "show", "1").out
    solo = dict(data, kind="one-to-one", supervisees=["Sam Taylor"])
    refused = cli("session", "new", "--answers", str(write(tmp_path, "g3.json",
                                                           json.dumps(solo))))
    assert refused.code == 2 and "only a group session records this" in refused.err


def test_a_group_session_on_a_terminal_asks_the_group_questions_first(cli, team):
    script = ScriptedPrompter(
        ("Supervisee", "Sam Taylor"), ("Supervisee", "Priya Shah"),  # a group needs two
        ("Another supervisee", False),
        ("confidentiality boundaries", "Nothing leaves the room"),
        ("immediate safeguarding concern", "Alex Morgan"),
        ("Clarify roles", KeyboardInterrupt()),
    )
    with prompts.use(script):
        result = cli("session", "new", "--kind", "group", "--template", "eyfs-record",
                     "--supervisor", "Alex Morgan", "--date", TODAY.isoformat(), "--time",
                     "16:00", "--duration", "45")
    assert result.code == 130, result.err
    assert script.finished()
    assert detail(cli, 1)["group"]["concern_lead"] == "Alex Morgan"



def test_the_kind_of_session_is_asked_when_the_agenda_has_more_than_one(cli, team):
    script = ScriptedPrompter(
        ("Supervisee", "Sam Taylor"),
        ("Kind of session", "Group (several supervisees)"),
        ("Supervisee", "Priya Shah"), ("Another supervisee", False),
        ("confidentiality boundaries", "Nothing leaves the room"),
        ("immediate safeguarding concern", "Alex Morgan"),
        ("Clarify roles", KeyboardInterrupt()),
    )
    with prompts.use(script):
        result = cli("session", "new", "--template", "eyfs-record", "--supervisor",
                     "Alex Morgan", "--date", TODAY.isoformat(), "--time", "16:00",
                     "--duration", "45")
    assert result.code == 130, result.err
    record = detail(cli, 1)
    assert record["kind"] == "group"
    assert sorted(record["supervisees"]) == ["Priya Shah", "Sam Taylor"]
    pod = ScriptedPrompter(("Supervisee", "Sam Taylor"), ("Another supervisee", False),
                           ("Confidentiality boundaries", KeyboardInterrupt()))
    with prompts.use(pod):  # a group-only agenda: not asked
        only = cli("session", "new", "--template", "la-pod-record", "--supervisor",
                   "Alex Morgan", "--date", TODAY.isoformat(), "--time", "16:00",
                   "--duration", "45", "--supervisee", "Priya Shah")
    assert only.code == 130, only.err
    assert detail(cli, 2)["kind"] == "group"

def test_children_who_share_a_name_are_never_merged_or_duplicated(cli, team, tmp_path):
    for dob in ("2015-01-01", "2018-01-01"):
        assert cli("child", "add", "Amy Smith", "--dob", dob).code == 0
    case = '[[cases]]\nfamily = "Smith"\nchildren = [{name = "Amy Smith"%s}]\n' \
           'answers = {summary = "Seen at school."}\n'
    refused = cli("session", "new", "--answers", session_file(tmp_path, "a.toml", TODAY,
                                                              case % ""))
    assert refused.code == 2 and "2 children are named 'Amy Smith'" in refused.err
    assert "give the child's date of birth" in refused.err
    assert len(json.loads(cli("child", "list", "--json").out)) == 2 and sessions(cli) == []
    picked = session_file(tmp_path, "b.toml", TODAY, case % ', dob = "2018-01-01"')
    assert cli("session", "new", "--answers", picked).code == 0
    assert detail(cli, 1)["cases"][0]["children"] == [{
        "name": "Amy Smith", "dob": "2018-01-01", "status": "none", "since": None, "ref": None}]
    new_one = session_file(tmp_path, "c.toml", TODAY, case % ', dob = "2020-05-05"')
    assert cli("session", "new", "--answers", new_one).code == 0
    assert len(json.loads(cli("child", "list", "--json").out)) == 3


def test_a_case_keeps_the_childs_status_unless_told_and_never_moves_it_back(cli, team,
                                                                             tmp_path):
    assert cli("child", "add", "Leo Brown", "--dob", "2018-06-30", "--status",
               "child-in-need").code == 0
    case = ('[[cases]]\nfamily = "Brown"\nchildren = [{name = "Leo Brown"}]\n%s'
            'answers = {summary = "Seen."}\n')
    assert cli("session", "new", "--answers", session_file(tmp_path, "a.toml", TODAY,
                                                           case % "")).code == 0
    child = json.loads(cli("child", "show", "Leo Brown", "--json").out)
    assert child["status"] == "child-in-need"
    assert detail(cli, 1)["cases"][0]["status"] == "child-in-need"
    older = session_file(tmp_path, "b.toml", TODAY - timedelta(days=30),
                         case % 'status = "early-help"\n')
    assert cli("session", "new", "--answers", older).code == 0  # a late entry
    assert json.loads(cli("child", "show", "Leo Brown", "--json").out)["status"] == \
        "child-in-need"


def test_without_a_terminal_session_new_needs_an_answers_file(cli, team):
    result = cli("session", "new", "--supervisee", "Sam Taylor")
    assert result.code == 2 and "--answers FILE" in result.err
    assert sessions(cli) == []


def test_answers_files_cannot_review_other_peoples_or_later_actions(cli, team, tmp_path):
    later = session_file(tmp_path, "a.toml", TODAY, f"""
[[actions]]
text = "Agreed today"
owner = "Sam Taylor"
due = "{TODAY + timedelta(days=7)}"
""")
    assert cli("session", "new", "--answers", later).code == 0
    back_dated = session_file(tmp_path, "b.toml", TODAY - timedelta(days=20),
                              '[[action_review]]\naction = 1\noutcome = "done"\n')
    result = cli("session", "new", "--answers", back_dated)
    assert result.code == 2 and "action 1 was not agreed with these supervisees by" in result.err
    other = str(write(tmp_path, "c.toml", f'template = "ms-supervision-record"\ndate = '
                      f'"{TODAY}"\nsupervisees = ["Priya Shah"]\n[[action_review]]\n'
                      'action = 1\noutcome = "done"\n'))
    assert cli("session", "new", "--answers", other).code == 2
    twice = str(write(tmp_path, "d.toml", f'date = "{TODAY}"\nkind = "group"\n'
                      'supervisees = ["Sam Taylor", "sam taylor"]\n'))
    assert "listed twice" in cli("session", "new", "--answers", twice).err
    assert len(sessions(cli)) == 1


def test_a_draft_changes_no_action_until_it_is_completed(cli, team, tmp_path):
    assert cli("session", "new", "--answers", session_file(
        tmp_path, "a.toml", TODAY - timedelta(days=14),
        f'[[actions]]\ntext = "Chase the report"\nowner = "Sam Taylor"\n'
        f'due = "{TODAY - timedelta(days=7)}"\n')).code == 0
    template = Catalog(None).get("ms-supervision-record")
    first = [(s.title[:20], "x" if s.type == "note" else s.choices[0])
             for s in template.sections[:2]]
    script = ScriptedPrompter(KIND, *first, ("[1] Chase the report", "done"), ("Note", "Arrived"),
                              ("Matters arising", KeyboardInterrupt()))
    with prompts.use(script):
        assert cli("session", "new", "--supervisee", "Sam Taylor", "--date", TODAY.isoformat(),
                   "--time", "10:00", "--duration", "60").code == 130
    assert json.loads(cli("action", "list", "--json").out)[0]["status"] == "open"
    finish = [("Matters arising", ""), ("Discuss a family", False),
              *[(s.title[:20], "") for s in template.sections
                if s.id in ("team_issues", "personal_development", "any_other_business")],
              ("Add an action", True), ("Item", "None in particular"), ("Notes", ""),
              ("Agreed action:", "Agreed in the draft"),
              ("By whom", "Sam Taylor"), ("By when", str(TODAY + timedelta(days=3))),
              ("Add an action", False), ("suggests", str(TODAY + timedelta(days=28))),
              ("What now", "Complete the session")]
    with prompts.use(ScriptedPrompter(*finish)):  # the review is not offered again
        assert cli("session", "resume", "2").code == 0
    actions = json.loads(cli("action", "list", "--json").out)
    assert [(a["text"], a["status"]) for a in actions] == [
        ("Chase the report", "done"), ("Agreed in the draft", "open")]


def test_a_half_recorded_case_is_finished_on_resume(cli, team):
    template = Catalog(None).get("ms-supervision-record")
    fields = template.of_type("cases").fields
    start = [(s.title[:20], "x" if s.type == "note" else s.choices[0])
             for s in template.sections[:2]]
    start += [("Matters arising", "None"), ("Discuss a family", True),
              ("Family name", "Brown"), ("Child's full name", "Leo Brown"),
              ("Date of birth", "2018-06-30"), ("Another child", False),
              ("Leo Brown's status now", "Child in Need"), ("Child in Need since", "2025-09-01"),
              ("local reference", ""), (fields[0].title[:15], KeyboardInterrupt())]
    with prompts.use(ScriptedPrompter(KIND, *start)):
        assert cli("session", "new", "--supervisee", "Sam Taylor", "--date", TODAY.isoformat(),
                   "--time", "10:00", "--duration", "60").code == 130
    rest = [(f.title[:15], "Answered on resume" if f.type in ("text", "note") else
             (f.choices[0] if f.type == "choice" else ("2026-01-01" if f.type == "date"
                                                       else False))) for f in fields]
    resume = ScriptedPrompter(*rest, ("Record a decision", False),
                              ("Another family", False), ("Team", KeyboardInterrupt()))
    with prompts.use(resume):
        assert cli("session", "resume", "1").code == 130
    case = detail(cli, 1)["cases"][0]
    assert case["children"][0]["name"] == "Leo Brown"
    assert {a["id"] for a in case["answers"]} == {f.id for f in fields}



def test_late_entry_is_judged_when_the_record_is_completed(team):
    from datetime import UTC, datetime

    from supervise.store.db.opening import unlock_store
    from supervise.store.records.people import find_person
    from supervise.store.records.policies import current_policy
    from supervise.store.records.sessions import complete, start_draft
    from tests.helpers import PASSPHRASE

    held = date(2026, 3, 2)
    started, finished = (datetime(2026, 3, d, 17, 0, tzinfo=UTC) for d in (2, 6))
    with unlock_store(team, passphrase=lambda: PASSPHRASE, user=None, now=started) as store:
        with store.session() as session:
            policy, version = current_policy(session)
            record = start_draft(
                Stamp(session, started,
                      "Test"), template=Catalog(None).get("ms-supervision-record"),
                kind="one-to-one", supervisor=find_person(session, "Alex Morgan"),
                supervisees=[find_person(session, "Sam Taylor")], held_on=held,
                start_time=None, duration=None, contract_id=None, policy=policy,
                policy_version=version)
            assert record.late_entry is False  # begun on the day
            complete(Stamp(session, finished, "Test"), record, policy=policy)
            assert record.late_entry is True  # finished four days later


def test_a_draft_can_be_discarded_but_a_completed_session_cannot(cli, team, tmp_path):
    with prompts.use(ScriptedPrompter(KIND, ("holidays", "Leave"),
                                      ("ALL current cases", "A sample"),
                                      ("Matters", KeyboardInterrupt()))):
        assert cli("session", "new", "--supervisee", "Sam Taylor", "--date", TODAY.isoformat(),
                   "--time", "10:00", "--duration", "60").code == 130
    assert cli("session", "discard", "1").code == 2  # asks first; no terminal here
    assert cli("session", "discard", "1", "--yes").code == 0
    assert sessions(cli) == []
    assert cli("session", "new", "--answers", session_file(tmp_path, "a.toml", TODAY)).code == 0
    kept = cli("session", "discard", "2", "--yes")
    assert kept.code == 1 and "only a draft can be discarded" in kept.err
    assert len(sessions(cli)) == 1
