"""A review bundle a panel can rely on (issue 19): a dated chronology that keeps every event of
the sessions it includes and measures gaps from the last real supervision, the events that tell
the story (decisions, escalations, late entries, unsigned records, disagreements at signing),
another child's name cut out sentence by sentence while the record still verifies (and older
records still verifying whole), a person's own actions in their own copy, and the cover's dates.
Everything is read back from the DOCX files and checked with `supervise verify`."""

import json
from datetime import timedelta
from pathlib import Path

from docx import Document

from supervise.domain.records.canonical import digest
from supervise.domain.wording import uk_date
from tests.clock import TODAY, product_now
from tests.conftest import FIRST_CHILD
from tests.helpers import PASSPHRASE, USER, verify_as_reviewer
from tests.signed_records import HELD, SECOND_CHILD, record_session, sign
from tests.test_export import copy_of, docx_text, every_byte, export_review, resealed

STAND_IN = "[a sentence left out: it names a child outside this export]"
START, END = TODAY - timedelta(days=300), TODAY - timedelta(days=120)


def table_rows(path: Path) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for table in Document(str(path)).tables
            for row in table.rows]


def chronology(folder: Path) -> list[dict[str, str]]:
    """The index's chronology table, one dict per row, by its column headings."""
    tables = Document(str(folder / "00-index.docx")).tables
    table = next(t for t in tables if [c.text for c in t.rows[0].cells][:2] == ["No.", "Date"])
    heads = [c.text for c in table.rows[0].cells]
    return [dict(zip(heads, (c.text for c in row.cells), strict=True))
            for row in table.rows[1:]]


def cover(folder: Path) -> dict[str, str]:
    return {row[0]: row[1] for row in table_rows(folder / "00-index.docx") if len(row) == 2}


def session_file(cli, tmp_path: Path, name: str, body: str, held=HELD) -> str:
    """A completed session from an answers file: Sam Taylor supervised by USER on `held`."""
    path = tmp_path / name
    path.write_text(f'template = "ms-supervision-record"\ndate = "{held}"\n'
                    f'supervisor = "{USER}"\nsupervisees = ["Sam Taylor"]\n{body}',
                    encoding="utf-8")
    result = cli("session", "new", "--answers", str(path))
    assert result.code == 0, result.err
    return result.out.strip()


def ada_case(status: str, summary: str) -> str:
    return f'''[[cases]]
family = "Okafor"
children = [{{name = "{FIRST_CHILD}", dob = "2014-02-02"}}]
status = "{status}"
answers = {{summary = "{summary}"}}
'''


def ranged_history(cli, tmp_path: Path) -> None:
    """Ada discussed 20 days before the period (an action agreed), the action reviewed in a
    session inside it that does not discuss her, her case discussed again 70 days in (status
    raised, a decision), and once more after the period."""
    session_file(cli, tmp_path, "before.toml", ada_case("child-in-need", "Missed appointments.")
                 + f'''[[actions]]
text = "Share the safety plan with the school nurse"
owner = "Sam Taylor"
due = "{START - timedelta(days=6)}"
case = 1
''', held=START - timedelta(days=20))
    session_file(cli, tmp_path, "review.toml", '''[answers]
team_issues = "Staffing is short this half term."
[[action_review]]
action = 1
outcome = "done"
note = "Nurse has the plan"
''', held=START + timedelta(days=30))
    session_file(cli, tmp_path, "raised.toml", ada_case("child-protection", "New injury.") + '''
[cases.decision]
synopsis = "Known since 2023."
concerns = "A new injury."
decision = "Ask for a strategy discussion today."
rationale = "The injury is unexplained."
''', held=START + timedelta(days=70))
    session_file(cli, tmp_path, "after.toml", ada_case("child-protection", "Calmer."),
                 held=END + timedelta(days=20))


