"""A store where one child has 200 records (SPEC §9): 180 signed sessions that discussed them,
each beside another family's case that the export must cut out, and 20 signed decision records.
Built through the store layer, reproducibly; every name is invented."""

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from supervise import clock
from supervise.domain.answers import Problems
from supervise.domain.policy.skeleton import skeleton_data
from supervise.domain.records.session_file import check_session_file
from supervise.store.catalog import Catalog
from supervise.store.db.opening import unlock_store
from supervise.store.db.writing import Stamp
from supervise.store.keys.signing_keys import custodian_key
from supervise.store.records.answers_file import record_session
from supervise.store.records.content import parties_of
from supervise.store.records.numbered import find_session
from supervise.store.records.people import add_person, find_person, list_people
from supervise.store.records.policies import policy_in_force
from supervise.store.records.session_parts import case_decision, cases_of
from supervise.store.records.signatures import SigningMaterial, sign_record

CHILD = "Bench Child"
SESSIONS, DECISIONS = 180, 20
SUPERVISOR, SUPERVISEE = "Bench Custodian", "Sam Taylor"


def build(path: Path, passphrase: str) -> int:
    """Add the history to the store at `path`; returns how many records are about the child."""
    start = date(2022, 1, 10)
    with unlock_store(path, passphrase=lambda: passphrase, user=None,
                      now=clock.now()) as store:
        catalog = Catalog(None)
        template = catalog.get("ms-supervision-record", kind="session")
        with store.session() as session:
            if not any(p.name == SUPERVISEE for p in list_people(session)):
                add_person(Stamp(session, clock.now(), SUPERVISOR), name=SUPERVISEE,
                           role="Deputy DSL")
        for number in range(SESSIONS):
            held = start + timedelta(weeks=number)
            moment = datetime.combine(held, time(16, 30), tzinfo=UTC)
            with store.session() as session:
                policy, version = policy_in_force(Stamp(session, moment, SUPERVISOR))
                decision_template = catalog.get(policy.decision_template, kind="decision")
                data = _answers(template, held, decide=number % (SESSIONS // DECISIONS) == 0)
                problems = Problems()
                parsed = check_session_file(template, data, held, problems,
                                            decision=decision_template)
                record_id = record_session(
                    Stamp(session, moment, SUPERVISOR), parsed, template=template,
                    decision_template=decision_template, policy=policy, policy_version=version,
                    problems=problems, origin="The benchmark session")
                _sign(session, store, find_session(session, record_id), moment)
    return SESSIONS + DECISIONS


def _answers(template, held: date, decide: bool) -> dict:
    data = skeleton_data(template, held)
    data.update(date=held.isoformat(), time="15:30", supervisees=[SUPERVISEE],
                supervisor=SUPERVISOR)
    data.pop("next_meeting", None)
    data.pop("action_review", None)
    first, second = (dict(data["cases"][0]) for _ in range(2))
    first.update(family="Bench", children=[{"name": CHILD, "dob": "2015-03-03"}],
                 status="child-protection")
    second.update(family="Other", children=[{"name": "Other Child", "dob": "2016-04-04"}],
                  status="child-in-need")
    first.pop("decision", None)
    second.pop("decision", None)
    if decide:
        first["decision"] = {"synopsis": "Known since 2021.", "concerns": "Neglect.",
                             "decision": "Strategy discussion.", "rationale": "New injury."}
    data["cases"] = [first, second]
    for action in data.get("actions", []):
        action.update(owner=SUPERVISEE, due=(held + timedelta(days=21)).isoformat(), case=1)
    return data


def _sign(session, store, record, moment: datetime) -> None:
    me = find_person(session, SUPERVISOR)
    key, private = custodian_key(Stamp(session, moment, SUPERVISOR), me, store.opened.private_key)
    for party in parties_of(session, "session", record):
        signer = find_person(session, SUPERVISOR) if party.person_id == me.id else \
            find_person(session, SUPERVISEE)
        material = SigningMaterial(key, private, "key" if signer.id == me.id else "typed",
                                   witness=None if signer.id == me.id else me)
        sign_record(Stamp(session, moment, SUPERVISOR), "session", record, signer=signer,
                    role=party.role, comment=None,
                    material=material)
    for case in cases_of(session, record):
        decision = case_decision(session, case)
        if decision is not None:
            sign_record(Stamp(session, moment, SUPERVISOR), "decision", decision, signer=me,
                        role="supervisor",
                        comment=None, material=SigningMaterial(key, private, "key"))
