"""Sign-off in the sample trust, on its simulated clock: contracts by both parties the day they
start, sessions by every party the afternoon they are held, decision records by the supervisor,
and one amendment. The signed-in user signs with their key; the others type their names, which the
user witnesses. The latest sessions are left unsigned, as real ones waiting for sign-off are."""

from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from supervise.store.db.tables import Contract, Person, SessionRecord
from supervise.store.db.writing import Stamp
from supervise.store.keys.signing_keys import custodian_key
from supervise.store.records.amendments import amend
from supervise.store.records.content import parties_of
from supervise.store.records.numbered import stored
from supervise.store.records.people import find_person
from supervise.store.records.session_parts import case_decision, cases_of
from supervise.store.records.signatures import SigningMaterial, sign_record

UNSIGNED_FROM = date(2026, 11, 1)  # sessions held since are still waiting for signatures


class SampleSigner:
    def __init__(self, user: str, slot_private: bytes) -> None:
        self.user, self.slot_private = user, slot_private
        self.done: set[tuple[str, int]] = set()

    def _material(self, session: Session, me: Person, signer: Person,
                  moment: datetime) -> SigningMaterial:
        key, private = custodian_key(Stamp(session, moment, self.user), me, self.slot_private)
        if signer.id == me.id:
            return SigningMaterial(key, private, "key")
        return SigningMaterial(key, private, "typed", witness=me)

    def _sign_all(self, session: Session, record_type: str, record: Any,
                  moment: datetime) -> None:
        me = find_person(session, self.user)
        for party in parties_of(session, record_type, record):
            signer = stored(session, Person, party.person_id)
            comment = "I would like more time on my own wellbeing next session." \
                if party.role == "supervisee" and record.id % 7 == 3 else None
            sign_record(Stamp(session, moment, self.user), record_type, record, signer=signer,
                        role=party.role,
                        comment=comment, material=self._material(session, me, signer, moment))
        self.done.add((record_type, record.id))

    def catch_up(self, session: Session, day: date, moment: datetime) -> None:
        """Sign whatever was made on `day` and is not signed yet."""
        for contract in session.exec(select(Contract).where(Contract.start_on == day)):
            if ("contract", contract.id) not in self.done:
                self._sign_all(session, "contract", contract, moment)
        if day >= UNSIGNED_FROM:
            return
        held = session.exec(select(SessionRecord).where(
            SessionRecord.held_on == day, SessionRecord.status == "completed"))
        for record in held:
            if ("session", record.id) in self.done:
                continue
            self._sign_all(session, "session", record, moment + timedelta(minutes=20))
            for case in cases_of(session, record):
                decision = case_decision(session, case)
                if decision is not None:
                    self._sign_all(session, "decision", decision, moment + timedelta(minutes=25))

    def amendment(self, session: Session, record_id: int, moment: datetime) -> None:
        """A correction agreed after sign-off, signed in its turn by both parties."""
        record = session.get(SessionRecord, record_id)
        row = amend(Stamp(session, moment, self.user), "session", record, section="matters_arising",
                    case_position=None, text="Correction: the MASH referral was made on the "
                    "Tuesday, not the Monday; CPOMS shows 10:40 that day.",
                    reason="The date of the referral was recorded wrongly.",
                    author=find_person(session, self.user))
        self._sign_all(session, "amendment", row, moment + timedelta(minutes=5))
