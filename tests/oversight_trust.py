"""A small organisation built through the store layer on fixed dates, for the oversight rules:
people, contracts, sessions (signed or not), drafts, cancellations and actions, each on the day
the test says. Every name is invented."""

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from supervise.domain.answers import Problems
from supervise.domain.policy.frequency import parse_frequency
from supervise.domain.policy.organisation_policy import Policy, schedule_anchor
from supervise.domain.policy.skeleton import example_answers, skeleton_data
from supervise.domain.records.session_file import check_session_file
from supervise.store.catalog import Catalog, shipped_policy
from supervise.store.db.creating import create_store
from supervise.store.db.tables import Contract, SessionRecord
from supervise.store.db.writing import Stamp
from supervise.store.keys.key_file import KDF_PROFILES
from supervise.store.keys.signing_keys import custodian_key
from supervise.store.queries.overdue_facts import oversight_facts
from supervise.store.records.answers_file import record_session
from supervise.store.records.cancellations import cancel_meeting
from supervise.store.records.content import parties_of
from supervise.store.records.contracts import ContractTerms, make_contract
from supervise.store.records.people import add_person, edit_person, find_person
from supervise.store.records.policies import current_policy, policy_in_force
from supervise.store.records.sessions import start_draft
from supervise.store.records.signatures import SigningMaterial, sign_record
from tests.helpers import PASSPHRASE

LEAD = "Dee Lead"
SETUP = date(2024, 8, 1)  # the store is made, and everyone added, on this day


def at(day: date, hour: int = 16) -> datetime:
    return datetime.combine(day, time(hour, 30), tzinfo=UTC)


