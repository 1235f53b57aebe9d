"""DOCX exports and review bundles (issue 6): records read back from the DOCX, a child's bundle
that names no other child anywhere, `verify` against every kind of change, awkward text."""

import hashlib
import json
import shutil
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document

from supervise.store.db.writing import Stamp
from tests.clock import product_now
from tests.conftest import FIRST_CHILD
from tests.helpers import USER, file_mode, verify_as_reviewer
from tests.signed_records import HELD, SECOND_CHILD, record_session


def uk_date(day) -> str:
    """A date as the documents print it: `16 December 2026`."""
    return f"{day.day} {day:%B %Y}"


def docx_text(path: Path) -> str:
    """Every paragraph, table cell, header and footer of a DOCX, as python-docx reads it."""
    doc = Document(str(path))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines += [cell.text for cell in row.cells]
    for section in doc.sections:
        lines += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(lines)


def every_byte(folder: Path) -> dict[str, bytes]:
    """Each file's content, a DOCX's unzipped (its text is compressed inside the ZIP)."""
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                data = b"".join(archive.read(name) for name in archive.namelist())
        found[path.relative_to(folder).as_posix()] = data
    return found


def export_review(cli, out: Path, *args: str):
    return cli("export", "review", *args, "--out", str(out))


ADA_CASE = f"""[[cases]]
family = "Okafor"
children = [{{name = "{FIRST_CHILD}", dob = "2014-02-02"}}]
"""


def new_session(cli, tmp_path: Path, name: str, body: str, held=HELD) -> str:
    """A completed session from an answers file: Sam Taylor supervised on `held`."""
    path = tmp_path / name
    path.write_text(f'template = "ms-supervision-record"\ndate = "{held}"\n'
                    f'supervisor = "{USER}"\nsupervisees = ["Sam Taylor"]\n{body}',
                    encoding="utf-8")
    result = cli("session", "new", "--answers", str(path))
    assert result.code == 0, result.err
    return result.out.strip()


def test_a_session_exports_with_every_answer_child_action_and_signature(cli, signed, tmp_path):
    target = tmp_path / "out" / "record.docx"
    target.parent.mkdir()
    result = cli("session", "export", signed, "--out", str(target))
    assert result.code == 0, result.err
    assert "NOT encrypted" in result.err
    assert file_mode(target) == 0o600
    text = docx_text(target)
    for expected in ("Supervision Record", "Private and Confidential", "Example Primary School",
                     "Referral made on 2 May; outcome awaited.", FIRST_CHILD, SECOND_CHILD,
                     "Missed two health appointments.", "Settled at school.",
                     "Request a strategy discussion.", "Call the school nurse", "Sam Taylor",
                     uk_date(HELD + timedelta(days=14)), USER,
                     "I disagree that the referral was late.", f"Session S{signed} · Page",
                     "One-to-one supervision"):
        assert expected in text, expected
    table_rows = [[c.text for c in row.cells] for t in Document(str(target)).tables
                  for row in t.rows]
    assert ["A1", "", "Call the school nurse", "Sam Taylor",
            uk_date(HELD + timedelta(days=14))] in table_rows  # the policy's Item column first
    signers = [row[:2] for row in table_rows if row[1] in ("Supervisor", "Supervisee")]
    assert signers == [[f"{USER}\nDesignated Safeguarding Lead", "Supervisor"],
                       ["Sam Taylor\nDeputy DSL", "Supervisee"]]
    digest = json.loads(cli("session", "show", signed, "--json").out)["signatures"][0]["digest"]
    assert f"Digest {digest[:16]}" in text
    assert Document(str(target)).core_properties.author == USER
    assert "session.export" in cli("audit", "log", "--record", f"session:{signed}").out


def test_an_existing_file_is_not_replaced_without_force(cli, signed, tmp_path):
    target = tmp_path / "record.docx"
    target.write_bytes(b"keep me")
    result = cli("session", "export", signed, "--out", str(target))
    assert result.code == 2 and "--force" in result.err
    assert target.read_bytes() == b"keep me"
    assert cli("session", "export", signed, "--out", str(target), "--force").code == 0
    assert zipfile.is_zipfile(target)


