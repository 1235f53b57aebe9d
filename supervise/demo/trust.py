"""The sample organisation `supervise demo` builds. Every name in it is invented.

Its story: Riverside Learning Trust agreed its first contracts under the minimum-standards
policy in September 2025, adopted the school-trust policy for 2026-27, reviewed the DSL contracts
under it and agreed new ones (EYFS among them). So its contracts stand under two profiles.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session

from supervise.demo.history import Event, at, first_year, second_year
from supervise.domain.policy.frequency import parse_frequency
from supervise.domain.policy.skeleton import example_answers
from supervise.store.catalog import Catalog, shipped_policy
from supervise.store.db.tables import id_of
from supervise.store.db.writing import Stamp
from supervise.store.records.cancellations import cancel_meeting
from supervise.store.records.contracts import ContractTerms, end_contract, make_contract
from supervise.store.records.numbered import find_contract
from supervise.store.records.people import add_person, edit_person, find_person, leave_person
from supervise.store.records.policies import policy_in_force, set_policy

if TYPE_CHECKING:
    from supervise.demo.signing import SampleSigner

ORG = "Riverside Learning Trust (sample)"
PASSPHRASE = "demo-only-passphrase"
USER = "Alex Morgan"
FIRST_POLICY, SECOND_POLICY = "minimum-standards", "school-trust"

# name, role, team, start, supervisor, trained, newly qualified
PEOPLE = [
    ("Priya Shah", "Deputy Designated Safeguarding Lead", "Riverside Primary",
     date(2019, 9, 1), True, date(2021, 3, 15), None),
    ("Tom Okafor", "Class Teacher", "Riverside Primary", date(2022, 9, 1), False, None, None),
    ("Grace Lee", "EYFS Lead", "Riverside Nursery", date(2020, 1, 6), False, None, None),
    ("Daniel Brooks", "Pastoral Manager", "Riverside Secondary", date(2018, 4, 16), True,
     date(2022, 11, 2), None),
    ("Hannah Novak", "Family Support Worker", "Riverside Secondary", date(2026, 9, 1), False,
     None, date(2026, 7, 10)),
    ("Sam Rivera", "SENCo", "Riverside Primary", date(2021, 9, 1), False, None, None),
    ("Ruth Adeyemi", "Attendance Officer", "Riverside Secondary", date(2017, 9, 1), False,
     None, None),
]


@dataclass(frozen=True)
class SampleContract:
    supervisee: str
    supervisor: str
    kind: str
    start: date
    venue: str


FIRST_CONTRACTS = [  # under minimum-standards
    SampleContract("Priya Shah", USER, "safeguarding", date(2025, 9, 1), "Trust office, room 2"),
    SampleContract("Daniel Brooks", USER, "safeguarding", date(2025, 9, 8), "Secondary, room 14"),
    SampleContract("Tom Okafor", "Priya Shah", "safeguarding", date(2025, 10, 6),
                   "Primary, quiet room"),
    SampleContract("Ruth Adeyemi", "Daniel Brooks", "safeguarding", date(2025, 9, 15),
                   "Secondary, room 14"),
]
SECOND_CONTRACTS = [  # under school-trust
    SampleContract("Grace Lee", "Priya Shah", "eyfs", date(2026, 9, 8), "Nursery office"),
    SampleContract("Sam Rivera", "Daniel Brooks", "dsl", date(2026, 9, 15), "Primary, SENCo room"),
]


def _contract(session: Session, spec: SampleContract, *, now: datetime,
              replacing: int | None = None) -> int:
    policy, version = policy_in_force(Stamp(session, now, USER))
    kind = policy.kind(spec.kind)
    template = Catalog(None).get(kind.contract_template or "ms-contract", kind="contract")
    supervisee = find_person(session, spec.supervisee)
    frequency = kind.frequency or policy.default_frequency
    terms = ContractTerms(
        supervisee=supervisee, supervisor=find_person(session, spec.supervisor),
        kind=kind.name, frequency=parse_frequency(str(frequency)), schedule=None,
        schedule_from=None,
        start=spec.start, review=policy.review_on(spec.start), duration=kind.duration,
        venue=spec.venue, template=template, answers=example_answers(template.sections, spec.start))
    old = find_contract(session, replacing) if replacing else None
    return id_of(make_contract(Stamp(session, now, USER), terms, policy=policy,
                               policy_version=version, replacing=old))


START = date(2025, 8, 25)  # the day the trust set up its store


def build_sample(session: Session, signer: "SampleSigner | None" = None) -> None:
    """A year of the trust's supervision, in date order on a simulated clock, for the store
    `create_store` made on START under FIRST_POLICY; signed off as it goes when `signer` is
    given (it holds the signed-in user's key)."""

    first: dict[str, int] = {}

    def setup(s: Session) -> None:
        moment = at(START)
        edit_person(Stamp(s, moment, USER), find_person(s, USER),
                    changes={"team": "Trust central team", "start_date": date(2016, 9, 1),
                             "supervisor_trained_on": date(2017, 1, 20)})
        for name, role, team, start, supervises, trained, qualified in PEOPLE:
            if start <= START:
                add_person(Stamp(s, moment, USER), name=name, role=role, team=team,
                           start_date=start, is_supervisor=supervises,
                           supervisor_trained_on=trained, newly_qualified_on=qualified)

    def newcomers(s: Session) -> None:
        for name, role, team, start, supervises, trained, qualified in PEOPLE:
            if start > START:
                add_person(Stamp(s, at(date(2026, 8, 25)), USER), name=name, role=role,
                           team=team, start_date=start, is_supervisor=supervises,
                           supervisor_trained_on=trained, newly_qualified_on=qualified)

    def agree(spec: SampleContract, replacing: str | None = None):
        def run(s: Session) -> None:
            made = _contract(s, spec, now=at(spec.start),
                             replacing=first[replacing] if replacing else None)
            first.setdefault(spec.supervisee, made)
        return run

    def cancel(day: date, supervisee: str, supervisor: str, by: str, reason: str,
               rebooked: date):
        return lambda s: cancel_meeting(
            Stamp(s, at(day), USER), supervisee=find_person(s,
                                                            supervisee), supervisor=find_person(s,
                                                                                                supervisor),
            meeting_on=day, by=by, reason=reason, rebooked=rebooked)

    def leaves(s: Session) -> None:
        moment = at(date(2026, 7, 31))
        end_contract(Stamp(s, moment, USER), find_contract(s, first["Ruth Adeyemi"]),
                     on=date(2026, 7, 31), reason="Left the trust")
        leave_person(Stamp(s, moment, USER), find_person(s, "Ruth Adeyemi"), left=date(2026, 7, 31))

    events: list[Event] = [(START, setup)]
    events += [(spec.start, agree(spec)) for spec in FIRST_CONTRACTS]
    events += first_year(USER) + second_year(USER)
    events += [
        (date(2026, 2, 11), cancel(date(2026, 2, 11), "Tom Okafor", "Priya Shah", "supervisor",
                                   "Called to a strategy meeting", date(2026, 2, 18))),
        (date(2026, 7, 31), leaves),
        (date(2026, 8, 20), lambda s: set_policy(Stamp(s, at(date(2026, 8, 20)), USER),
                                                 shipped_policy(SECOND_POLICY))),
        (date(2026, 8, 25), newcomers),
        (date(2026, 10, 13), cancel(date(2026, 10, 13), "Tom Okafor", "Priya Shah",
                                    "supervisee", "Off sick", date(2026, 10, 20))),
    ]
    for name in ("Priya Shah", "Tom Okafor"):  # reviewed under the new policy, as DSL contracts
        spec = next(s for s in FIRST_CONTRACTS if s.supervisee == name)
        events.append((date(2026, 9, 1), agree(
            SampleContract(name, spec.supervisor, "dsl", date(2026, 9, 1), spec.venue),
            replacing=name)))
    events += [(spec.start, agree(spec)) for spec in SECOND_CONTRACTS]
    if signer is not None:
        events.append((date(2025, 10, 8), lambda s: signer.amendment(
            s, 1, at(date(2025, 10, 8)))))
    for day, run in sorted(events, key=lambda event: event[0]):
        run(session)
        if signer is not None:
            signer.catch_up(session, day, at(day) + timedelta(minutes=30))
