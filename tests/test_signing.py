"""Sign-off, immutability and tamper evidence (issue 5): personal keys, typed names, the record
digest, amendments, the database's own refusal, and `audit verify` against an attacker who holds
the store key."""

import json
import os
import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from supervise.cli import prompts
from supervise.cli.hints import rendered
from supervise.domain.records.canonical import Omitted, canonical_json, part_digest
from supervise.domain.records.signing import Content
from supervise.errors import SuperviseError
from supervise.keycrypto import b64, new_ed25519
from supervise.store.db.opening import unlock_store
from supervise.store.db.writing import Stamp
from supervise.store.records.content import content_of
from supervise.store.records.numbered import find_record
from tests.clock import NOON, TODAY
from tests.helpers import KIND, PASSPHRASE, USER, ScriptedPrompter
from tests.signed_records import BEA_PASSPHRASE, HELD, SECOND_CHILD, enrol, record_session, sign

NOW = NOON  # the product clock at the start of each test


def opened(path):
    return unlock_store(path, passphrase=lambda: PASSPHRASE, user=None, now=NOW)


def as_attacker(path, *statements: str) -> None:
    """Someone holding the store key: drops every trigger first, runs raw SQL, then puts the
    triggers back as they were (dropping them is a finding of its own: test_evidence_removal)."""
    with opened(path) as store, store.engine.begin() as conn:
        triggers = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for name, _ in triggers:
            conn.exec_driver_sql(f"DROP TRIGGER {name}")
        for statement in statements:
            conn.exec_driver_sql(statement)
        for _, sql in triggers:
            conn.exec_driver_sql(sql)


def verify(cli):
    return cli("audit", "verify")