class Trust:
    def __init__(self, folder: Path, policy: str = "minimum-standards",
                 setup: date = SETUP) -> None:
        self.path, self.setup = folder / "store.db", setup
        self.store, _ = create_store(self.path, org="Oversight Test Trust",
                                     policy=shipped_policy(policy), user=LEAD,
                                     role="Designated Safeguarding Lead", passphrase=PASSPHRASE,
                                     kdf=KDF_PROFILES["owasp-minimum"], now=at(setup))
        self.catalog = Catalog(None)
        with self.store.session() as session:  # the lead's own supervision is not kept here
            edit_person(Stamp(session, at(setup), LEAD), find_person(session, LEAD),
                        changes={"requires_supervision": False,
                                 "supervisor_trained_on": setup})

    def close(self) -> None:
        self.store.close()

    def person(self, name: str, *, role: str = "Class Teacher", start: date | None = None,
               supervisor: bool = False, trained: date | None = None,
               since: date | None = None, qualified: date | None = None,
               requires: bool = True, added: date | None = None) -> None:
        with self.store.session() as session:
            add_person(Stamp(session, at(added or self.setup), LEAD), name=name, role=role,
                       start_date=start, is_supervisor=supervisor,
                       supervisor_trained_on=trained, supervisor_since=since,
                       newly_qualified_on=qualified, requires_supervision=requires)

    def contract(self, supervisee: str, *, supervisor: str = LEAD, frequency: str = "1m",
                 start: date = date(2025, 1, 6), kind: str | None = None,
                 signed: bool = True, scheduled: bool = False, review: date | None = None) -> int:
        with self.store.session() as session:
            policy, version = policy_in_force(Stamp(session, at(start), LEAD))
            spec = policy.kind(kind)
            template = self.catalog.get(spec.contract_template or "ms-contract", kind="contract")
            person = find_person(session, supervisee)
            schedule = policy.newly_qualified if scheduled else None
            anchor = schedule_anchor(person.newly_qualified_on, person.start_date)
            terms = ContractTerms(
                supervisee=person, supervisor=find_person(session, supervisor), kind=spec.name,
                frequency=parse_frequency(frequency), schedule=schedule,
                schedule_from=anchor if schedule else None, start=start,
                review=review or policy.review_on(start), duration=60, venue=None,
                template=template, answers=example_answers(template.sections, start))
            contract = make_contract(Stamp(session, at(start, 9), LEAD), terms, policy=policy,
                                     policy_version=version)
            if signed:
                self._sign(session, "contract", contract, at(start, 10))
            return contract.id

    def session(self, held: date, *supervisees: str, supervisor: str = LEAD,
                kind: str = "one-to-one", signed: bool = True, recorded: date | None = None,
                action_due: date | None = None, template: str = "ms-supervision-record") -> int:
        """A completed session with no cases; one action owned by the first supervisee when
        `action_due` is given."""
        moment = at(recorded or held)
        with self.store.session() as session:
            policy, version = policy_in_force(Stamp(session, moment, LEAD))
            chosen = self.catalog.get(template, kind="session")
            data = skeleton_data(chosen, held)
            data.update(date=held.isoformat(), time="10:00", supervisees=list(supervisees),
                        supervisor=supervisor, kind=kind)
            for key in ("cases", "action_review", "next_meeting"):
                data.pop(key, None)
            data["actions"] = [{"text": "Update the chronology", "owner": supervisees[0],
                                "due": action_due.isoformat()}] if action_due else []
            if kind == "group":
                data.update(group_confidentiality="Stays in the room.", concern_lead=supervisor)
            problems = Problems()
            parsed = check_session_file(chosen, data, held, problems,
                                        decision=self.catalog.get(policy.decision_template,
                                                                  kind="decision"))
            record_id = record_session(Stamp(session, moment, LEAD), parsed, template=chosen,
                                       decision_template=None, policy=policy,
                                       policy_version=version, problems=problems,
                                       origin="test session")
            if signed:
                self._sign(session, "session", session.get(SessionRecord, record_id),
                           moment + timedelta(minutes=10))
            return record_id

    def draft(self, held: date, supervisee: str, *, started: date | None = None) -> int:
        moment = at(started or held)
        with self.store.session() as session:
            policy, version = policy_in_force(Stamp(session, moment, LEAD))
            record = start_draft(
                Stamp(session, moment, LEAD), template=self.catalog.get("ms-supervision-record",
                                                                        kind="session"),
                kind="one-to-one", supervisor=find_person(session, LEAD),
                supervisees=[find_person(session, supervisee)], held_on=held, start_time=None,
                duration=None, contract_id=None, policy=policy, policy_version=version)
            return record.id

    def cancel(self, meeting: date, supervisee: str, *, rebooked: date | None = None,
               by: str = "supervisee", supervisor: str = LEAD) -> None:
        with self.store.session() as session:
            cancel_meeting(Stamp(session, at(meeting), LEAD), supervisee=find_person(session,
                                                                                     supervisee),
                           supervisor=find_person(session, supervisor), meeting_on=meeting, by=by,
                           reason="Off sick", rebooked=rebooked)

    def sign_contract(self, contract_id: int, on: date) -> None:
        with self.store.session() as session:
            self._sign(session, "contract", session.get(Contract, contract_id), at(on))

    def _sign(self, session, record_type: str, record, moment: datetime) -> None:
        me = find_person(session, LEAD)
        key, private = custodian_key(Stamp(session, moment, LEAD), me,
                                     self.store.opened.private_key)
        for party in parties_of(session, record_type, record):
            signer = session.get(type(me), party.person_id)
            material = SigningMaterial(key, private, "key") if signer.id == me.id else \
                SigningMaterial(key, private, "typed", witness=me)
            sign_record(Stamp(session, moment, LEAD), record_type, record, signer=signer,
                        role=party.role,
                        comment=None, material=material)

    def policy(self) -> Policy:
        with self.store.session() as session:
            return current_policy(session)[0]

    def facts(self, on: date):
        with self.store.session() as session:
            policy, _ = current_policy(session)
            return oversight_facts(session, policy, on), policy