def test_each_record_type_exports_and_the_default_name_holds_no_name(cli, signed, tmp_path,
                                                                     monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli("decision", "export", "1").code == 0
    made = sorted(p.name for p in tmp_path.glob("*.docx"))
    assert made == [f"{HELD.isoformat()}-decision-1.docx"]
    text = docx_text(tmp_path / made[0])
    assert "Supervision Decision Record" in text and FIRST_CHILD in text
    assert SECOND_CHILD not in text
    made = cli("contract", "new", "--supervisee", "Sam Taylor", "--supervisor", USER)
    assert made.code == 0, made.err
    assert cli("contract", "sign", "1", "--as", USER).code == 0
    target = tmp_path / "contract.docx"
    assert cli("contract", "export", "1", "--out", str(target)).code == 0
    text = docx_text(target)
    for expected in ("Supervision Contract", "Sam Taylor", USER, "Contract C1 · Page",
                     "Awaiting the signature of Sam Taylor (Supervisee)."):
        assert expected in text, expected


def test_a_childs_review_holds_their_discussion_and_no_other_childs_name(cli, bundle, signed):
    files = every_byte(bundle)
    assert set(files) >= {"00-index.docx", f"{HELD.isoformat()}-session-{signed}.docx",
                          f"{HELD.isoformat()}-decision-1.docx", "manifest.json",
                          "manifest.sig", "SHA256SUMS", "README.txt"}
    for name, data in files.items():
        for secret in (SECOND_CHILD, "Nowak", "Settled at school."):
            assert secret.encode() not in data, (secret, name)
    session_text = docx_text(bundle / f"{HELD.isoformat()}-session-{signed}.docx")
    assert "Missed two health appointments." in session_text
    assert "Case discussion 2 is omitted from this export: it is about a child outside" \
           in session_text
    manifest = json.loads((bundle / "manifest.json").read_text())
    record = next(r for r in manifest["records"] if r["record"] == f"session {signed}")
    omitted = [p for p in record["parts"] if not p["included"]]
    assert [p["part"] for p in omitted] == ["case 2"]
    assert "content" not in omitted[0] and len(omitted[0]["digest"]) == 64
    assert manifest["audit_chain_head"]["seq"] > 0
    assert manifest["store_counts"]["signatures"] == 2  # a later store is held against these
    assert manifest["store_counts"]["records"]["session"] == 1
    assert manifest["exported_by"]["name"] == USER
    assert manifest["scope"]["filters"]["child"] == 1
    assert {s["signer_name"] for s in record["signatures"]} == {USER, "Sam Taylor"}
    assert all(len(s["public_key"]) == 44 and len(s["fingerprint"]) == 64
               for s in record["signatures"])
    assert file_mode(bundle) == 0o700
    assert all(file_mode(p) == 0o600 for p in bundle.rglob("*") if p.is_file())
    index = docx_text(bundle / "00-index.docx")
    assert "Chronology" in index and "Case discussion (Ada Okafor)" in index
    exports = [e for e in json.loads(cli("audit", "log", "--json").out)
               if e["action"] == "export.child"]
    assert [e["digest"] for e in exports] == [
        hashlib.sha256((bundle / "manifest.json").read_bytes()).hexdigest()]


def test_verify_passes_on_a_fresh_export_with_no_store(cli, bundle, tmp_path):
    result = cli("verify", str(bundle), passphrase=None, store=tmp_path / "no" / "store.db")
    assert result.code == 0, result.out + result.err
    assert "Intact" in result.err and "2 records" in result.err
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert f"Exported by {USER}" in result.err
    assert manifest["exported_by"]["fingerprint"] in result.err


def copy_of(bundle: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(bundle, target)
    return target


def test_verify_fails_after_one_byte_of_any_file_is_changed(cli, bundle, tmp_path):
    names = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())
    assert len(names) > 10
    for number, name in enumerate(names):
        changed = copy_of(bundle, tmp_path, f"changed-{number}")
        path = changed / name
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
        result = cli("verify", str(changed), passphrase=None)
        assert result.code == 4, name
        assert result.out.strip(), name


def test_verify_fails_when_a_file_is_removed_or_added(cli, bundle, tmp_path, signed):
    removed = copy_of(bundle, tmp_path, "removed")
    (removed / f"{HELD.isoformat()}-session-{signed}.docx").unlink()
    result = cli("verify", str(removed), passphrase=None)
    assert result.code == 4 and "is missing" in result.out
    added = copy_of(bundle, tmp_path, "added")
    (added / "notes.txt").write_text("reviewer's notes")
    result = cli("verify", str(added), passphrase=None)
    assert result.code == 4 and "notes.txt is not part of the export" in result.out


def resealed(folder: Path, change) -> None:
    """Edit the manifest and rewrite SHA256SUMS to match, as a careless or dishonest editor
    would: only the exporter's signature can catch it."""
    manifest = json.loads((folder / "manifest.json").read_text())
    change(manifest)
    data = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True).encode()
    (folder / "manifest.json").write_bytes(data)
    lines = []
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        if name == "manifest.json":
            digest = hashlib.sha256(data).hexdigest()
        lines.append(f"{digest}  {name}\n")
    (folder / "SHA256SUMS").write_text("".join(lines))