def shown(cli, session_id):
    result = cli("session", "show", session_id, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_a_session_is_signed_when_every_party_has(cli, team, tmp_path):
    session_id = record_session(cli, tmp_path)
    assert shown(cli, session_id)["status"] == "completed"
    first = cli("session", "sign", session_id, "--as", USER)
    assert first.code == 0 and "Still to sign: Sam Taylor (supervisee)" in first.err
    detail = shown(cli, session_id)
    assert detail["status"] == "partly signed" and not detail["signed"]
    enrol(cli)
    assert sign(cli, "session", "sign", session_id, "--as", "sam taylor").code == 0
    detail = shown(cli, session_id)
    assert detail["status"] == "signed" and detail["signed"] and detail["awaiting"] == []
    assert [(s["name"], s["role"], s["method"]) for s in detail["signatures"]] == [
        (USER, "supervisor", "personal key"), ("Sam Taylor", "supervisee", "personal key")]
    listed = json.loads(cli("session", "list", "--status", "signed", "--json").out)
    assert [row["id"] for row in listed] == [int(session_id)]
    again = cli("session", "sign", session_id, "--as", USER)
    assert again.code == 1 and "already signed" in again.err
    assert verify(cli).code == 0


def test_the_supervisees_comment_is_part_of_what_they_sign(cli, signed, store):
    detail = shown(cli, signed)
    assert detail["signatures"][1]["comment"] == "I disagree that the referral was late."
    text = cli("session", "show", signed).out
    assert "Comment: I disagree that the referral was late." in text
    as_attacker(store, "UPDATE signature SET comment = 'I agree with everything.' "
                       "WHERE role = 'supervisee'")
    result = verify(cli)
    assert result.code == 4
    assert f"session {signed}: the signature of Sam Taylor (supervisee) does not match" \
        in result.out


def test_changing_a_signed_sessions_text_in_the_database_is_found(cli, signed, store):
    assert verify(cli).code == 0
    as_attacker(store, "UPDATE session_answer SET value = '\"Nothing to report.\"' "
                       "WHERE section_id = 'matters_arising'")
    result = verify(cli)
    assert result.code == 4
    assert f"session {signed}: its content was changed after it was signed" in result.out
    assert "Error: 1 problem found" in result.err


def test_a_deleted_audit_event_is_found(cli, signed, store):
    as_attacker(store, "DELETE FROM audit_event WHERE seq = 5")
    result = verify(cli)
    assert result.code == 4
    assert "audit events 5..5 are missing" in result.out
    assert "audit event 6 does not link to the event before it" in result.out


def test_a_signature_made_with_another_key_is_found(cli, signed, store):
    private, public = new_ed25519()
    from supervise.keycrypto import ed25519_sign

    forged = b64(ed25519_sign(private, b"anything"))
    as_attacker(store, f"UPDATE signature SET public_key = '{b64(public)}', "
                       f"signature = '{forged}' WHERE role = 'supervisor'")
    result = verify(cli)
    assert result.code == 4
    assert f"session {signed}: the signature of {USER} (supervisor) was not made with their " \
        f"own key" in result.out


def test_a_deleted_signature_is_found(cli, signed, store):
    as_attacker(store, "DELETE FROM signature WHERE role = 'supervisee'")
    result = verify(cli)
    assert result.code == 4 and f"session {signed}: signature 2" in result.out


def test_a_wrong_personal_passphrase_exits_3_and_is_recorded(cli, team, tmp_path):
    session_id = record_session(cli, tmp_path)
    enrol(cli)
    result = sign(cli, "session", "sign", session_id, "--as", "Sam Taylor",
                  signer="not bea's passphrase")
    assert result.code == 3 and "Wrong signing passphrase for Sam Taylor" in result.err
    assert BEA_PASSPHRASE not in result.err
    log = json.loads(cli("audit", "log", "--record", f"session:{session_id}", "--json").out)
    failed = [e for e in log if e["action"] == "session.sign-failed"]
    assert len(failed) == 1 and failed[0]["detail"]["reason"] == "wrong signing passphrase"
    assert shown(cli, session_id)["signatures"] == []


def test_someone_without_a_key_signs_by_typed_name_witnessed(cli, team, tmp_path):
    session_id = record_session(cli, tmp_path)
    refused = cli("session", "sign", session_id, "--as", "Sam Taylor")
    assert refused.code == 1 and "person enrol" in refused.err and "--typed" in refused.err
    mistyped = cli("session", "sign", session_id, "--as", "Sam Taylor", "--typed",
                   "--typed-name", "Sam Tailor")
    assert mistyped.code == 2 and "does not match" in mistyped.err
    lower = cli("session", "sign", session_id, "--as", "Sam Taylor", "--typed",
                "--typed-name", "sam taylor")  # a signature is the name as written
    assert lower.code == 2 and "as written" in lower.err
    assert cli("session", "sign", session_id, "--as", "Sam Taylor", "--typed",
               "--typed-name", " Sam  Taylor ").code == 0
    signature = shown(cli, session_id)["signatures"][0]
    assert signature["method"] == f"typed name, witnessed by {USER}"
    assert "witnessed by" in cli("session", "show", session_id).out
    assert verify(cli).code == 0


def test_on_a_terminal_the_supervisee_is_asked_for_a_comment_and_to_confirm(cli, team,
                                                                              tmp_path):
    session_id = record_session(cli, tmp_path)
    enrol(cli)
    script = ScriptedPrompter(("Comment", "Item 2 is not how I remember it."),
                              ("Sign session", True),
                              ("Sam Taylor's signing passphrase", BEA_PASSPHRASE))
    with prompts.use(script):
        result = cli("session", "sign", session_id, "--as", "Sam Taylor")
    assert result.code == 0, result.err
    assert script.finished()
    assert shown(cli, session_id)["signatures"][0]["comment"] == \
        "Item 2 is not how I remember it."


def test_the_signer_reads_what_they_sign_first_and_a_wrong_passphrase_is_asked_again(
        cli, team, tmp_path):
    session_id = record_session(cli, tmp_path)
    enrol(cli)
    script = ScriptedPrompter(("Comment", "Item 2 is not how I remember it."),
                              ("Sign session", True),
                              ("Sam Taylor's signing passphrase", "not-the-right-words"),
                              ("Sam Taylor's signing passphrase", BEA_PASSPHRASE))
    with prompts.use(script):
        result = cli("session", "sign", session_id, "--as", "Sam Taylor")
    assert result.code == 0, result.err
    before_comment = result.err.split("Try again")[0]
    assert f"Sam Taylor is asked to sign session {session_id} as supervisee" in before_comment
    assert f"Read it whole with `supervise session show {session_id}`" in before_comment
    assert "questions answered" in before_comment and "supervisee Sam Taylor" in before_comment
    assert "Wrong signing passphrase for Sam Taylor" in result.err and "comment is kept" in \
        result.err
    signature = shown(cli, session_id)["signatures"][0]
    assert signature["comment"] == "Item 2 is not how I remember it."
    events = [e["action"] for e in json.loads(cli("audit", "log", "--json").out)]
    assert events.count("session.sign-failed") == 1 and "session.sign" in events


def test_three_wrong_signing_passphrases_sign_nothing(cli, team, tmp_path):
    session_id = record_session(cli, tmp_path)
    enrol(cli)
    wrong = [("Sam Taylor's signing passphrase", f"wrong-{n}") for n in range(3)]
    with prompts.use(ScriptedPrompter(("Comment", ""), ("Sign session", True), *wrong)):
        result = cli("session", "sign", session_id, "--as", "Sam Taylor")
    assert result.code == 3 and "nothing was signed" in result.err
    assert shown(cli, session_id)["signatures"] == []


def test_a_typed_name_in_the_wrong_case_is_asked_again(cli, team, tmp_path):
    session_id = record_session(cli, tmp_path)
    script = ScriptedPrompter(("type your full name exactly as written", "sam taylor"),
                              ("type your full name exactly as written", "Sam Taylor"),
                              ("Sign session", True))
    with prompts.use(script):
        result = cli("session", "sign", session_id, "--as", "Sam Taylor", "--typed",
                     "--comment", "")
    assert result.code == 0, result.err
    assert "capitals and spelling count" in result.err


def test_roles_are_checked(cli, team, tmp_path):
    session_id = record_session(cli, tmp_path)
    outsider = cli("session", "sign", session_id, "--as", "Mo Manager")
    assert outsider.code == 2 and "--role manager" in outsider.err
    wrong = cli("session", "sign", session_id, "--as", USER, "--role", "supervisee")
    assert wrong.code == 2 and "not the supervisee" in wrong.err
    unknown = cli("session", "sign", session_id, "--as", "Sam Tailor")
    assert unknown.code == 1 and "Sam Taylor" in unknown.err
    assert cli("session", "sign", "99", "--as", USER).code == 1


def test_a_draft_cannot_be_signed(cli, team):
    with prompts.use(ScriptedPrompter(KIND, ("holidays", KeyboardInterrupt()))):
        assert cli("session", "new", "--supervisee", "Sam Taylor", "--supervisor", USER,
                   "--template", "ms-supervision-record", "--date", str(HELD), "--time",
                   "09:00", "--duration", "45").code == 130
    result = cli("session", "sign", "1", "--as", USER)
    assert result.code == 2 and "draft" in result.err
    amended = cli("session", "amend", "1", "--text", "x", "--reason", "y")
    assert amended.code == 2 and "resume" in amended.err


def test_a_signed_record_is_refused_by_the_application_and_the_database(cli, signed, store):
    resumed = cli("session", "resume", signed)
    assert resumed.code == 1 and f"supervise session amend {signed}" in resumed.err
    with opened(store) as held:
        with pytest.raises(IntegrityError, match="signed records are never changed"):
            with held.engine.begin() as conn:
                conn.exec_driver_sql("UPDATE session_answer SET value = '\"x\"'")
        for statement in ("DELETE FROM case_discussion", "UPDATE session_record SET kind = 'x'",
                          "UPDATE decision SET answers = '{}'",
                          "UPDATE action_item SET text = 'x'",
                          f"INSERT INTO session_answer VALUES ({signed}, 'new', '\"x\"', '')"):
            with pytest.raises(IntegrityError, match="signed records are never changed"):
                with held.engine.begin() as conn:
                    conn.exec_driver_sql(statement)
        with pytest.raises(SuperviseError) as refused:
            with held.session() as session:
                from sqlalchemy import text

                session.exec(text("UPDATE session_answer SET value = '\"x\"'"))
        assert "amend" in rendered(refused.value)
        with held.engine.begin() as conn:  # an action's progress is not part of the record
            conn.exec_driver_sql("UPDATE action_item SET status = 'done', due_on = '2030-01-01'")
    assert verify(cli).code == 0


def test_amending_a_signed_session_keeps_the_original_bytes(cli, signed, store):
    with opened(store) as held, held.session() as session:
        before = content_of(session, "session", find_record(session, "session", signed))
    result = cli("session", "amend", signed, "--section", "matters_arising", "--text",
                 "Referral made on 3 May.", "--reason", "The date was wrong.")
    assert result.code == 0, result.err
    with opened(store) as held, held.session() as session:
        after = content_of(session, "session", find_record(session, "session", signed))
    assert after.canonical() == before.canonical() and after.digest == before.digest
    text = cli("session", "show", signed).out
    assert "Referral made on 2 May; outcome awaited." in text  # the original
    assert "Amendment 1 (1. Matters arising)" in text and "Was: Referral made on 2 May" in text
    assert "Now: Referral made on 3 May." in text and "Reason: The date was wrong." in text
    amendment = shown(cli, signed)["amendments"][0]
    assert amendment["signed"] is False and amendment["author"] == USER
    assert cli("session", "sign", signed, "--amendment", "1", "--as", USER).code == 0
    assert sign(cli, "session", "sign", signed, "--amendment", "1", "--as",
                "Sam Taylor").code == 0
    assert shown(cli, signed)["amendments"][0]["signed"] is True
    assert cli("session", "sign", signed, "--amendment", "2", "--as", USER).code == 1
    bad = cli("session", "amend", signed, "--section", "nope", "--text", "x", "--reason", "y")
    assert bad.code == 2 and "matters_arising" in bad.err
    assert verify(cli).code == 0


def test_amending_a_case_answer_and_a_whole_record_note(cli, signed):
    assert cli("session", "amend", signed, "--case", "1", "--section", "summary", "--text",
               "Missed three health appointments.", "--reason", "Miscounted.").code == 0
    assert cli("session", "amend", signed, "--text", "Written up from notes.", "--reason",
               "Context.").code == 0
    amendments = shown(cli, signed)["amendments"]
    assert amendments[0]["previous"] == "Missed two health appointments."
    assert amendments[0]["case"] == 1 and amendments[1]["section"] is None
    no_text = cli("session", "amend", signed, "--reason", "x")
    assert no_text.code == 2 and "--text" in no_text.err


def test_contracts_are_signed_by_both_parties_and_decisions_by_the_supervisor(cli, team,
                                                                                tmp_path):
    assert cli("contract", "new", "--supervisee", "Sam Taylor", "--supervisor", USER).code == 0
    enrol(cli)
    assert cli("contract", "sign", "1", "--as", USER).code == 0
    assert json.loads(cli("contract", "show", "1", "--json").out)["signed"] is False
    assert sign(cli, "contract", "sign", "1", "--as", "Sam Taylor").code == 0
    contract = json.loads(cli("contract", "show", "1", "--json").out)
    assert contract["signed"] is True and len(contract["signatures"]) == 2
    assert "Signatures" in cli("contract", "show", "1").out
    record_session(cli, tmp_path)
    assert cli("decision", "sign", "1", "--as", "Mo Manager", "--role", "manager",
               "--typed", "--typed-name", "Mo Manager").code == 0
    decision = json.loads(cli("decision", "show", "1", "--json").out)
    assert decision["signed"] is True and decision["signatures"][0]["role"] == "manager"
    assert cli("contract", "amend", "1", "--section", "recording", "--text",
               "Kept in the encrypted store.", "--reason", "Clarified.").code == 0
    contract = json.loads(cli("contract", "show", "1", "--json").out)
    assert contract["amendments"][0]["question"] and contract["signed"] is True
    assert verify(cli).code == 0


def test_key_holders_sign_with_their_store_passphrase(cli, team, tmp_path, monkeypatch):
    other = "second holder passphrase"
    monkeypatch.setenv("SUPERVISE_USER", USER)
    assert cli("key", "add-user", "Mo Manager",
               env={"SUPERVISE_NEW_PASSPHRASE": other}).code == 0
    session_id = record_session(cli, tmp_path)
    enrolled = cli("person", "enrol", "Mo Manager",
                   env={"SUPERVISE_SIGNER_PASSPHRASE": "whatever123"})
    assert enrolled.code == 1 and "store passphrase" in enrolled.err
    wrong = sign(cli, "session", "sign", session_id, "--as", "Mo Manager", "--role",
                 "manager", signer="not it at all")
    assert wrong.code == 3
    assert sign(cli, "session", "sign", session_id, "--as", "Mo Manager", "--role",
                "manager", signer=other).code == 0
    # A new passphrase leaves the key as it was: what was signed still verifies, and signing on.
    assert cli("key", "passwd", env={"SUPERVISE_NEW_PASSPHRASE": PASSPHRASE + "!"}).code == 0
    assert cli("session", "sign", session_id, "--as", USER,
               passphrase=PASSPHRASE + "!").code == 0
    keys = [s["key"] for s in shown_with(cli, session_id, PASSPHRASE + "!")["signatures"]]
    assert len(set(keys)) == 2
    assert cli("audit", "verify", passphrase=PASSPHRASE + "!").code == 0


def shown_with(cli, session_id, passphrase):
    return json.loads(cli("session", "show", session_id, "--json", passphrase=passphrase).out)


def test_re_enrolling_needs_the_old_passphrase_and_keeps_what_the_old_key_signed(cli, team,
                                                                                 tmp_path):
    session_id = record_session(cli, tmp_path)
    enrol(cli)
    assert sign(cli, "session", "sign", session_id, "--as", "Sam Taylor").code == 0
    new = {"SUPERVISE_SIGNER_PASSPHRASE": "a new one 123"}
    unproven = cli("person", "enrol", "Sam Taylor", env=new)
    assert unproven.code == 2 and "--forgotten" in unproven.err
    wrong = cli("person", "enrol", "Sam Taylor",
                env={**new, "SUPERVISE_OLD_SIGNER_PASSPHRASE": "not the old one"})
    assert wrong.code == 3
    assert cli("person", "enrol", "Sam Taylor",
               env={**new, "SUPERVISE_OLD_SIGNER_PASSPHRASE": BEA_PASSPHRASE}).code == 0
    assert cli("person", "enrol", "Sam Taylor", "--forgotten",
               env={"SUPERVISE_SIGNER_PASSPHRASE": "third one 1234"}).code == 0
    keys = [e for e in json.loads(cli("audit", "log", "--json").out)
            if e["action"] == "person.signing-key" and e["record_id"] != "1"]
    assert [k["detail"]["reset"] for k in keys] == [False, False, True]
    assert verify(cli).code == 0


def test_someone_with_a_key_cannot_be_signed_for_by_typed_name(cli, team, tmp_path):
    session_id = record_session(cli, tmp_path)
    enrol(cli)
    typed = cli("session", "sign", session_id, "--as", "Sam Taylor", "--typed",
                "--typed-name", "Sam Taylor")
    assert typed.code == 2 and "has a signing key" in typed.err
    assert cli("session", "sign", session_id, "--as", USER, "--typed", "--typed-name",
               USER).code == 2


def test_a_decision_in_a_draft_cannot_be_signed_or_amended(cli, team):
    from supervise.store.catalog import Catalog
    from supervise.store.records.people import find_person
    from supervise.store.records.policies import current_policy
    from supervise.store.records.sessions import save_case, save_decision_for, start_draft

    catalog = Catalog(None)
    with opened(team) as store, store.session() as session:
        policy, version = current_policy(session)
        record = start_draft(
            Stamp(session, NOW,
                  USER), template=catalog.get("ms-supervision-record"), kind="one-to-one",
            supervisor=find_person(session, USER),
            supervisees=[find_person(session, "Sam Taylor")], held_on=HELD, start_time=None,
            duration=None, contract_id=None, policy=policy, policy_version=version)
        save_case(Stamp(session, NOW, USER), record, position=1, family="Okafor",
                  children=[{"name": "Ada Okafor", "dob": "2014-02-02"}], status=None,
                  answers={})
        save_decision_for(session, record, 1, catalog.get(policy.decision_template),
                          {"decision": "Strategy discussion."}, NOW)
    signing = cli("decision", "sign", "1", "--as", USER)
    assert signing.code == 2 and "Session 1 is a draft" in signing.err
    amending = cli("decision", "amend", "1", "--text", "x", "--reason", "y")
    assert amending.code == 2 and "draft" in amending.err


def test_forged_keys_signatures_and_templates_are_found(cli, signed, store):
    private, public = new_ed25519()
    from supervise.keycrypto import ed25519_sign

    as_attacker(store, "INSERT INTO signing_key (person_id, public_key, fingerprint, "
                       f"protection, wrapped, created_at, created_by) VALUES (2, '{b64(public)}'"
                       ", 'ff', 'passphrase', '{}', '2000-01-01', 'x')",
                "INSERT INTO signature (record_type, record_id, digest, signer_id, "
                "signer_name, role, method, key_id, public_key, signed_at, signature) "
                f"SELECT 'session', {signed}, digest, 2, 'Sam Taylor', 'supervisee', 'key', "
                f"(SELECT max(id) FROM signing_key), '{b64(public)}', signed_at, "
                f"'{b64(ed25519_sign(private, b'x'))}' FROM signature LIMIT 1",
                "UPDATE template_snapshot SET text = replace(text, 'Matters arising', "
                "'Admissions')")
    result = verify(cli)
    assert result.code == 4
    assert "does not match the audit trail: it was not made by supervise" in result.out
    assert "(supervisee) does not match the audit trail" in result.out
    assert f"session {signed}: cannot be read back (The template copy" in result.out


def test_a_damaged_row_is_reported_not_crashed_on(cli, signed, store):
    as_attacker(store, "UPDATE session_answer SET value = '{not json'")
    result = verify(cli)
    assert result.code == 4 and f"session {signed}: cannot be read back" in result.out


def test_a_key_holder_is_not_renamed_behind_the_key_files_back(cli, store):
    renamed = cli("person", "edit", USER, "--name", "Jordan Exemplar")
    assert renamed.code == 1 and "key remove-user" in renamed.err
    assert cli("person", "edit", USER, "--name", USER.upper()).code == 0  # same name


KNOWN = Content(
    header={"type": "session", "id": 1, "held_on": date(2026, 11, 20),
            "recorded_at": "2026-11-20T10:00:00.000000Z", "supervisor": 1,
            "supervisees": [2]},
    parts=[{"section": "matters_arising", "answer": "Zażółć gęślą jaźń — دستخط"},
           {"case": 1, "family": "Okafor", "children": [{"name": "Ada", "dob": "2014-02-02"}]},
           {"action": 1, "text": "Call", "owner": 2, "due": date(2026, 12, 4), "case": None}],
)


def test_the_digest_of_a_known_record_is_fixed():
    assert KNOWN.digest == "9574698567835ce99cb3fa2d3076296a2a2443588a18867a52692ebfc5cf076d"


def test_a_part_left_out_by_its_digest_gives_the_same_digest(cli, signed, store):
    with opened(store) as held, held.session() as session:
        content = content_of(session, "session", find_record(session, "session", signed))
    cases = [i for i, part in enumerate(content.parts) if "case" in part and "family" in part]
    assert len(cases) == 2
    other = cases[1]
    assert content.parts[other]["children"][0]["name"] == SECOND_CHILD
    version = content.header["canonical"]
    extract = Content(content.header, [Omitted(part_digest(p, version, content.salt_key))
                                       if i == other else p
                                       for i, p in enumerate(content.parts)],
                      content.salt_key)
    assert extract.digest == content.digest
    assert SECOND_CHILD.encode() not in canonical_json([p for p in extract.parts
                                                        if not isinstance(p, Omitted)])
    assert shown(cli, signed)["signatures"][0]["digest"] == content.digest


DIGEST_SCRIPT = """
import sys
from pathlib import Path
from supervise.clock import now
from supervise.store.records.content import content_of
from supervise.store.records.numbered import find_record
from supervise.store.db.opening import unlock_store
store = unlock_store(Path(sys.argv[1]), passphrase=lambda: sys.argv[2], user=None,
                     now=now())
with store, store.session() as session:
    print(content_of(session, "session", find_record(session, "session", sys.argv[3])).digest)
"""


@pytest.mark.slow
def test_the_digest_is_the_same_in_every_process_time_zone_and_hash_seed(signed, store):
    with opened(store) as held, held.session() as session:
        here = content_of(session, "session", find_record(session, "session", signed)).digest
    seen = set()
    for tz, seed in (("UTC", "0"), ("Pacific/Auckland", "1"), ("America/St_Johns", "4242")):
        env = {**os.environ, "TZ": tz, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-c", DIGEST_SCRIPT, str(store), PASSPHRASE,
                                 signed], env=env, capture_output=True, text=True, check=True)
        seen.add(result.stdout.strip())
    assert seen == {here}