def test_a_dated_review_keeps_its_sessions_events_and_measures_the_gap_from_before(
        cli, team, tmp_path):
    ranged_history(cli, tmp_path)
    out = tmp_path / "ranged"
    result = export_review(cli, out, "--child", FIRST_CHILD, "--from", START.isoformat(),
                           "--to", END.isoformat())
    assert result.code == 0, result.err
    rows = chronology(out)
    events = [r["Event"] for r in rows]
    reviewed = next(r for r in rows if r["Event"].startswith("Action A1 reviewed"))
    assert reviewed["Source record"] == "Session S2"
    assert reviewed["Date"] == uk_date(START + timedelta(days=30))
    assert reviewed["Outcome"] == "done: Nurse has the plan"
    before, raised = START - timedelta(days=20), START + timedelta(days=70)
    assert (f"No supervision for 90 days, {uk_date(before)} (the last supervision before this "
            f"period) to {uk_date(raised)}") in events
    assert not any(e.startswith("No supervision for 70 days") for e in events)
    assert not any(uk_date(END + timedelta(days=20)) in r["Date"] for r in rows)
    assert (f"No supervision for 110 days, {uk_date(raised)} to {uk_date(END)} (the end of "
            f"this period)") in events
    assert f"Status escalated for {FIRST_CHILD}: Child in Need to Child Protection Plan" \
        in events
    decided = next(r for r in rows if r["Event"] == "Decision recorded")
    assert decided["Outcome"] == "Ask for a strategy discussion today."
    late = [r for r in rows if r["Event"].startswith("Late entry: recorded")]
    assert {r["Source record"] for r in late} == {"Session S2", "Session S3"}
    assert any("days after the meeting" in r["Event"] for r in late)
    unsigned = {r["Source record"] for r in rows if r["Event"] == "Not signed"}
    assert unsigned == {"Session S2", "Session S3", "Decision record D1"}
    assert cover(out)["Period"] == f"{uk_date(START)} to {uk_date(END)}"
    assert verify_as_reviewer(cli, out).code == 0


def test_a_disagreement_at_signing_is_an_event_in_the_chronology(cli, bundle, signed):
    rows = chronology(bundle)
    said = next(r for r in rows if r["Event"].startswith("Comment or disagreement at signing"))
    assert said["Event"].startswith("Comment or disagreement at signing by Sam Taylor "
                                    "(supervisee), signed ")
    assert said["Outcome"] == "I disagree that the referral was late."
    assert said["Source record"] == f"Session S{signed}"
    assert [r["Event"] for r in rows].index(said["Event"]) > [r["Event"] for r in rows].index(
        "Decision recorded")
    assert any(r["Event"] == "Not signed" and r["Source record"] == "Decision record D1"
               for r in rows)


def test_a_sixty_word_disagreement_is_carried_whole(cli, signed, tmp_path):
    words = ("I do not agree that the referral was late because the school nurse raised it "
             "with me on the Monday and I made the call the same afternoon after checking the "
             "chronology with the class teacher and the support worker who both agreed "
             "that the threshold was met only then and not before that week at all in my view")
    assert len(words.split()) == 60
    own = session_file(cli, tmp_path, "own.toml", ada_case("child-in-need", "Calmer."))
    assert sign(cli, "session", "sign", own, "--as", "Sam Taylor", "--comment", words).code == 0
    out = tmp_path / "long"
    assert export_review(cli, out, "--child", FIRST_CHILD).code == 0
    outcomes = [r["Outcome"] for r in chronology(out)
                if r["Event"].startswith("Comment or disagreement at signing by Sam Taylor")]
    assert words in outcomes


def named_sessions(cli, tmp_path: Path) -> tuple[str, str]:
    """Session 1 (both children; an agenda answer naming Zofia among other facts) and session 2
    (Ada's own discussion naming Zofia in one sentence), both signed by USER."""
    first = record_session(cli, tmp_path, answers=(
        'team_issues = "Zofia\'s transport is still unresolved. Training dates agreed."'))
    second = session_file(cli, tmp_path, "own.toml", ada_case(
        "child-in-need", f"Plays with {SECOND_CHILD} at lunch. Attendance improving."))
    for number in (first, second):
        assert cli("session", "sign", number, "--as", USER).code == 0
    return first, second


