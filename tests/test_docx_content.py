"""What the printed records say, read back from the DOCX the product writes (issue 19): UK dates
and one time zone, the product's words for its codes, the DSL agenda as numbered headings in its
bands, Signs of Safety as three columns, a signed disagreement in its own section and on the
child's decision record, amended answers marked where they stand, a done review's due date,
every page of an extract saying so, and whose dates of birth with their ages."""

import re
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document

from tests.clock import YESTERDAY
from tests.conftest import build_initialised
from tests.helpers import USER

HELD = YESTERDAY
EARLIER = HELD - timedelta(days=35)
BOOK_BY = EARLIER + timedelta(days=14)
LILY_BORN = date(2019, 3, 3)
BABY_BORN = HELD - timedelta(days=300)
DISAGREEMENT = ("I disagree that the plan is working: Lily's attendance has fallen for three "
                "weeks and the referral to the domestic abuse service has still not been taken "
                "up. I asked for a strategy discussion and this record does not say that it was "
                "refused, or why.")
WELCOME = "Met in the family room; 90 minutes protected."
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def uk(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def ok(result):
    assert result.code == 0, result.err
    return result


def answers(tmp: Path, name: str, text: str) -> str:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def build_layout(cli, scratch: Path) -> None:
    """Alex Morgan supervises Sam Taylor on the DSL agenda: session 1 agrees an action; session
    2 (two families) reviews it as done, decides for the Brown family, is signed with Sam's
    disagreement and amended; session 3 is a Signs of Safety case supervision."""
    build_initialised(cli, scratch)
    ok(cli("person", "add", "Alex Morgan", "--role", "Head of Safeguarding", "--supervisor"))
    ok(cli("person", "add", "Sam Taylor", "--role", "Deputy DSL"))
    ok(cli("contract", "new", "--supervisee", "Sam Taylor", "--supervisor", "Alex Morgan"))
    head = 'supervisor = "Alex Morgan"\nsupervisees = ["Sam Taylor"]\n'
    ok(cli("session", "new", "--answers", answers(scratch, "1.toml", f"""\
template = "dsl-agenda"
date = "{EARLIER}"
time = "15:30"
{head}
[[actions]]
text = "Book the DSL refresher course"
owner = "Sam Taylor"
due = "{BOOK_BY}"
""")))
    ok(cli("session", "new", "--answers", answers(scratch, "2.toml", f"""\
template = "dsl-agenda"
date = "{HELD}"
time = "15:30"
{head}
[answers]
welcome = "Met in the family room."
analysis = "The referral was made well."

[[action_review]]
action = 1
outcome = "done"
note = "Booked for January"

[[cases]]
family = "Brown"
[[cases.children]]
name = "Lily Brown"
dob = "{LILY_BORN}"
status = "child-protection"
since = "{EARLIER}"
[cases.answers]
notes = "Lily disclosed that mum's partner shouts."
[cases.decision]
synopsis = "Known since 2024."
concerns = "Domestic abuse."
decision = "Stay on the plan."
rationale = "Risks unchanged."

[[cases]]
family = "Patel"
children = [{{name = "Arun Patel", dob = "2016-05-05"}}]
[cases.answers]
notes = "Settled at school."
escalate = true
escalated_to = "Team manager, Children's Social Care"
escalate_by = "{HELD}"

[[actions]]
text = "Chase the domestic abuse service"
owner = "Sam Taylor"
due = "{HELD + timedelta(days=7)}"
case = 1
""")))
    ok(cli("session", "sign", "2", "--as", "Alex Morgan", "--typed", "--typed-name",
           "Alex Morgan", "--yes"))
    ok(cli("session", "sign", "2", "--as", "Sam Taylor", "--typed", "--typed-name",
           "Sam Taylor", "--comment", DISAGREEMENT, "--yes"))
    ok(cli("session", "amend", "2", "--section", "welcome", "--text", WELCOME,
           "--reason", "The time was left out."))
    ok(cli("session", "new", "--answers", answers(scratch, "3.toml", f"""\
template = "la-case-supervision"
date = "{HELD}"
{head}
[[cases]]
family = "Green"
[[cases.children]]
name = "Mia Green"
dob = "{BABY_BORN}"
status = "child-in-need"
since = "{EARLIER}"
[cases.answers]
worried_about = "Baby left in the evenings with the uncle."
working_well = "Grandmother visits daily."
needs_to_happen = "A safety plan for evenings by the core group."
""")))


@pytest.fixture
def records(cli, template_stores, tmp_path) -> Path:
    template_stores.copy("docx-layout", build_layout, tmp_path)
    return tmp_path


def export(cli, folder: Path, kind: str, number: str) -> Document:
    target = folder / f"{kind}-{number}.docx"
    ok(cli(kind, "export", number, "--out", str(target)))
    return Document(str(target))


def body(doc) -> list[str]:
    """Every paragraph and table cell of the body, in document order."""
    found = []
    for block in doc.element.body.iterchildren():
        if block.tag.endswith("}p"):
            found.append("".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
    found += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return found


def headings(doc) -> list[tuple[int, str]]:
    return [(int(p.style.name.removeprefix("Heading ")), p.text) for p in doc.paragraphs
            if p.style.name.startswith("Heading ")]


def rows(doc) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for table in doc.tables for row in table.rows]


def after(doc, text: str) -> list[str]:
    """The paragraphs that follow the one reading `text`."""
    texts = [p.text for p in doc.paragraphs]
    return texts[texts.index(text) + 1:]


def zone(day: date) -> str:
    return datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("Europe/London")).tzname()


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def test_dates_are_uk_and_moments_are_local_time_in_one_zone(cli, records):
    doc = export(cli, records, "session", "2")
    text = "\n".join(body(doc))
    assert not ISO_DATE.findall(text), ISO_DATE.findall(text)
    assert "UTC" not in text
    details = dict(row for row in rows(doc) if len(row) == 2)
    assert details["Date"] == uk(HELD)
    assert details["Start time"] == f"15:30 {zone(HELD)}"
    assert re.fullmatch(rf"\d{{1,2}} [A-Z][a-z]+ \d{{4}}, \d\d:\d\d {zone(HELD)}",
                        details["Recorded at"]), details["Recorded at"]
    contract = export(cli, records, "contract", "1")
    assert not ISO_DATE.findall("\n".join(body(contract)))