def test_audit_log_lists_the_chain(cli, signed):
    events = json.loads(cli("audit", "log", "--json").out)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert set(events[0]) == {"seq", "at", "actor", "action", "record_type", "record_id",
                              "digest", "detail", "prev_hash", "hash"}
    signs = [e for e in events if e["action"] == "session.sign"]
    assert len(signs) == 2 and all(e["record_id"] == signed for e in signs)
    assert len(json.loads(cli("audit", "log", "--last", "3", "--json").out)) == 3
    assert "session.sign" in cli("audit", "log", "--record", f"session:{signed}").out
    assert cli("audit", "log", "--record", "nonsense").code == 2
    assert cli("audit", "log", "--last", "0").code == 2


def test_each_autosaved_answer_and_status_change_is_in_the_audit_trail(cli, team, tmp_path):
    with prompts.use(ScriptedPrompter(KIND, ("holidays", "Three days' leave."),
                                      ("Please indicate", KeyboardInterrupt()))):
        assert cli("session", "new", "--supervisee", "Sam Taylor", "--supervisor", USER,
                   "--template", "ms-supervision-record", "--date", str(HELD), "--time",
                   "09:00", "--duration", "45").code == 130
    log = json.loads(cli("audit", "log", "--record", "session:1", "--json").out)
    assert [e["action"] for e in log] == ["session.start", "session.autosave"]
    assert log[1]["detail"] == {"part": "answer absence_and_training"}
    assert "Three days" not in json.dumps(log)  # the trail says what was saved, not the text
    record_session(cli, tmp_path)
    record_session(cli, tmp_path, "later.toml", status="child-protection", held=TODAY)
    changes = [e for e in json.loads(cli("audit", "log", "--json").out)
               if e["action"] == "child.status"]
    assert [c["detail"]["to"] for c in changes] == ["child-protection"]