def test_only_the_sentences_naming_another_child_are_left_out_and_it_verifies(
        cli, team, tmp_path):
    first, second = named_sessions(cli, tmp_path)
    out = tmp_path / "sentences"
    result = export_review(cli, out, "--child", FIRST_CHILD)
    assert result.code == 0, result.err  # nothing named that cannot be left out
    for name, data in every_byte(out).items():
        for secret in (b"Zofia", b"Nowak", b"transport", b"at lunch"):
            assert secret not in data, (secret, name)
    first_text = docx_text(next(out.glob(f"*-session-{first}.docx")))
    assert f"{STAND_IN} Training dates agreed." in first_text
    second_text = docx_text(next(out.glob(f"*-session-{second}.docx")))
    assert f"{STAND_IN} Attendance improving." in second_text
    for session in (first, second):  # every page says so, sentences counted too
        header = " ".join(p.text for p in Document(str(next(out.glob(
            f"*-session-{session}.docx")))).sections[0].header.paragraphs)
        assert "Extract, not the full record:" in header and "1 sentence" in header, header
    manifest = json.loads((out / "manifest.json").read_text())
    record = next(r for r in manifest["records"] if r["record"] == f"session {first}")
    assert record["header"]["canonical"] == 3
    part = next(p for p in record["parts"] if p.get("trimmed"))
    assert part["included"] and part["sentences_left_out"] == 1
    assert part["content"]["answer"][1] == "Training dates agreed."
    left_out = part["content"]["answer"][0]["digest"]
    assert len(left_out) == 64
    # salted: the sentence cannot be confirmed by guessing it, and its salt is not given
    guess = "Zofia's transport is still unresolved. "
    assert left_out not in {digest(guess), digest(guess.strip())}
    salts = {tuple(path): given for path, given in part["salts"]}
    assert salts[("answer",)][0] is None and len(salts[("answer",)][1]) == 32
    assert part["reason"] == "it names a child outside this export"
    files = {r[0]: r[4] for r in table_rows(out / "00-index.docx") if len(r) == 6}
    assert any(left == "1 + 1 sentence" for left in files.values())
    result = cli("verify", str(out), passphrase=None)
    assert result.code == 0, result.out
    assert "signatures checked" in result.err or "Intact" in result.err


def kept_sentence_changed(manifest):
    record = next(r for r in manifest["records"] if r["header"]["type"] == "session")
    part = next(p for p in record["parts"] if p.get("trimmed"))
    part["content"]["answer"][1] = "Training dates cancelled."


def left_out_digest_changed(manifest):
    record = next(r for r in manifest["records"] if r["header"]["type"] == "session")
    part = next(p for p in record["parts"] if p.get("trimmed"))
    part["content"]["answer"][0]["digest"] = "0" * 64


def test_a_changed_kept_sentence_or_left_out_digest_fails_verification(cli, team, tmp_path):
    named_sessions(cli, tmp_path)
    out = tmp_path / "sentences"
    assert export_review(cli, out, "--child", FIRST_CHILD).code == 0
    for number, change in enumerate((kept_sentence_changed, left_out_digest_changed)):
        edited = copy_of(out, tmp_path, f"edited-{number}")
        resealed(edited, change)
        result = cli("verify", str(edited), passphrase=None)
        assert result.code == 4, change.__name__
        assert "does not match its digest" in result.out, change.__name__


def made_under_version_1(cli, session_id: str) -> None:
    """The session and its decision as a store held them before sentence digests (migration
    10 fills in version 1 for every record already there)."""
    from sqlalchemy import text

    from supervise.store.db.opening import unlock_store

    with unlock_store(cli.store, passphrase=lambda: PASSPHRASE, user=None,
                      now=product_now()) as held, held.session() as session:
        session.execute(text("UPDATE session_record SET canonical = 1 WHERE id = :i"),
                        {"i": int(session_id)})
        session.execute(text("UPDATE decision SET canonical = 1"))


def test_an_older_record_still_verifies_with_whole_answers_left_out(cli, team, tmp_path):
    session_id = record_session(cli, tmp_path, answers=(
        'team_issues = "Zofia\'s transport is still unresolved. Training dates agreed."'))
    made_under_version_1(cli, session_id)
    assert cli("session", "sign", session_id, "--as", USER).code == 0
    assert cli("decision", "sign", "1", "--as", USER).code == 0
    result = cli("audit", "verify")
    assert result.code == 0, result.out + result.err
    out = tmp_path / "older"
    assert export_review(cli, out, "--child", FIRST_CHILD).code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert all("canonical" not in r["header"] for r in manifest["records"])
    left = [p for r in manifest["records"] for p in r["parts"] if not p["included"]]
    assert "it names a child outside this export" in {p["reason"] for p in left}
    assert not any(p.get("trimmed") for r in manifest["records"] for p in r["parts"])
    assert not any(b"Training dates" in data for data in every_byte(out).values())
    result = cli("verify", str(out), passphrase=None)
    assert result.code == 0, result.out
    tampered = copy_of(out, tmp_path, "tampered")
    resealed(tampered, lambda m: m["records"][0]["parts"][0]["content"].update(answer="Fine."))
    assert cli("verify", str(tampered), passphrase=None).code == 4