@pytest.mark.parametrize("edit, expected", [
    (lambda m: m["exported_by"].update(name="Someone Else"), "exporter's signature"),
    (lambda m: m["scope"]["filters"].update(to="2020-01-01"), "exporter's signature"),
    (lambda m: m["records"][0]["parts"][0]["content"].update(answer="Nothing to report."),
     "does not match its digest"),
    (lambda m: m["records"][0]["signatures"][0].update(comment="I agree with everything."),
     "does not verify with its public key"),
    (lambda m: m["records"][0].update(digest="0" * 64), "digest does not match"),
    (lambda m: m.update(format_version=3), "or a newer supervise made it"),
    (lambda m: m.pop("format"), "is not a supervise export of a known version"),
    (lambda m: m.pop("file_list_sha256"), "names no list of files"),  # version 2 needs it
])
def test_verify_fails_after_the_manifest_is_edited(cli, bundle, tmp_path, edit, expected):
    edited = copy_of(bundle, tmp_path, "edited")
    resealed(edited, edit)
    result = cli("verify", str(edited), passphrase=None)
    assert result.code == 4
    assert expected in result.out


def test_verify_reports_a_damaged_manifest_without_crashing(cli, bundle, tmp_path):
    broken = copy_of(bundle, tmp_path, "broken")
    (broken / "manifest.json").write_text("{not json")
    result = cli("verify", str(broken), passphrase=None)
    assert result.code == 4 and "cannot be read as JSON" in result.out
    (broken / "manifest.json").write_text(json.dumps({
        "format": "supervise-export", "format_version": 2, "records": [{"record": "x"}],
        "files": []}))
    result = cli("verify", str(broken), passphrase=None)
    assert result.code == 4 and "x: its manifest entry is malformed" in result.out
    assert cli("verify", str(tmp_path / "nowhere"), passphrase=None).code == 2


@pytest.mark.parametrize("damage", [
    lambda m: m.update(records=5),
    lambda m: m.update(files=5),
    lambda m: m["exported_by"].update(public_key=5),
    lambda m: m["records"][0].update(parts=[{"included": True, "content": [[[[1]]]]}]),
    lambda m: m["records"][0]["signatures"][0].update(statement_file="../../etc/passwd"),
    lambda m: '{"files": [], "records": ' + "[" * 5000 + "]" * 5000 + "}",
], ids=["records", "files", "key", "parts", "path", "nested"])
def test_verify_is_not_crashed_by_any_manifest_shape(cli, bundle, tmp_path, damage):
    shaped = copy_of(bundle, tmp_path, "shaped")
    manifest = json.loads((shaped / "manifest.json").read_text())
    raw = damage(manifest)
    (shaped / "manifest.json").write_text(raw if isinstance(raw, str) else json.dumps(manifest))
    result = cli("verify", str(shaped), passphrase=None)
    assert result.code == 4, result.err
    assert not result.err.startswith("Error: Unexpected")


