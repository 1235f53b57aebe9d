"""Property-based tests (Hypothesis) of what users type and what leaves as DOCX: whatever text,
dates and names an answers file holds (TOML or JSON), `session new --answers`, `session export`,
`export review` and `verify` either succeed or refuse with one clear `Error: …` line and exit code
1 or 2: never the "Unexpected …" of supervise/cli/main.py, never a traceback. A refused answers
file stores nothing; an accepted one comes back out of the DOCX exactly, its awkward characters
shown as [U+000B] (PITFALLS, DOCX), and out of the review bundle's manifest unchanged.

Each test makes its store once (the `team` fixture: one cheap Argon2id unlock) and reuses it for
every example Hypothesis draws, which is why HealthCheck.function_scoped_fixture is suppressed:
examples only ever add records, each with children and families of its own (see `unique`), so
what one example leaves in the store cannot hide a failure of the next. The refusal tests store
nothing at all, and check so after every example. Examples are derandomized and no example
database is kept, so a run here is the run in CI; PROPERTY_EXAMPLES=10 scales every test up
tenfold for a deeper local run.
"""

import itertools
import json
import math
import os
import unicodedata
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from supervise.domain.records.session_file import STATUSES, TOP_KEYS
from supervise.domain.wording import child_born, uk_date
from supervise.store.catalog import Catalog
from tests.clock import TODAY
from tests.helpers import USER, verify_as_reviewer

pytestmark = pytest.mark.slow  # Hypothesis: many examples, each a real store

TEAM = (USER, "Sam Taylor", "Mo Manager")
SCALE = int(os.environ.get("PROPERTY_EXAMPLES", "1"))


def examples(count: int):
    return settings(max_examples=count * SCALE, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])


# --- the contract every run keeps -------------------------------------------------------------

UNEXPECTED = "Run again with --debug to see details"  # supervise/cli/main.py's last resort
TRACEBACK = "Traceback (most recent call last)"


def well_behaved(result, *, refused_lines: int | None = 1) -> None:
    """Success, or a clear refusal: exit 1 or 2 and an `Error: …` line last on stderr (with
    `refused_lines`, exactly that many lines)."""
    assert UNEXPECTED not in result.err, result.err
    assert TRACEBACK not in result.err + result.out, result.err
    if result.code == 0:
        return
    assert result.code in (1, 2), (result.code, result.err)
    lines = result.err.splitlines()
    assert lines and lines[-1].startswith("Error: "), result.err
    assert sum(line.startswith("Error: ") for line in lines) == 1, result.err
    if refused_lines is not None:
        assert len(lines) == refused_lines, result.err


def listed(cli, *what: str) -> list:
    result = cli(*what, "list", "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


# --- writing answers files as users might -----------------------------------------------------

def toml_string(text: str) -> str:
    escaped = {'"': '\\"', "\\": "\\\\"}
    return '"' + "".join(
        escaped.get(ch) or (f"\\u{ord(ch):04x}" if ord(ch) < 0x20 or ch == "\x7f" else ch)
        for ch in text) + '"'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else (
            ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value))
    if isinstance(value, date | time):  # TOML's own dates, date-times and times
        return value.isoformat()
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value if v is not None) + "]"
    return "{" + ", ".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items()
                           if v is not None) + "}"


def toml_document(data: dict[str, Any]) -> str:
    """Scalars first, then `[table]`s and `[[array of tables]]` as people write them."""
    lines, tables = [], []
    for key, value in data.items():
        name = toml_string(key)
        if value is None:
            continue
        if isinstance(value, dict):
            tables.append(f"[{name}]\n" + "".join(f"{toml_string(k)} = {toml_value(v)}\n"
                                                  for k, v in value.items() if v is not None))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            tables += [f"[[{name}]]\n" + "".join(f"{toml_string(k)} = {toml_value(v)}\n"
                                                 for k, v in item.items() if v is not None)
                       for item in value]
        else:
            lines.append(f"{name} = {toml_value(value)}\n")
    return "".join(lines) + "\n" + "\n".join(tables)