def test_a_store_from_before_sentence_digests_keeps_version_1_for_its_records(tmp_path):
    import os

    from supervise.store.db import migrations as schema
    from supervise.store.db import sqlcipher as sqlite
    from tests.clock import NOON

    path = tmp_path / "nine.db"
    conn = sqlite.connect(path, os.urandom(32), create=True)
    try:
        schema.migrate(conn, path, NOON, migrations=schema.MIGRATIONS[:9])
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("INSERT INTO session_record (kind, status, template_digest, "
                     "supervisor_id, held_on, policy_version, created_at, created_by, "
                     "updated_at) VALUES ('one-to-one', 'completed', 'x', 1, '2025-01-06', 1, "
                     "'t', 'u', 't')")
        schema.migrate(conn, path, NOON)
        assert conn.execute("SELECT canonical FROM session_record").fetchall() == [(1,)]
    finally:
        conn.close()


def test_a_persons_own_copy_keeps_their_own_action_about_a_case(cli, team, tmp_path):
    session_file(cli, tmp_path, "own.toml", ada_case("child-in-need", "Calmer.") + f'''
[[actions]]
text = "Book the DSL refresher course"
owner = "Sam Taylor"
due = "{HELD + timedelta(days=14)}"
case = 1

[[actions]]
text = "Ring the family support worker"
owner = "{USER}"
due = "{HELD + timedelta(days=14)}"
case = 1
''')
    out = tmp_path / "own"
    result = cli("export", "person", "Sam Taylor", "--out", str(out))
    assert result.code == 0, result.err
    text = docx_text(next(out.glob("*-session-*.docx")))
    assert "Book the DSL refresher course" in text
    assert "Ring the family support worker" not in text  # someone else's, about a case
    for name, data in every_byte(out).items():
        for secret in (FIRST_CHILD.encode(), b"Okafor", b"Calmer."):
            assert secret not in data, (secret, name)
    assert any(r["Event"] == "Action A1 agreed: Book the DSL refresher course"
               for r in chronology(out))
    assert verify_as_reviewer(cli, out).code == 0


def test_a_persons_own_copy_is_titled_as_theirs_not_as_a_review(cli, team, tmp_path):
    session_file(cli, tmp_path, "own.toml", ada_case("child-in-need", "Calmer."))
    out = tmp_path / "own"
    assert cli("export", "person", "Sam Taylor", "--out", str(out)).code == 0
    paragraphs = [p.text for p in Document(str(out / "00-index.docx")).paragraphs if p.text]
    assert "Own Copy of Supervision Records" in paragraphs
    assert "The supervision records of Sam Taylor (their own copy)" in paragraphs
    assert not any("Review Export" in p or "about the supervision records" in p
                   for p in paragraphs)


def test_the_cover_gives_the_dates_the_export_covers(cli, bundle):
    assert cover(bundle)["Period"] == f"{uk_date(HELD)} to {uk_date(TODAY)} (the day of export)"


def test_an_escalation_agreed_in_a_case_is_an_event_saying_to_whom_and_by_when(
        cli, team, tmp_path):
    by = HELD + timedelta(days=5)
    path = tmp_path / "escalated.toml"
    path.write_text(f'''template = "dsl-agenda"
date = "{HELD}"
supervisor = "{USER}"
supervisees = ["Sam Taylor"]
[[cases]]
family = "Okafor"
children = [{{name = "{FIRST_CHILD}", dob = "2014-02-02"}}]
[cases.answers]
notes = "No reply from CSC."
escalate = true
escalated_to = "CSC team manager"
escalate_by = "{by}"
''', encoding="utf-8")
    assert cli("session", "new", "--answers", str(path)).code == 0
    out = tmp_path / "review"
    assert export_review(cli, out, "--child", FIRST_CHILD).code == 0
    rows = chronology(out)
    said = [r for r in rows if r["Event"].startswith("Escalation agreed")]
    assert [r["Event"] for r in said] == ["Escalation agreed: to CSC team manager"]
    assert f"by {uk_date(by)}" in " ".join(said[0].values())