def test_codes_are_printed_in_the_products_own_words_with_job_titles(cli, records):
    doc = export(cli, records, "session", "2")
    texts = body(doc)
    text = "\n".join(texts)
    for code in ("child-protection", "supervisee", "supervisor", "done", "one-to-one"):
        assert code not in texts and f"({code})" not in text and f"{code}:" not in text, code
    assert "case 1" not in text
    table = rows(doc)
    assert ["Status of each child", f"Lily Brown: Child Protection Plan since {uk(EARLIER)}"] \
        in table
    assert ["A2", "Case 1: Brown family", "Chase the domestic abuse service", "Sam Taylor",
            uk(HELD + timedelta(days=7))] in table
    signed = [row[:2] for row in table if row[1] in ("Supervisor", "Supervisee")]
    assert signed == [["Alex Morgan\nHead of Safeguarding", "Supervisor"],
                      ["Sam Taylor\nDeputy DSL", "Supervisee"]]
    assert ["Name of supervisor", "Alex Morgan\nHead of Safeguarding"] in table
    contract = dict(row for row in rows(export(cli, records, "contract", "1")) if len(row) == 2)
    assert contract["Frequency"] == "Every 4 weeks"
    assert contract["Kind"] == "Safeguarding supervision"


def test_the_dsl_agenda_is_the_documents_outline_numbered_in_its_bands(cli, records):
    doc = export(cli, records, "session", "2")
    outline = [h for h in headings(doc) if h[0] in (2, 3)]
    template = tomllib.loads((TEMPLATES / "dsl-agenda.toml").read_text(encoding="utf-8"))
    expected = []
    for section in template["sections"]:
        if "band" in section:
            expected.append((2, section["band"]))
        expected.append((3, f"{section['number']}. {section['title']}" if "number" in section
                         else section["title"]))
    assert outline[:len(expected)] == expected
    assert (2, "Reflection") in outline and (3, "13. Date of next supervision") in outline
    # Part of an agenda item is not styled like a case's fields: the case sits under item 5.
    every = headings(doc)
    assert every.index((3, "5. Share experience")) \
        < every.index((4, "Case discussion 1: Brown family")) \
        < every.index((3, "6. " + template["sections"][5]["title"]))