def test_verify_refuses_links_pipes_and_a_rewritten_sums_file(cli, bundle, tmp_path, signed):
    import os

    sums = copy_of(bundle, tmp_path, "sums")
    text = (sums / "SHA256SUMS").read_bytes()
    for changed in (text.replace(b"\n", b"\r", 1), text + text.splitlines(True)[0],
                    b"".join(reversed(text.splitlines(True)))):
        (sums / "SHA256SUMS").write_bytes(changed)
        result = cli("verify", str(sums), passphrase=None)
        assert result.code == 4 and "SHA256SUMS was changed" in result.out
    linked = copy_of(bundle, tmp_path, "linked")
    record = linked / f"{HELD.isoformat()}-session-{signed}.docx"
    outside = tmp_path / "elsewhere.docx"
    record.rename(outside)
    record.symlink_to(outside)
    result = cli("verify", str(linked), passphrase=None)
    assert result.code == 4 and "is a link" in result.out
    piped = copy_of(bundle, tmp_path, "piped")
    (piped / "SHA256SUMS").unlink()
    os.mkfifo(piped / "SHA256SUMS")
    result = cli("verify", str(piped), passphrase=None)
    assert result.code == 4 and "SHA256SUMS is not a regular file" in result.out
    folder = copy_of(bundle, tmp_path, "folder")
    (folder / "manifest.json").unlink()
    (folder / "manifest.json").mkdir()
    assert cli("verify", str(folder), passphrase=None).code == 4


def test_personal_support_is_left_out_unless_full(cli, team, tmp_path):
    record_session(cli, tmp_path, answers='personal_development = "Signs of Safety course; '
                                          'feeling worn down after the disclosure."')
    plain, full = tmp_path / "plain", tmp_path / "full"
    assert export_review(cli, plain, "--child", FIRST_CHILD).code == 0
    assert export_review(cli, full, "--child", FIRST_CHILD, "--full").code == 0
    assert not any(b"worn down" in data for data in every_byte(plain).values())
    assert "Personal development and support' is omitted" in docx_text(
        next(plain.glob("*-session-*.docx")))
    assert "worn down" in docx_text(next(full.glob("*-session-*.docx")))
    for folder in (plain, full):
        assert verify_as_reviewer(cli, folder).code == 0


def test_a_persons_own_copy_leaves_out_every_childs_details(cli, signed, tmp_path):
    out = tmp_path / "own"
    result = cli("export", "person", "Sam Taylor", "--out", str(out))
    assert result.code == 0, result.err
    files = every_byte(out)
    for name, data in files.items():
        for secret in (FIRST_CHILD, SECOND_CHILD, "Okafor", "Nowak", "health appointments"):
            assert secret.encode() not in data, (secret, name)
    text = docx_text(next(out.glob("*-session-*.docx")))
    assert "Referral made on 2 May; outcome awaited." in text
    assert "I disagree that the referral was late." in text
    assert verify_as_reviewer(cli, out).code == 0


def test_a_part_that_names_a_child_outside_the_export_is_left_out(cli, team, tmp_path):
    session_id = record_session(cli, tmp_path, name="n.toml", answers=(
        f'team_issues = "Cover for {SECOND_CHILD.upper()}\'s transport is unresolved."'))
    assert cli("session", "sign", session_id, "--as", USER).code == 0
    out = tmp_path / "named"
    assert export_review(cli, out, "--child", FIRST_CHILD).code == 0
    assert not any(b"transport" in data for data in every_byte(out).values())
    manifest = json.loads((out / "manifest.json").read_text())
    reasons = {p["reason"] for r in manifest["records"] for p in r["parts"] if "reason" in p}
    assert "it names a child outside this export" in reasons
    assert cli("verify", str(out), passphrase=None).code == 0


def test_an_amendment_goes_with_the_case_it_corrects(cli, signed, tmp_path):
    result = cli("session", "amend", signed, "--case", "2", "--section", "summary",
                 "--text", "Settled; attendance 97%.", "--reason", "Figure added")
    assert result.code == 0, result.err
    assert cli("session", "sign", signed, "--amendment", "1", "--as", USER).code == 0
    child, whole = tmp_path / "child", tmp_path / "whole"
    assert export_review(cli, child, "--child", FIRST_CHILD).code == 0
    assert export_review(cli, whole, "--supervisee", "Sam Taylor").code == 0
    assert not any(b"attendance 97%" in data for data in every_byte(child).values())
    assert "Amendment 1 is omitted from this export" in docx_text(
        next(child.glob("*-session-*.docx")))
    whole_text = docx_text(next(whole.glob("*-session-*.docx")))
    assert "Settled; attendance 97%." in whole_text
    assert "Summary of events since last supervision (case discussion 2)" in whole_text
    for folder in (child, whole):
        result = cli("verify", str(folder), passphrase=None)
        assert result.code == 0, result.out
        assert "3 records" in result.err or "4 records" in result.err


