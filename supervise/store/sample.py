"""The sample organisation `supervise demo` builds. Every name in it is invented.

Its story: Riverside Learning Trust agreed its first contracts under the minimum-standards
policy in September 2025, adopted the school-trust policy for 2026-27, reviewed the DSL contracts
under it and agreed new ones (EYFS among them). So its contracts stand under two profiles.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from supervise.domain.frequency import parse_frequency
from supervise.domain.skeleton import example_value
from supervise.domain.templates import FIELD_TYPES, Template
from supervise.store.catalog import Catalog, shipped_policy
from supervise.store.contracts import ContractTerms, end_contract, find_contract, make_contract
from supervise.store.people import add_person, edit_person, find_person, leave_person
from supervise.store.policies import policy_in_force, set_policy

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


def example_answers(template: Template, today: date) -> dict:
    return {s.id: example_value(s, today) for s in template.sections if s.type in FIELD_TYPES}


def _contract(session: Session, spec: SampleContract, *, now: datetime,
              replacing: int | None = None) -> int:
    policy, version = policy_in_force(session, now=now, actor=USER)
    kind = policy.kind(spec.kind)
    template = Catalog(None).get(kind.contract_template or "ms-contract", kind="contract")
    supervisee = find_person(session, spec.supervisee)
    frequency = kind.frequency or policy.default_frequency
    terms = ContractTerms(
        supervisee=supervisee, supervisor=find_person(session, spec.supervisor),
        kind=kind.name, frequency=parse_frequency(str(frequency)), schedule=None,
        schedule_from=None,
        start=spec.start, review=policy.review_on(spec.start), duration=kind.duration,
        venue=spec.venue, template=template, answers=example_answers(template, spec.start))
    old = find_contract(session, replacing) if replacing else None
    return make_contract(session, terms, policy=policy, policy_version=version, now=now,
                         actor=USER, replacing=old).id


def build_sample(session: Session, now: datetime) -> None:
    """People and contracts for the store `create_store` just made (under FIRST_POLICY)."""
    edit_person(session, find_person(session, USER), now=now, actor=USER,
                changes={"team": "Trust central team", "start_date": date(2016, 9, 1),
                         "supervisor_trained_on": date(2017, 1, 20)})
    for name, role, team, start, supervises, trained, qualified in PEOPLE:
        add_person(session, now=now, actor=USER, name=name, role=role, team=team,
                   start_date=start, is_supervisor=supervises, supervisor_trained_on=trained,
                   newly_qualified_on=qualified)
    first = {spec.supervisee: _contract(session, spec, now=now) for spec in FIRST_CONTRACTS}
    end_contract(session, find_contract(session, first["Ruth Adeyemi"]), on=date(2026, 7, 31),
                 reason="Left the trust", now=now, actor=USER)
    leave_person(session, find_person(session, "Ruth Adeyemi"), now=now, actor=USER,
                 left=date(2026, 7, 31))
    set_policy(session, shipped_policy(SECOND_POLICY), now=now, actor=USER)
    for name in ("Priya Shah", "Tom Okafor"):  # reviewed under the new policy, as DSL contracts
        spec = next(s for s in FIRST_CONTRACTS if s.supervisee == name)
        _contract(session, SampleContract(name, spec.supervisor, "dsl", date(2026, 9, 1),
                                          spec.venue), now=now, replacing=first[name])
    for spec in SECOND_CONTRACTS:
        _contract(session, spec, now=now)