def write_answers(folder: Path, data: dict[str, Any], form: str,
                  ensure_ascii: bool = False) -> Path:
    path = folder / f"answers.{form}"
    if form == "json":
        text = json.dumps(data, ensure_ascii=ensure_ascii, default=str)
        if not text.isascii() and any("\ud800" <= ch <= "\udfff" for ch in text):
            text = json.dumps(data, default=str)  # half a pair is written as its \u escape
    else:
        text = toml_document(data)
    path.write_text(text, encoding="utf-8")
    return path


# --- what users type --------------------------------------------------------------------------

# Pasted from Word and typed on phones: controls, bidi overrides, joiners, non-characters,
# combining accents, emoji sequences, right-to-left scripts, and text that looks like a marker.
AWKWARD = ("\x00", "\x07", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\xa0",
           "\u200b", "\u200c", "\u200d", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069",
           "\u2028", "\ufeff", "\ufffd", "\ufffe", "\uffff", "e\u0301", "👩\u200d👧", "🌟",
           "عائشہ", "שלום", "Zażółć", "\U0010ffff", "[U+000B]", "  ")


def free_text(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    return st.lists(st.characters(codec="utf-8") | st.sampled_from(AWKWARD),
                    min_size=min_size, max_size=max_size).map("".join)


def some_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Text with something in it once whitespace is stripped (what `text` and required
    answers need)."""
    return free_text(1, max_size).filter(lambda t: t.strip())


# A name may hold any letter, mark, digit, symbol or punctuation of any script, emoji and the
# joiners names need (ZWNJ, ZWJ); whitespace only separates words (domain/text.py clean_line).
NAME_WORD = st.text(st.characters(codec="utf-8", exclude_categories=(
    "Cc", "Cf", "Cs", "Co", "Zs", "Zl", "Zp")) | st.sampled_from(("\u200c", "\u200d")),
    min_size=1, max_size=10)
# A line break inside a name is refused, not joined (tests/test_names_kept_whole.py).
GAP = st.sampled_from((" ", "  ", "\t", "\xa0", "\u3000", "\x0b"))


@st.composite
def typed_name(draw) -> str:
    """A name as typed: words in any script, any whitespace around and between them."""
    words = draw(st.lists(NAME_WORD, min_size=1, max_size=3))
    gaps = draw(st.lists(GAP, min_size=len(words) + 1, max_size=len(words) + 1))
    return "".join(g + w for g, w in zip(gaps, words + [""], strict=True))


def cleaned(name: str) -> str:
    """What a name is stored as: NFC, whitespace collapsed (domain/text.py)."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def spelled(name: str) -> st.SearchStrategy[str]:
    """A team member's name as typed: any case, stray whitespace."""
    return st.sampled_from((name, name.upper(), name.lower(), f"  {name}\t",
                            name.replace(" ", " \t ")))


def on(day: date, form: str) -> st.SearchStrategy[Any]:
    """A date as written: a string, or (TOML) a date literal."""
    return st.sampled_from((day.isoformat(), day) if form == "toml" else (day.isoformat(),))


DAY = timedelta(days=1)
NOTES = ("absence_and_training", "matters_arising", "team_issues", "personal_development",
         "any_other_business")
CASE_NOTES = ("status_change", "actions_taken", "risks", "protective_factors", "strengths",
              "discussion", "delivery_plans", "outstanding_actions")


@st.composite
def session_file(draw, form: str) -> dict[str, Any]:
    """A valid answers file for ms-supervision-record, every value drawn: text with anything
    in it, names in any script, dates from 0001-01-01 to 9999-12-31 where they may be."""
    held = draw(st.dates(max_value=TODAY))
    supervisee = draw(st.sampled_from(TEAM[1:]))
    data: dict[str, Any] = {"template": "ms-supervision-record", "date": draw(on(held, form)),
                            "supervisees": [draw(spelled(supervisee))]}
    if draw(st.booleans()):
        data["supervisor"] = draw(spelled(USER))
    data["kind"] = draw(st.sampled_from(("one-to-one", "ad-hoc", "external", None)))
    data["time"] = draw(st.none() | st.builds("{:02d}:{:02d}".format, st.integers(0, 23),
                                              st.integers(0, 59)))
    data["duration"] = draw(st.none() | st.integers(1, 600))
    if held < date.max and draw(st.booleans()):
        data["next_meeting"] = draw(on(draw(st.dates(min_value=held + DAY)), form))
    answers = draw(st.dictionaries(st.sampled_from(NOTES), free_text(), max_size=len(NOTES)))
    if draw(st.booleans()):
        answers["case_coverage"] = draw(st.sampled_from(
            ("All current cases", "a sample", "  A SAMPLE ")))
    data["answers"] = answers
    case = {"family": draw(typed_name()),
            "children": [{"name": draw(typed_name()),
                          "dob": draw(st.none() | st.dates(max_value=TODAY).flatmap(
                              lambda d: on(d, form)))}
                         for _ in range(draw(st.integers(1, 2)))],
            "status": draw(st.none() | st.sampled_from(
                [*STATUSES, *(label.upper() for label in STATUSES.values())])),
            "answers": {"summary": draw(free_text(1)),
                        **draw(st.dictionaries(st.sampled_from(CASE_NOTES), free_text(),
                                               max_size=3)),
                        **draw(st.fixed_dictionaries({}, optional={
                            "worker_role": free_text(max_size=60)}))}}
    if draw(st.booleans()):
        case["decision"] = {"concerns": draw(free_text(1)), "decision": draw(free_text(1)),
                            "rationale": draw(free_text(1)),
                            **draw(st.fixed_dictionaries({}, optional={
                                "synopsis": free_text(), "actions_agreed": free_text()}))}
    data["cases"] = [{k: v for k, v in case.items() if v is not None}]
    data["actions"] = [{"text": draw(some_text()), "owner": draw(spelled(draw(st.sampled_from(
                        TEAM)))), "due": draw(on(draw(st.dates(min_value=held)), form)),
                        "case": draw(st.sampled_from((None, 1)))}
                       for _ in range(draw(st.integers(0, 2)))]
    return {k: v for k, v in data.items() if v is not None}


_numbers = itertools.count(1)


def unique(data: dict[str, Any]) -> tuple[str, list[str]]:
    """Give the example's family and children a first word of their own, so that no two
    examples share a child (a review by child is of this example alone) and no earlier
    example's child can be named in this one's text. Returns the token and the child names."""
    token = f"P{next(_numbers)}"
    case = data["cases"][0]
    case["family"] = f"F{token} {case['family']}"
    for number, child in enumerate(case["children"], start=1):
        child["name"] = f"K{token}c{number} {child['name']}"
        child["new"] = True  # P310's and P320's children look alike: each is new on purpose
    return token, [cleaned(c["name"]) for c in case["children"]]


# --- reading the DOCX back --------------------------------------------------------------------

def shown(text: str) -> str:
    """Text as the DOCX is documented to show it (PITFALLS, DOCX; domain/text.py `visible`):
    C0 controls but tab and newline, DEL and C1 controls, the bidi overrides and isolates,
    U+FFFE, U+FFFF and lone surrogates as [U+XXXX]; every other character exactly."""
    def one(ch: str) -> str:
        code = ord(ch)
        hidden = ((code < 0x20 and ch not in "\t\n") or 0x7F <= code <= 0x9F
                  or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069
                  or code in (0xFFFE, 0xFFFF) or 0xD800 <= code <= 0xDFFF)
        return f"[U+{code:04X}]" if hidden else ch
    return "".join(map(one, text))


def read_docx(path: Path) -> tuple[list[str], list[list[str]]]:
    doc = Document(str(path))
    rows = [[cell.text for cell in row.cells] for table in doc.tables for row in table.rows]
    return [p.text for p in doc.paragraphs], rows


def answered(paragraphs: list[str], question: str, answer: str) -> bool:
    """The question's paragraph, followed at once by the answer's (or "Not answered")."""
    expected = shown(answer) if answer else "Not answered"
    return any(q == question and a == expected
               for q, a in zip(paragraphs, paragraphs[1:], strict=False))


CATALOG = Catalog(None)
RECORD = next(f.template for f in CATALOG.files() if f.id == "ms-supervision-record")
DECISION = next(f.template for f in CATALOG.files() if f.id == "ms-decision-record")
TITLE = {s.id: s.title for s in RECORD.sections}
CASE_TITLE = {f.id: f.title for f in RECORD.of_type("cases").fields}
DECISION_TITLE = {s.id: s.title for s in DECISION.sections}


def check_docx(path: Path, data: dict[str, Any]) -> None:
    paragraphs, rows = read_docx(path)
    for key, value in data["answers"].items():
        if key in NOTES:
            assert answered(paragraphs, TITLE[key], value), (key, value)
    case = data["cases"][0]
    family = cleaned(case["family"])
    assert shown(f"Case discussion 1: {family} family") in paragraphs
    assert ["Family name", shown(family)] in rows
    held = data["date"] if isinstance(data["date"], date) else date.fromisoformat(
        str(data["date"]))
    assert ["Children (date of birth, age at this session)", shown("\n".join(
        child_born({"name": cleaned(c["name"]), "dob": c.get("dob")}, held)
        for c in case["children"]))] in rows
    for key, value in case["answers"].items():
        assert answered(paragraphs, CASE_TITLE[key], value), (key, value)
    for key, value in case.get("decision", {}).items():
        assert answered(paragraphs, DECISION_TITLE[key], value), (key, value)
    supervisee = next(name for name in TEAM if cleaned(data["supervisees"][0]).casefold()
                      == name.casefold())
    by_label = {row[0]: row[1] for row in rows if len(row) == 2}
    assert by_label["Date"] == uk_date(held)
    assert by_label["Start time"].startswith(data.get("time", ""))  # then its zone
    assert by_label["Duration"] == (f"{data['duration']} minutes" if "duration" in data else "")
    assert by_label["Name of supervisor"].split("\n")[0] == USER  # its job title under it
    assert by_label["Name of supervisee"].split("\n")[0] == supervisee
    assert answered(paragraphs, TITLE["next_meeting"], uk_date(data["next_meeting"])
                    if data.get("next_meeting") else "")
    for action in data["actions"]:
        owner = next(name for name in TEAM if cleaned(action["owner"]).casefold()
                     == name.casefold())
        expected = [shown(action["text"]), owner, uk_date(action["due"])]
        assert any(row[2:5] == expected for row in rows), expected


# --- the properties ---------------------------------------------------------------------------

@pytest.mark.parametrize("form", ["toml", "json"])
@examples(8)
@given(data=st.data())
def test_any_text_names_and_dates_come_back_out_of_the_docx_and_the_bundle(cli, team, tmp_path,
                                                                           form, data):
    answers = data.draw(session_file(form))
    token, children = unique(answers)
    path = write_answers(tmp_path, answers, form, ensure_ascii=data.draw(st.booleans()))
    result = cli("session", "new", "--answers", str(path))
    well_behaved(result)
    assert result.code == 0, result.err
    session_id = result.out.strip()

    target = tmp_path / f"{token}.docx"
    result = cli("session", "export", session_id, "--out", str(target))
    well_behaved(result)
    assert result.code == 0, result.err
    check_docx(target, answers)

    out = tmp_path / token
    result = cli("export", "review", "--child", children[0], "--full", "--yes", "--out", str(out))
    well_behaved(result, refused_lines=None)
    assert result.code == 0, result.err
    result = verify_as_reviewer(cli, out)
    assert result.code == 0, result.out + result.err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    parts = [p["content"] for r in manifest["records"] if r["record"] == f"session {session_id}"
             for p in r["parts"] if p["included"]]
    stored = {p["section"]: p["answer"] for p in parts if "section" in p}
    assert {k: v for k, v in stored.items() if k in NOTES} == \
        {k: v for k, v in answers["answers"].items() if k in NOTES}
    case = next(p for p in parts if "case" in p and "family" in p)
    assert case["answers"] == answers["cases"][0]["answers"]
    assert [c["name"] for c in case["children"]] == children
    assert sorted(p["text"] for p in parts if "action" in p and "text" in p) == \
        sorted(a["text"] for a in answers["actions"])


# --- answers files that are wrong: refused whole, every problem named, nothing stored ---------

def base_file(form: str) -> dict[str, Any]:
    """A valid answers file (the defects below each break one thing in it)."""
    held = TODAY - timedelta(days=3)
    return {"template": "ms-supervision-record", "date": held.isoformat(), "time": "09:30",
            "duration": 60, "kind": "one-to-one", "supervisor": USER,
            "supervisees": ["Sam Taylor"], "next_meeting": (held + 28 * DAY).isoformat(),
            "answers": {"matters_arising": "Referral made.", "case_coverage": "A sample"},
            "cases": [{"family": "Okafor", "status": "early-help",
                       "children": [{"name": "Ada Okafor", "dob": "2014-02-02"}],
                       "answers": {"summary": "Seen at home.", "worker_role": "DSL"},
                       "decision": {"concerns": "Neglect.", "decision": "Refer.",
                                    "rationale": "Two missed appointments."}}],
            "actions": [{"text": "Call the school nurse", "owner": "Sam Taylor",
                         "due": (held + 14 * DAY).isoformat(), "case": 1}],
            "action_review": []}


def not_a_date(text: str) -> bool:
    try:
        date.fromisoformat(text.strip())
    except ValueError:
        return True
    return len(text.strip()) != 10


WRONG_TYPES = (st.integers() | st.booleans() | st.floats() | st.lists(st.integers(), max_size=2)
               | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
IMPOSSIBLE_DATES = (st.sampled_from(("2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10",
                                     "2026-04-31", "0000-01-01", "10000-01-01", "2026-1-1",
                                     "26-01-01", "2026/01/01", "01-02-2026", "tomorrow",
                                     "2026-01-01T10:00", "2026-01-01 ", "٢٠٢٦-٠٢-٣٠"))
                    | st.text(min_size=1, max_size=12).filter(not_a_date)
                    | st.datetimes().map(lambda d: d.replace(microsecond=0))
                    | st.times().map(lambda t: t.replace(microsecond=0)))
BAD_DATES = IMPOSSIBLE_DATES | WRONG_TYPES.filter(lambda v: bool(v))  # falsy: no dob given
FUTURE = st.dates(min_value=TODAY + DAY).map(date.isoformat)
# Names no one could have meant: a control or format character inside (bidi overrides, zero
# width spaces, the byte-order mark), too long, empty, or not text at all.
HIDDEN = st.characters(categories=("Cc", "Cf", "Co")).filter(
    lambda c: not c.isspace() and c not in "\u200c\u200d")
BAD_TEXT_NAMES = (st.tuples(typed_name(), HIDDEN, st.integers(0, 3)).map(
                      lambda t: t[0][:t[2]] + t[1] + t[0][t[2]:])
                  | st.integers(201, 3000).map(lambda n: "Zoë" * (n // 3 + 1))
                  | st.sampled_from(("", "   ", "\t\n", "\u3000")))
BAD_NAMES = BAD_TEXT_NAMES | WRONG_TYPES
STRANGERS = typed_name().filter(
    lambda n: cleaned(n).casefold() not in {m.casefold() for m in TEAM})


def _defects(form: str) -> dict[str, tuple[tuple, st.SearchStrategy, str]]:
    """Each defect: where it goes, what is put there, and the problem's place in the error."""
    held = TODAY - timedelta(days=3)
    dates = BAD_DATES if form == "toml" else BAD_DATES.map(
        lambda v: v.isoformat() if isinstance(v, date | time) else v)
    return {
        "date": (("date",), dates | FUTURE, "date: "),
        "next_meeting": (("next_meeting",), dates | st.dates(max_value=held).map(date.isoformat),
                         "next_meeting: "),
        "time": (("time",), st.sampled_from(("24:00", "9:30", "12:60", "noon", "", "09:30:00"))
                 | WRONG_TYPES | st.times(), "time: "),
        "duration": (("duration",), st.integers(max_value=0) | st.integers(min_value=601)
                     | st.sampled_from(("90", True, 90.0, [90])), "duration: "),
        "kind": (("kind",), st.text(max_size=20).filter(
            lambda k: k not in ("one-to-one", "group", "ad-hoc", "external")) | WRONG_TYPES,
            "kind: "),
        "supervisor": (("supervisor",), BAD_NAMES | STRANGERS | spelled("Sam Taylor"),
                       "supervisor: "),
        "supervisee": (("supervisees", 0), BAD_NAMES | STRANGERS, "supervisees[1]: "),
        "supervisees": (("supervisees",), st.sampled_from(([], "Sam Taylor", ["Sam Taylor",
                        "sam  taylor"], ["Sam Taylor", "Mo Manager"], {"name": "Sam Taylor"})),
                        "supervisees: "),
        "unknown key": ((st.text(min_size=1, max_size=20).filter(lambda k: k not in TOP_KEYS),),
                        WRONG_TYPES | st.text(max_size=5), "unknown key"),
        "question": (("answers", st.text(min_size=1, max_size=20).filter(
            lambda k: k not in TITLE)), st.text(max_size=5), "has no question"),
        "note type": (("answers", "matters_arising"), WRONG_TYPES | (
            st.dates() if form == "toml" else WRONG_TYPES),  # JSON has no dates: text
                      "answers.matters_arising: "),
        "huge note": (("answers", "team_issues"), st.integers(100_001, 150_000).map(
            lambda n: "Long note. " * (n // 11 + 1)), "answers.team_issues: "),
        "choice": (("answers", "case_coverage"), st.text(max_size=20).filter(
            lambda c: c.strip().casefold() not in ("all current cases", "a sample"))
            | WRONG_TYPES, "answers.case_coverage: "),
        "cases": (("cases",), st.sampled_from(({"family": "Okafor"}, "Okafor", 1, [1], ["x"])),
                  "cases: "),
        "family": (("cases", 0, "family"), BAD_NAMES, "cases[1].family: "),
        "children": (("cases", 0, "children"), st.sampled_from(([], None, [{}], "Ada", 3)),
                     "cases[1].children"),
        "child": (("cases", 0, "children", 0, "name"), BAD_NAMES, "cases[1].children[1].name: "),
        "dob": (("cases", 0, "children", 0, "dob"), dates | FUTURE,
                "cases[1].children[1].dob: "),
        "status": (("cases", 0, "status"), st.text(max_size=20).filter(
            lambda s: s.strip().casefold() not in {*STATUSES, *(v.casefold()
                                                              for v in STATUSES.values())})
            | WRONG_TYPES, "cases[1].status: "),
        "summary": (("cases", 0, "answers", "summary"), st.sampled_from(("", None, 5, [])),
                    "cases[1].answers.summary: "),
        "worker role": (("cases", 0, "answers", "worker_role"), st.integers(2001, 5000).map(
            lambda n: "R" * n), "cases[1].answers.worker_role: "),
        "decision": (("cases", 0, "decision", "rationale"), st.sampled_from(("", 7, ["x"])),
                     "cases[1].decision.rationale: "),
        "action": (("actions", 0, "text"), st.sampled_from(("", "  \n ", None, 1, ["call"])),
                   "actions[1].text: "),
        "owner": (("actions", 0, "owner"), BAD_NAMES | STRANGERS, "actions[1].owner: "),
        "due": (("actions", 0, "due"), dates | st.dates(max_value=held - DAY).map(
            date.isoformat), "actions[1].due: "),
        "action case": (("actions", 0, "case"), st.integers().filter(lambda n: n != 1)
                        | st.sampled_from(("1", True, 1.0)), "actions[1].case: "),
        "review": (("action_review",), st.builds(
            lambda n, o: [{"action": n, "outcome": o}],
            st.integers(max_value=0) | st.integers(min_value=10**9) | st.sampled_from(("A1", 1.5)),
            st.sampled_from(("done", "maybe", 3))), "action_review[1]."),
    }


# Defects one of which hides another's problem (a session date that is not a date leaves
# nothing to compare later dates with; a supervisee list that is not a list, no one to be
# supervised by themselves; cases that are not a list, no case to find problems in).
CLASHES = {("date", "next_meeting"), ("date", "due"), ("supervisees", "supervisor"),
           ("supervisees", "supervisee"), ("cases", "action case")}


def put(data: dict[str, Any], path: tuple, value: Any) -> None:
    *inside, last = path
    for step in inside:
        data = data[step]
    if value is None and isinstance(data, dict):
        data.pop(last, None)
    else:
        data[last] = value


@st.composite
def broken_file(draw, form: str) -> tuple[dict[str, Any], list[str]]:
    """The valid file with one to three defects, and where each problem must be named."""
    defects = _defects(form)
    names = draw(st.lists(st.sampled_from(sorted(defects)), min_size=1, max_size=3,
                          unique=True))
    names = [n for n in names if not any(
        {n, other} == set(pair) for pair in CLASHES for other in names)] or names[:1]
    nested = {"cases": ("family", "children", "child", "dob", "status", "summary",
                        "worker role", "decision"),
              "children": ("child", "dob"), "supervisees": ("supervisee",)}
    names = [n for n in names if not any(n in nested.get(other, ()) for other in names)]
    data, where = base_file(form), []
    for name in names:
        path, values, fragment = defects[name]
        path = tuple(draw(step) if isinstance(step, st.SearchStrategy) else step
                     for step in path)
        put(data, path, draw(values))
        where.append(fragment)
    if form == "json" and draw(st.integers(0, 4)) == 0:
        # Half a character pair (JSON's \ud800 escapes) in any text: refused before the rest
        # is looked at, like a file that is not UTF-8.
        texts = [(path, value) for path, value in _texts(data) if value]
        path, value = draw(st.sampled_from(texts))
        at = draw(st.integers(0, len(value)))
        half = draw(st.characters(categories=("Cs",)))
        put(data, path, value[:at] + half + value[at:])
        where = [HALF_A_PAIR]
    return data, where


HALF_A_PAIR = "The answers file has half a character pair"


def _texts(value: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _texts(v, (*path, k))]
    if isinstance(value, list):
        return [t for i, v in enumerate(value) for t in _texts(v, (*path, i))]
    return []


@pytest.mark.parametrize("form", ["toml", "json"])
@examples(25)
@given(data=st.data())
def test_a_wrong_answers_file_is_refused_whole_naming_each_problem(cli, team, tmp_path, form,
                                                                   data):
    answers, where = data.draw(broken_file(form))
    path = write_answers(tmp_path, answers, form, ensure_ascii=data.draw(st.booleans()))
    result = cli("session", "new", "--answers", str(path))
    well_behaved(result)
    assert result.code == 2, result.err
    if where != [HALF_A_PAIR]:  # refused as it is read, like a file that is not UTF-8
        assert result.err.startswith(f"Error: The answers file {path} has ") \
            and "nothing was stored" in result.err, result.err
    for fragment in where:
        assert fragment in result.err, (fragment, result.err)
    assert listed(cli, "session") == [] and listed(cli, "child") == []


def test_a_lone_surrogate_in_a_json_answers_file_is_refused_not_a_crash(cli, team, tmp_path):
    """Found by the properties here: JSON may write half a character pair (\\ud800), which
    no UTF-8 text or store can hold; it used to end in "Unexpected UnicodeEncodeError"."""
    data = base_file("json")
    data["answers"]["matters_arising"] = "Pasted \ud83d"
    data["supervisees"] = ["Sam \udc00Taylor"]
    path = write_answers(tmp_path, data, "json", ensure_ascii=True)
    result = cli("session", "new", "--answers", str(path))
    assert result.code == 2, result.err
    assert result.err == ("Error: The answers file has half a character pair (a lone "
                          "\\ud800-\\udfff escape) at answers.matters_arising, supervisees[1]: "
                          "write the whole character, or remove it.\n")
    assert listed(cli, "session") == []


# --- anything at all: never a crash, and what is refused stores nothing ------------------------

LEAVES = (st.none() | st.booleans() | st.integers() | st.integers(-2**70, 2**70) | st.floats()
          | free_text(max_size=20) | st.dates() | st.datetimes() | st.times()
          | st.characters(categories=("Cs",)).map("half a pair: {}".format))
TREES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(free_text(max_size=8), inner, max_size=3), max_leaves=8)


@st.composite
def mutated(draw, base: dict[str, Any]) -> dict[str, Any]:
    """`base` with a few values replaced by anything, keys deleted or added, at any depth."""
    data = json.loads(json.dumps(base, default=str))
    for _ in range(draw(st.integers(1, 4))):
        node = data
        while True:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            if isinstance(node[key], dict | list) and node[key] and draw(st.booleans()):
                node = node[key]
                continue
            action = draw(st.sampled_from(("replace", "delete", "add")))
            if action == "replace" or (action == "delete" and isinstance(node, list)):
                node[key] = draw(TREES)
            elif action == "delete":
                del node[key]
            elif isinstance(node, dict):
                node[draw(st.sampled_from(TOP_KEYS) | free_text(max_size=8))] = draw(TREES)
            else:
                node.append(draw(TREES))
            break
    return data


@st.composite
def any_file(draw) -> tuple[str, bytes]:
    """A file's suffix and bytes: anything at all, any text, any table of anything, or a
    valid answers file (of either form) with anything done to it."""
    kind = draw(st.sampled_from(("bytes", "text", "tree", "mutated", "mutated")))
    if kind == "bytes":
        return draw(st.sampled_from((".toml", ".json", ".JSON", ".txt", ""))), draw(
            st.binary(max_size=200))
    if kind == "text":
        text = draw(free_text(max_size=200))
        return draw(st.sampled_from((".toml", ".json"))), text.encode("utf-8")
    form = draw(st.sampled_from(("toml", "json")))
    if kind == "tree":
        data = draw(st.dictionaries(st.sampled_from(TOP_KEYS) | free_text(max_size=8), TREES,
                                    max_size=6))
    else:
        data = draw(mutated(draw(st.sampled_from((base_file(form), None))) or
                            draw(session_file(form))))
    # Half a character pair is written as JSON's \ud800 escape, or (TOML) as the bytes an
    # encoder that lets it through would write, which are not UTF-8.
    if form == "json":
        return ".json", json.dumps(data, default=str,
                                   ensure_ascii=draw(st.booleans())).encode("utf-8",
                                                                            "surrogatepass")
    return ".toml", toml_document(data).encode("utf-8", "surrogatepass")


STORED: dict[Path, list] = {}  # each store's sessions after the last example


@examples(40)
@given(data=st.data())
def test_any_file_at_all_is_recorded_or_refused_cleanly(cli, team, tmp_path, data):
    suffix, content = data.draw(any_file())
    path = tmp_path / f"anything{suffix}"
    path.write_bytes(content)
    before = STORED.setdefault(team, [])  # what earlier examples stored (or [] at the start)
    result = cli("session", "new", "--answers", str(path))
    well_behaved(result)
    event(f"session new: exit {result.code}")
    after = STORED[team] = listed(cli, "session")
    if result.code != 0:
        assert after == before, result.err
        return
    assert len(after) == len(before) + 1
    target = tmp_path / "anything.docx"
    result = cli("session", "export", result.out.strip(), "--out", str(target), "--force")
    well_behaved(result)
    assert result.code == 0, result.err
    assert read_docx(target)[0]


def test_a_supervisee_that_is_not_text_is_refused_without_a_template(cli, team, tmp_path):
    path = tmp_path / "number.json"
    path.write_text('{"supervisees": [1]}', encoding="utf-8")
    result = cli("session", "new", "--answers", str(path))
    well_behaved(result)
    assert result.code == 2 and "supervisees[1]: must be a person's name" in result.err


DATE_ARGUMENTS = (st.dates().map(date.isoformat) | IMPOSSIBLE_DATES.map(str)
                  | st.sampled_from(("0001-01-01", "9999-12-31")))


@examples(20)
@given(data=st.data())
def test_any_export_arguments_are_answered_clearly(cli, team, tmp_path, data):
    """Whatever id, name or dates an export is given, for a store with a session in it."""
    if not listed(cli, "session"):
        path = write_answers(tmp_path, base_file("toml"), "toml")
        assert cli("session", "new", "--answers", str(path)).code == 0
    out = tmp_path / f"out-{next(_numbers)}"
    scope = data.draw(st.sampled_from(("--child", "--family", "--supervisee")))
    known = {"--child": "Ada Okafor", "--family": "Okafor", "--supervisee": "Sam Taylor"}[scope]
    name = data.draw(spelled(known) | spelled(known) | typed_name() | BAD_TEXT_NAMES)
    dates = data.draw(st.lists(st.sampled_from(("--from", "--to")), max_size=2, unique=True))
    args = [a for flag in dates for a in (flag, data.draw(DATE_ARGUMENTS))]
    result = cli("export", "review", f"{scope}={name}", *args, "--full", "--out", str(out))
    well_behaved(result, refused_lines=None)
    event(f"export review: exit {result.code}")
    if result.code == 0:
        assert verify_as_reviewer(cli, out).code == 0
    record = data.draw(st.sampled_from(("1", "S1", "s 1", "0", "-1", "99999999999999999999"))
                       | free_text(max_size=12))
    result = cli("session", "export", f"{record}", "--out", str(out.with_suffix(".docx")))
    well_behaved(result)
    event(f"session export: exit {result.code}")