def test_control_characters_and_a_20000_character_note_export_visibly(cli, team, tmp_path):
    long_note = ("The family moved twice this term. " * 600)[:20_000]
    session_id = record_session(cli, tmp_path, name="c.toml", answers=(
        'absence_and_training = "Pasted from Word:\\u000bline two\\u0007 bell \\u202e '
        'reversed\\uffff end"\n'
        f'team_issues = "{long_note}"'))
    target = tmp_path / "awkward.docx"
    result = cli("session", "export", session_id, "--out", str(target))
    assert result.code == 0, result.err
    text = docx_text(target)
    assert "Pasted from Word:[U+000B]line two[U+0007] bell [U+202E] reversed[U+FFFF] end" in text
    assert long_note.strip() in text
    out = tmp_path / "awkward"
    assert export_review(cli, out, "--supervisee", "Sam Taylor", "--full").code == 0
    assert verify_as_reviewer(cli, out).code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    answers = [p["content"]["answer"] for r in manifest["records"] for p in r["parts"]
               if p["included"] and p["content"].get("section") == "absence_and_training"]
    assert answers == ["Pasted from Word:\x0bline two\x07 bell \u202e reversed\uffff end"]


def test_bad_exports_are_refused_with_the_fix(cli, signed, tmp_path):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "other.txt").write_text("x")
    result = export_review(cli, busy, "--child", FIRST_CHILD)
    assert result.code == 2 and "not empty" in result.err
    result = export_review(cli, tmp_path / "a", "--child", "Ada Okafr")
    assert result.code == 1 and "Ada Okafor" in result.err
    result = export_review(cli, tmp_path / "b", "--child", FIRST_CHILD, "--family", "Okafor")
    assert result.code == 1 and "one of --child" in result.err
    result = export_review(cli, tmp_path / "c", "--child", FIRST_CHILD, "--from", "2026-02-30")
    assert result.code == 2
    result = export_review(cli, tmp_path / "d", "--child", FIRST_CHILD, "--from", "2026-05-01",
                           "--to", "2026-04-01")
    assert result.code == 1 and "swap" in result.err
    result = export_review(cli, tmp_path / "e", "--child", FIRST_CHILD, "--to", "2000-01-01")
    assert result.code == 1 and "nothing was exported" in result.err
    assert not (tmp_path / "e").exists()
    result = cli("session", "export", "99", "--out", str(tmp_path / "x.docx"))
    assert result.code == 1 and "session list" in result.err


def test_a_draft_is_left_out_and_counted(cli, signed, tmp_path):

    from supervise.store.catalog import Catalog
    from supervise.store.db.opening import unlock_store
    from supervise.store.records.people import find_person
    from supervise.store.records.policies import current_policy
    from supervise.store.records.sessions import save_case, start_draft
    from tests.helpers import PASSPHRASE

    moment = product_now()
    with unlock_store(cli.store, passphrase=lambda: PASSPHRASE, user=None, now=moment) as held:
        with held.session() as session:
            policy, version = current_policy(session)
            draft = start_draft(
                Stamp(session, moment, USER), template=Catalog(None).get("ms-supervision-record"),
                kind="one-to-one", supervisor=find_person(session, USER),
                supervisees=[find_person(session, "Sam Taylor")], held_on=HELD,
                start_time=None, duration=None, contract_id=None, policy=policy,
                policy_version=version)
            save_case(Stamp(session, moment, USER), draft, position=1, family="Okafor",
                      children=[{"name": FIRST_CHILD, "dob": "2014-02-02"}],
                      status=None, answers={"summary": "Half-written draft."})
    out = tmp_path / "with-draft"
    result = export_review(cli, out, "--child", FIRST_CHILD)
    assert result.code == 0, result.err
    assert "1 draft not included" in result.err
    assert len(list(out.glob("*-session-*.docx"))) == 1
    assert not any(b"Half-written" in data for data in every_byte(out).values())


def test_a_familys_review_holds_that_family_and_its_index_shows_the_gaps(cli, signed,
                                                                          tmp_path):
    out = tmp_path / "family"
    result = export_review(cli, out, "--family", "okafor")
    assert result.code == 0, result.err
    files = every_byte(out)
    assert not any(SECOND_CHILD.encode() in data for data in files.values())
    assert any(b"Missed two health appointments." in data for data in files.values())
    index = docx_text(out / "00-index.docx")
    assert "the Okafor family" in index and "8 weeks" in index
    assert cli("verify", str(out), passphrase=None).code == 0
    assert export_review(cli, tmp_path / "none", "--family", "Nobody").code == 1


