"""The meeting walked in the terminal (scripted prompts, in-process): a carried action asks for
its new date, a misspelt child is offered the one on the register, each child gets their own
status and since-date, an action can be owned by a contact outside the staff list, the decision
record starts from the case's own decision, and the walk says where it is in the agenda."""

import json
from datetime import timedelta

from supervise.cli import prompts
from supervise.store.catalog import Catalog
from tests.clock import TODAY
from tests.helpers import ScriptedPrompter
from tests.test_meeting_records import HELD, LILY_BORN, dsl_file, team  # noqa: F401 - fixture
from tests.test_sessions import detail

EARLIER = HELD - timedelta(days=40)


class Recording(ScriptedPrompter):
    """A scripted prompter that also keeps the text each question offered (its default)."""

    def __init__(self, *script) -> None:
        super().__init__(*script)
        self.offered: dict[str, str] = {}

    def note(self, message: str, default: str = "") -> str:
        self.offered[message] = default
        return super().note(message, default)

    def text(self, message: str, default: str = "") -> str:
        self.offered[message] = default
        return super().text(message, default)


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
                           f"Lily Brown, born {LILY_BORN}, Brown (none)"))
            script += [("Another child in this family", False),
                       ("Lily Brown's status now", "child-protection"),
                       ("child-protection since", "2025-11-03"),
                       ("Lily Brown's local reference", "CP-0412")]
            script += [(f.title[:25], answer(f)) for f in section.fields]
            script.append(("Record a decision", True))
            script += [(f.title[:25], answer(f)) for f in decision.sections
                       if f.type in ("text", "note", "choice", "yesno", "date", "person")]
            script.append(("Another family", False))
        elif section.type == "actions":
            script += [("Add an action", True), ("Action:", "Share Lily's words with her SW"),
                       ("By whom", "Jo Bloggs"), ("not on the staff list", True),
                       ("role or organisation", "Social worker, Bracknell CSC"),
                       ("By when", str(HELD + timedelta(days=2))), ("Add an action", False)]
        elif section.type == "next_meeting":
            script.append(("suggests", str(HELD + timedelta(days=84))))
    walked = Recording(*script)
    with prompts.use(walked):
        result = cli("session", "new", "--supervisee", "Sam Taylor", "--supervisor",
                     "Alex Morgan", "--template", "dsl-agenda", "--date", str(HELD), "--time",
                     "13:30", "--duration", "90")
    assert result.code == 0, result.err
    assert "== Introduction ==" in result.err and "Item 1 of 13, Introduction" in result.err
    assert "Item 7 of 13, Reflection" in result.err

    record = detail(cli, 2)
    (case,) = record["cases"]
    (lily,) = case["children"]
    assert lily["name"] == "Lily Brown"  # the misspelling became the child on the register
    assert (lily["status"], lily["since"]) == ("child-protection", "2025-11-03")
    assert lily["ref"] == "CP-0412"
    children = json.loads(cli("child", "list", "--json").out)
    assert [c["name"] for c in children] == ["Lily Brown"]

    offered = next(d for m, d in walked.offered.items() if m.startswith("Decision"))
    assert offered == "Said about decision"  # the case's management decision, not retyped

    actions = json.loads(cli("action", "list", "--json").out)
    chased = next(a for a in actions if a["text"] == "Chase the health visitor")
    assert chased["due"] == str(carried_to) and chased["reviews"][0]["outcome"] == "carried"
    contact = next(a for a in actions if a["text"].startswith("Share Lily"))
    assert contact["owner"].startswith("Jo Bloggs") and "Social worker" in contact["owner"]
    assert TODAY >= HELD