def test_signs_of_safety_is_printed_as_its_three_columns(cli, records):
    doc = export(cli, records, "session", "3")
    table = rows(doc)
    header = ["What are we worried about?", "What is working well?", "What needs to happen?"]
    assert header in table
    assert table[table.index(header) + 1] == [
        "Baby left in the evenings with the uncle.", "Grandmother visits daily.",
        "A safety plan for evenings by the core group."]
    assert "What is working well?" not in [p.text for p in doc.paragraphs]


def test_a_signed_disagreement_stands_above_the_signatures_and_on_the_decision_record(
        cli, records):
    doc = export(cli, records, "session", "2")
    titles = [text for _, text in headings(doc)]
    assert titles.index("Comments and disagreements at signing") < titles.index("Signatures")
    following = after(doc, "Comments and disagreements at signing")
    assert following[0].startswith("Sam Taylor, Deputy DSL (Supervisee), signed ")
    assert following[1] == DISAGREEMENT
    signed = next(r for r in rows(doc) if r[0].startswith("Sam Taylor") and len(r) == 6)
    assert signed[1] == "Supervisee" and signed[5] == "Yes (above)"  # the words stand above
    assert re.fullmatch(r"[0-9a-f]{4} [0-9a-f]{4}\n[0-9a-f]{4} [0-9a-f]{4}", signed[4])
    decision = export(cli, records, "decision", "1")
    following = after(decision, "Comments and disagreements at signing of session S2")
    assert following[0].startswith("Sam Taylor, Deputy DSL (Supervisee), signed ")
    assert following[1] == DISAGREEMENT
    decided = [text for _, text in headings(decision)]
    assert decided.index("Comments and disagreements at signing of session S2") \
        < decided.index("Signatures")


def test_an_amended_answer_is_marked_where_it_stands(cli, records, clock):
    doc = export(cli, records, "session", "2")
    following = after(doc, "1. Welcome")
    assert following[0] == "Met in the family room."
    assert re.fullmatch(rf"Amended \d{{1,2}} [A-Z][a-z]+ \d{{4}} by {USER}: see Amendment 1 "
                        r"under Amendments\.", following[1]), following[1]
    marks = [p.text for p in doc.paragraphs if p.text.startswith("Amended ")]
    assert marks == [following[1]]  # only the amended answer carries a mark
    assert WELCOME in [p.text for p in doc.paragraphs]  # the amendment itself, below


def test_a_done_action_review_shows_the_date_it_was_due(cli, records):
    table = rows(export(cli, records, "session", "2"))
    assert ["A1", "Book the DSL refresher course", "Sam Taylor", "S1", "Done",
            "Booked for January", uk(BOOK_BY)] in table


def test_every_page_of_an_extract_says_it_is_one_and_what_it_leaves_out(cli, records):
    out = records / "review"
    ok(cli("export", "review", "--child", "Lily Brown", "--out", str(out)))
    extract = Document(str(out / f"{HELD.isoformat()}-session-2.docx"))
    assert len(extract.sections) == 1  # one header, on every page
    section = extract.sections[0]
    assert not section.different_first_page_header_footer
    header = [p.text for p in section.header.paragraphs]
    assert "Extract, not the full record: 1 part left out, each marked where it stands" \
        in header, header
    assert any("is omitted from this export" in text for text in body(extract))
    whole = export(cli, records, "session", "2")
    assert not any("Extract" in p.text for p in whole.sections[0].header.paragraphs)


def test_dates_of_birth_say_whose_with_the_age_at_the_session(cli, records):
    lily = f"Lily Brown, born {uk(LILY_BORN)}, aged {age(LILY_BORN, HELD)}"
    session = rows(export(cli, records, "session", "2"))
    assert ["Children (date of birth, age at this session)", lily] in session
    decision = rows(export(cli, records, "decision", "1"))
    assert ["Date of birth (age at the supervision)", lily] in decision
    months = (HELD.year - BABY_BORN.year) * 12 + HELD.month - BABY_BORN.month \
        - (HELD.day < BABY_BORN.day)
    baby = rows(export(cli, records, "session", "3"))
    assert ["Children (date of birth, age at this session)",
            f"Mia Green, born {uk(BABY_BORN)}, aged {months} months"] in baby