def test_a_later_session_that_reviewed_a_childs_action_is_in_their_review(cli, team, tmp_path):
    new_session(cli, tmp_path, "first.toml", ADA_CASE + f'''\
answers = {{summary = "Missed two health appointments."}}
[[actions]]
text = "Share the safety plan with the school nurse"
owner = "Sam Taylor"
due = "{HELD - timedelta(days=5)}"
case = 1
''', held=HELD - timedelta(days=20))
    new_session(cli, tmp_path, "later.toml", '''[answers]
team_issues = "Staffing is short this half term."
[[action_review]]
action = 1
outcome = "done"
note = "Nurse has the plan"
''')
    out = tmp_path / "review"
    assert export_review(cli, out, "--child", FIRST_CHILD).code == 0
    assert len(list(out.glob("*-session-*.docx"))) == 2
    later_text = docx_text(out / f"{HELD.isoformat()}-session-2.docx")
    assert "Nurse has the plan" in later_text and "A1" in later_text
    assert "in the export only for its review of an action about them" in later_text
    assert "Action A1 reviewed" in docx_text(out / "00-index.docx")
    assert "Staffing is short" not in later_text
    assert verify_as_reviewer(cli, out).code == 0


def test_every_child_on_the_register_outside_the_export_is_kept_out(cli, signed, tmp_path):
    """Not only the children cut from the same record: any registered child, by full name,
    first name or family name, in answers, decisions, actions and the chronology."""
    new_session(cli, tmp_path, "mentions.toml", '''[answers]
team_issues = "Zofia's transport is still unresolved."
any_other_business = "Training dates agreed."
''' + ADA_CASE + f'''answers = {{summary = "Attendance improving."}}
[cases.decision]
synopsis = "Known since 2023."
concerns = "Attendance."
decision = "Keep under review."
rationale = "Improving."
[[actions]]
text = "Ask the Nowak family's social worker about contact"
owner = "Sam Taylor"
due = "{HELD + timedelta(days=7)}"
case = 1
''')
    out = tmp_path / "register"
    result = export_review(cli, out, "--child", FIRST_CHILD)
    assert result.code == 0, result.err
    for name, data in every_byte(out).items():
        for secret in (b"Zofia", b"Nowak", b"transport"):
            assert secret not in data, (secret, name)
    texts = "".join(docx_text(p) for p in out.glob("*.docx"))
    assert "Training dates agreed." in texts and "Attendance improving." in texts
    assert "(left out: it names a child outside this export)" in texts
    assert cli("verify", str(out), passphrase=None).code == 0


def test_a_name_that_cannot_be_left_out_stops_the_export_until_confirmed(cli, team, tmp_path):
    """A signature's comment is signed whole: one that names another child cannot be cut."""
    session_id = record_session(cli, tmp_path)  # registers both children
    own = new_session(cli, tmp_path, "own.toml",
                      ADA_CASE + 'answers = {summary = "Plays well at lunch."}\n')
    assert cli("session", "sign", session_id, "--as", USER).code == 0
    assert cli("session", "sign", own, "--as", USER, "--comment",
               f"Compare with {SECOND_CHILD}'s plan.").code == 0
    out = tmp_path / "stopped"
    result = export_review(cli, out, "--child", FIRST_CHILD)
    assert result.code == 2 and "Nothing was exported" in result.err
    assert f"session {own}: {USER}'s signature comment names a child" in result.err
    assert not out.exists() and not list(tmp_path.glob(".stopped*"))
    result = export_review(cli, out, "--child", FIRST_CHILD, "--yes")
    assert result.code == 0, result.err
    assert "Warning:" in result.err
    assert cli("verify", str(out), passphrase=None).code == 0


def test_a_persons_own_copy_leaves_out_answers_that_name_a_child(cli, team, tmp_path):
    record_session(cli, tmp_path, answers=f'team_issues = "Cover for {FIRST_CHILD}."')
    out = tmp_path / "own"
    assert cli("export", "person", "Sam Taylor", "--out", str(out)).code == 0
    assert not any(b"Okafor" in data or b"Cover for" in data
                   for data in every_byte(out).values())
