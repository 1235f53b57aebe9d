"""The synthetic "large trust" of SPEC §9, for benchmarks: a local authority's children and family
services with 2,000 supervisees, 100 supervisors and 5 years of supervision, built through the
store layer on a simulated clock, reproducibly from a seed. Every name in it is invented.
People, families, cancellations and endings go through the store's own functions one by one;
contracts, sessions and signatures through its bulk path (supervise/store/bulk/sessions.py),
which applies the same rules and writes the same rows, digests and audit events in plain SQL.

What it holds: ~14 teams (social work, early help and education support), each supervisor with
~20 supervisees, supervisors supervised by a few service managers, they by the head of service
(the store's custodian), and the head by an external consultant; contracts with a mix of
frequencies (mostly monthly; four-weekly, three-monthly, termly; the policy's newly-qualified
schedule for a few new social workers), reviewed yearly (each review supersedes the contract
before it), a handful unsigned or overdue for review; sessions at about their frequency with
slippage, ad hoc, external and group (pod) ones, cancellations (most rebooked), late entries and
drafts; actions reviewed in the next session (done, carried or dropped; a few drift); a case
register of a few thousand children whose status changes over time, discussed in case discussions,
with decision records; typed signatures witnessed by the custodian, the most recent ones missing.
Some people are there on purpose: a supervisee with a contract and no session yet, one who needs
supervision and has no contract, one whose contract ended, a lapsed one, one with a draft left open,
one with an unsigned record, one with a cancelled meeting not rebooked, supervisors without
training, so that `overdue` over it meets every status and flag.

Policy: `local-authority`. Its shape is this organisation's (monthly case supervision of social
workers and early help practitioners, Signs of Safety case discussions, pods that do not count),
and it is the shipped profile with a newly-qualified schedule (weekly, fortnightly, then monthly).

The same seed gives the same content (people, contracts, sessions, answers, dates, ids and record
digests); keys, signatures and the store's own ids are random in every store, as in real ones.

    .venv/bin/python benchmarks/large_trust.py --small           # a quick check
    .venv/bin/python benchmarks/large_trust.py --out DIR/t.db     # the full size, somewhere
    .venv/bin/python benchmarks/large_trust.py                    # the full size, cached

`cached()` keeps a built store under benchmarks/.cache/, keyed by seed, size and a hash of this
file and the schema, so `make bench` builds it once.
"""

import argparse
import bisect
import gc
import hashlib
import json
import os
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from functools import lru_cache
from pathlib import Path

from sqlmodel import func, select

from supervise.domain.answers import Problems
from supervise.domain.policy.frequency import (
    ENGLAND_TERMS,
    add_months,
    parse_frequency,
    term_end_on,
)
from supervise.domain.policy.organisation_policy import schedule_anchor
from supervise.domain.policy.skeleton import example_answers
from supervise.domain.records.session_file import check_session_file
from supervise.store.bulk.sessions import ActionIn, Bulk, CaseIn, ReviewIn, SessionIn
from supervise.store.catalog import Catalog, shipped_policy
from supervise.store.db import tables as models
from supervise.store.db.creating import create_store
from supervise.store.db.writing import Stamp
from supervise.store.keys.key_file import KDF_PROFILES
from supervise.store.keys.signing_keys import custodian_key
from supervise.store.records.answers_file import contract_for
from supervise.store.records.cancellations import cancel_meeting
from supervise.store.records.contracts import ContractTerms, end_contract
from supervise.store.records.people import add_person, edit_person, find_person, leave_person
from supervise.store.records.policies import policy_in_force
from supervise.store.records.signatures import Signer, SigningMaterial
from supervise.store.records.template_snapshots import keep_snapshot

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent
CACHE = HERE.parent / ".cache"
SCHEMA = ROOT / "supervise" / "store" / "db" / "migrations.py"
PASSPHRASE = "bench-only-passphrase"
POLICY = "local-authority"
ORG = "Example Borough Children and Family Services (synthetic)"
END = date(2026, 11, 1)  # the as-of date: everything happens before it
KDF = "owasp-minimum"  # the cheapest profile there is (OWASP's floor); there is no "fast" one
BATCH = 2000  # sessions per transaction
SMALL = {"supervisees": 40, "supervisors": 4, "years": 1}

CASE_TEMPLATE, POD_TEMPLATE = "la-case-supervision", "la-pod-record"
CONTRACT_TEMPLATE, DECISION_TEMPLATE = "la-agreement", "ms-decision-record"

# ---------------------------------------------------------------------------------------------
# Invented names and words

FIRST = (
    "Abi Adam Aisha Alfie Amara Amir Anika Ben Beth Bilal Callum Cara Chloe Dan Dara Deepa Eden "
    "Eli Ellie Emeka Erin Esme Ewan Faye Finn Freya Gemma Greg Hana Harvey Ines Isla Ivan Jade "
    "Jas Jon Kara Kiran Kofi Lara Leon Lina Luca Maddy Mai Marek Maya Megan Milo Nadia Nia Noor "
    "Olly Omar Orla Owen Pia Priti Rafe Rana Rhys Rosa Ruth Sana Seb Shona Suki Tariq Tess Theo "
    "Uma Vic Wes Yara Yusuf Zara Zoe"
).split()
CHILD_FIRST = (
    "Alba Archie Arlo Ava Bea Bobby Cleo Darcy Dex Elsie Ezra Fern Frankie Georgie Hallie Hugo "
    "Ida Iggy Jasper Juno Kai Kit Lola Louie Mabel Max Nell Nico Ollie Otis Penny Poppy Quinn "
    "Remy Rory Roxy Rudy Sid Skye Sonny Tilly Toby Vida Wren Xavi Yasmin Zac Zuri"
).split()
HEADS = (
    "Ash Bram Brack Carr Cole Dal Dun Elder Fen Fern Gill Hal Holm Ivy Kel Lark Lin Marsh Mill "
    "Nether Oak Pen Quill Red Rook Sand Thorn Wex Yarn Birch"
).split()
TAILS = (
    "by combe dale den field ford gate ham hurst ley low mere more ridge stead thorpe ton well "
    "wick worth wood shaw brook croft"
).split()
AREAS = ("North", "South", "East", "West", "Central", "Riverside", "Hillside")
SERVICES = (  # team name, kind of work
    ("Assessment", "sw"), ("Early Help", "eh"), ("Child Protection", "sw"),
    ("Education Support", "edu"), ("Children in Care", "sw"), ("Family Support", "eh"),
    ("Disabled Children", "sw"), ("Youth Support", "eh"), ("Leaving Care", "sw"),
    ("Fostering", "sw"),
)
ROLES = {
    "sw": ["Social Worker"] * 5 + ["Senior Social Worker"] * 2 + ["Advanced Practitioner",
                                                                  "Family Support Worker"],
    "eh": ["Early Help Practitioner"] * 3 + ["Family Support Worker"] * 2 + [
        "Youth Worker", "Parenting Practitioner"],
    "edu": ["Education Welfare Officer", "School Family Worker", "School Family Worker",
            "Attendance Practitioner"],
}
FREQUENCIES = {  # (frequency, weight) by kind of work
    "sw": (("1m", 85), ("4w", 15)),
    "eh": (("1m", 55), ("4w", 25), ("3m", 20)),
    "edu": (("termly", 70), ("1m", 30)),
}
FIRST_STATUS = {
    "sw": (("child-in-need", 45), ("child-protection", 35), ("looked-after", 20)),
    "eh": (("early-help", 75), ("child-in-need", 25)),
    "edu": (("early-help", 50), ("none", 20), ("child-in-need", 30)),
}
NEXT_STATUS = {
    "none": (("none", 40), ("early-help", 60)),
    "early-help": (("early-help", 50), ("child-in-need", 30), ("none", 20)),
    "child-in-need": (("child-in-need", 45), ("child-protection", 30), ("early-help", 25)),
    "child-protection": (("child-protection", 40), ("child-in-need", 45), ("looked-after", 15)),
    "looked-after": (("looked-after", 90), ("child-in-need", 10)),
}
VENUES = ("Team office, quiet room", "Civic Centre, room 4", "Family hub meeting room",
          "Area office, room 2", "Online (video call)")
CANCELLED = {
    "supervisor": ("Called to an urgent strategy meeting", "Covering the duty desk",
                   "Off sick", "Court hearing ran over"),
    "supervisee": ("Off sick", "Child protection visit could not be moved", "Annual leave",
                   "Attending an initial child protection conference"),
}
ANSWERS = {  # la-case-supervision's sections: (chance it is answered, phrases)
    "agenda": (1.0, (
        "1. Actions from last time\n2. Caseload and priorities\n3. Cases\n4. Wellbeing",
        "1. Review of actions\n2. Court timetable\n3. Training\n4. Cases",
        "1. Actions\n2. Workload after the duty week\n3. Cases: new allocations",
        "1. Actions\n2. Supervision contract review\n3. Cases\n4. Leave")),
    "management_accountability": (0.9, (
        "Caseload checked: visits and plans in timescale.",
        "Two assessments are near their deadline; agreed which comes first.",
        "Workload is high after the duty week; one case to be reallocated.",
        "Statutory visits up to date; the chronologies need updating.",
        "Case recording is behind by a week; time protected on Friday to catch up.")),
    "development": (0.6, (
        "Feedback on the conference report: clear analysis. Booked the court skills course.",
        "Wants to build confidence in direct work; will shadow a senior practitioner.",
        "CPD log updated; reflective account on the last strategy discussion.",
        "Interested in the practice educator course; to discuss with the team manager.")),
    "critical_analysis": (0.4, (
        "Used the practice depth questions on a neglect case; moved from description to "
        "judgement.",
        "Explored how poverty shapes the school's view of the family.",
        "Tested the hypothesis against the chronology; it holds for now.")),
    "support_wellbeing": (0.7, (
        "Tired after late visits; agreed time back this week.",
        "Feels supported by the team; enjoying the work.",
        "Managing a difficult caseload; knows how to reach the employee support line.",
        "Childcare has changed; agreed an earlier finish on Thursdays.")),
    "resilience": (0.25, (
        "Found a disclosure upsetting; talked about vicarious trauma and the reflective space.",
        "Reflected on how their own experience shapes their hopes for one family.")),
    "learning_culture": (0.15, (
        "Will share the words-and-pictures explanation at the next practice session.",
        "Good practice on a step-down to early help to be shared with the team.")),
    "disagreements": (0.05, (
        "Disagree about whether a strategy discussion is needed; escalated to the service "
        "manager for a view by Friday.",)),
}
CASE_ANSWERS = {  # la-case-supervision's case fields
    "events_since_last": (1.0, (
        "Two home visits, one unannounced; home conditions improved.",
        "Core group met; school reports better attendance.",
        "Missed health appointment; mother says she forgot.",
        "Police call-out at the weekend; no injuries reported.",
        "Review conference held; plan continues.")),
    "actions_taken": (0.5, (
        "Referral to the parenting group made.", "Chronology updated.",
        "Housing letter sent about the damp.", "Checked with the police: no new call-outs.")),
    "identified_risks": (0.5, (
        "Mother's low mood; partner's return to the home.", "Neglect of the younger children.",
        "Exploitation risk: missing from home twice this month.", "Domestic abuse history.")),
    "safety_factors": (0.4, (
        "Grandmother visits daily.", "School is a safe place and staff know the plan.",
        "Mother rings the health visitor when worried.")),
    "strengths": (0.4, ("Warm relationship with the children.", "Honest about the difficulties.",
                        "Engaging with the family hub.")),
    "working_well": (0.9, (
        "Attendance back above 90%.", "Health checks up to date.",
        "Father now attends core groups.", "The children say home is calmer.")),
    "worried_about": (0.9, (
        "Evening care while mother works.", "Unexplained bruise reported by school.",
        "Whether the improvement will last.", "Missing episodes at weekends.")),
    "needs_to_happen": (1.0, (
        "Safety plan reviewed at the next core group.",
        "Joint visit with the health visitor within two weeks.",
        "Ask for a strategy discussion if there is another missing episode.",
        "Step down to early help at the review if progress holds.",
        "Complete the assessment and share it with the family.")),
    "voice_of_child": (0.8, (
        "Said home is 'calmer now'; drew mum and gran as safe people.",
        "Pre-verbal: observed settling quickly with mother.",
        "Wants more time with dad; worried about school.",
        "Told the teacher weekends are 'boring and shouty'.")),
    "decisions": (0.3, ("Plan continues; reconsider at the review.",
                        "Step up to a strategy discussion if concerns repeat.")),
    "plan": (0.3, ("Visits fortnightly; core group monthly; review in three months.",)),
    "recorded_on_file": (0.9, (True, True, True, False)),
}
POD_ANSWERS = {
    "format": (0.8, ("Signs of Safety group mapping", "Appreciative inquiry",
                     "Reflective case discussion, presenter 10 minutes")),
    "group_learning": (0.7, ("Engaging reluctant fathers is a theme for several of us.",
                             "Sharing a text-based safety plan that worked.")),
    "for_formal_supervision": (0.4, ("One member to take a workload issue to formal "
                                     "supervision.",)),
}
POD_CASE = {
    "question_for_pod": (1.0, ("How do I engage a father who only replies by text?",
                               "Is it time to step this family down?",
                               "How do I keep the child's voice at the centre of the plan?")),
    "summary": (0.8, ("Two children on a Child in Need plan after domestic abuse.",
                      "Teenager missing from home at weekends.")),
    "working_well": (0.7, ("Mother's engagement.", "School reports the children settled.")),
    "worried_about": (0.7, ("No one has assessed father's care at weekends.",
                            "Who the teenager is with when missing.")),
    "needs_to_happen": (1.0, ("Write to father explaining why the visit matters.",
                              "Return home interview after each missing episode.")),
    "voice_of_child": (0.6, ("The nine-year-old said weekends are 'boring and shouty'.",)),
    "group_ideas": (0.6, ("A leaflet written for fathers.", "A research briefing on "
                          "engaging fathers.")),
    "recorded_on_file": (0.9, (True,)),
}
ACTIONS = (
    "Share the updated safety plan with the school", "Ask for the date of the next core group",
    "Update the chronology", "Book the court skills course", "Complete the CIN review report",
    "Arrange a joint visit with the health visitor",
    "Send the early help assessment to the family", "Check the child's voice is in the plan",
    "Chase the housing repair", "Write up the strategy discussion",
    "Refer to the parenting programme", "Request the police disclosure",
    "Read the research briefing on neglect",
)
REVIEW_NOTES = {"done": ("Done.", "Completed and recorded on the file.", "Done; shared."),
                "carried": ("Not yet due.", "Started; carried forward.", "Waiting on partners."),
                "dropped": ("No longer needed: the plan changed.", "Overtaken by events.")}
DECISION = {
    "synopsis": ("Known to early help since 2022; stepped up after a disclosure at school.",
                 "Open to children's social care twice before; current plan since the spring."),
    "concerns": ("Repeated lateness, a new unexplained bruise, partner back in the home.",
                 "Missing episodes and new older friends; possible exploitation."),
    "decision": ("Ask the allocated social worker for a strategy discussion this week.",
                 "Continue the plan; no legal planning meeting at present."),
    "rationale": ("The new injury outweighs the recent improvement; waiting would leave the "
                  "child at risk.",
                  "Protective factors are real and growing; the risk can be managed by the "
                  "safety plan."),
    "actions_agreed": ("Strategy discussion by Friday; chronology updated today.",
                       "Safety plan reviewed at the next core group."),
}
GROUP_BOUNDARIES = ("What is said about our own practice stays in the pod; families by first "
                    "name only; any immediate safeguarding concern is taken forward today by the "
                    "named manager.")


# ---------------------------------------------------------------------------------------------
# The plan: who, which contracts, which families, what happens when (pure Python, from the seed)

@dataclass(eq=False)
class P:
    """A person in the plan."""

    name: str
    role: str
    team: str
    start: date | None
    added: date  # the day the store learns of them
    work: str = "sw"  # the kind of work of their team
    supervisor: bool = False
    since: date | None = None  # a supervisor since
    trained: date | None = None
    trained_later: date | None = None  # trained during the window (an edit on that day)
    qualified: date | None = None
    requires: bool = True
    left: date | None = None
    lapse: date | None = None  # their regular sessions stop here
    obj: models.Person | None = None
    families: list["F"] = field(default_factory=list)


@dataclass(eq=False)
class C:
    """A contract (a review is a new one that replaces the one before)."""

    supervisee: P
    supervisor: P
    kind: str
    frequency: str
    start: date
    schedule: bool = False
    replaces: "C | None" = None
    sign: str = "now"  # now | late | never (the supervisee's signature)
    sign_at: datetime | None = None
    ended: date | None = None
    end_reason: str = ""
    after: "C | None" = None
    first_review: date | None = None  # an agreement already running when the store began
    record: int | None = None  # its id in the store

    @property
    def review(self) -> date:
        return self.first_review or add_months(self.start, 12)


@dataclass(eq=False)
class F:
    """A family on the case register and the worker who holds it."""

    name: str
    worker: P
    opened: date
    closed: date
    children: list[tuple[str, date]]
    statuses: list[tuple[date, str]]  # the status from each date on
    registered: date = date.min
    child_ids: list[int] = field(default_factory=list)
    family_id: int | None = None

    def status_on(self, day: date) -> str:
        index = bisect.bisect_right([d for d, _ in self.statuses], day) - 1
        return self.statuses[max(index, 0)][1]


@dataclass(eq=False)
class S:
    """A session, as it will be recorded."""

    kind: str  # one-to-one | ad-hoc | external | group
    template: str
    supervisor: P
    supervisees: list[P]
    held: date
    start_time: str
    duration: int
    contract: C | None
    recorded: datetime
    next_meeting: date | None = None
    draft: bool = False
    signing: str = "now"  # now | late | partial (a supervisee has not signed)
    sign_at: datetime | None = None
    reviews: bool = True  # reviews the open actions of its supervisee
    record_id: int | None = None


_parsed_frequency = lru_cache(maxsize=None)(parse_frequency)  # a few strings, parsed ~100,000 times


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=UTC)


def weekday(day: date) -> date:
    """Meetings are on weekdays: a Saturday moves to Friday, a Sunday to Monday."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def hash_text(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


class Plan:
    """Everything that happens, decided up front from the seed: people, contract chains, the
    register and every meeting, as events in time order."""

    def __init__(self, seed: int, supervisees: int, supervisors: int, years: int, end: date):
        self.rng = random.Random(seed)
        self.end = end
        self.start = add_months(end, -12 * years)
        self.last = end - timedelta(days=1)  # the last day anything happens
        self.events: list[tuple[datetime, int, str, object]] = []
        self.contracts: list[C] = []
        self.families: list[F] = []
        self.sessions = 0
        self._names: set[str] = set()
        self.schedule = shipped_policy(POLICY).newly_qualified
        self._people(supervisees, supervisors)
        self._contracts()
        self._families(supervisees)
        self._all_sessions()
        self.events.sort(key=lambda event: (event[0], event[1]))

    # -- helpers --

    def event(self, moment: datetime, kind: str, subject: object) -> None:
        if moment < at(self.end, 0):
            self.events.append((moment, len(self.events), kind, subject))

    def name(self) -> str:
        while True:
            name = f"{self.rng.choice(FIRST)} {self.rng.choice(HEADS)}{self.rng.choice(TAILS)}"
            if name not in self._names:
                self._names.add(name)
                return name

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def long_ago(self) -> date:
        return self.start - self.days(400, 15 * 365)

    # -- people --

    def _people(self, supervisees: int, supervisors: int) -> None:
        rng, start = self.rng, self.start

        def manager(role: str, team: str, **more) -> P:
            began = self.long_ago()
            return P(self.name(), role, team, began, start, supervisor=True, since=began,
                     trained=began + self.days(30, 150), **more)

        self.head = manager("Head of Service", "Directorate")
        self.consultant = manager("Independent Supervision Consultant", "External supervision",
                                  requires=False)
        teams = max(2, min(20, round(supervisors / 7)))
        self.teams = [(f"{AREAS[i % len(AREAS)]} {SERVICES[i % len(SERVICES)][0]}",
                       SERVICES[i % len(SERVICES)][1]) for i in range(teams)]
        seniors = [manager("Service Manager", "Service management")
                   for _ in range(max(1, round(teams / 3)))]
        self.boss: dict[P, P] = {self.head: self.consultant}
        self.boss.update({senior: self.head for senior in seniors})
        self.supervisors: list[P] = []
        for number in range(supervisors):
            team, work = self.teams[number % teams]
            person = manager("Team Manager" if number < teams else "Practice Supervisor", team,
                             work=work)
            if rng.random() < 0.1:  # became a supervisor just before the window, trained in it
                person.since = start - self.days(0, 100)
                person.trained = None
                person.trained_later = max(person.since + self.days(60, 170),
                                           start + self.days(1, 30))
            self.boss[person] = seniors[(number % teams) % len(seniors)]
            self.supervisors.append(person)
        for person in self.supervisors[1::30]:  # never trained: long overdue
            person.trained = person.trained_later = None
        leading = list(self.supervisors)
        if supervisors >= 3:  # appointed ten weeks ago, not trained yet, nobody to supervise yet
            new = self.supervisors[-1]
            new.role, new.trained, new.trained_later = "Practice Supervisor", None, None
            new.start = new.since = new.added = self.end - timedelta(days=70)
            leading.pop()
        staff = []
        for number in range(supervisees):
            supervisor = leading[number % len(leading)]
            work = supervisor.work
            person = P(self.name(), rng.choice(ROLES[work]), supervisor.team, self.long_ago(),
                       start, work=work)
            self.boss[person] = supervisor
            staff.append(person)
        shuffled = list(staff)
        rng.shuffle(shuffled)
        self.special: dict[str, P] = {}
        joiners = shuffled[:max(3, round(supervisees * 0.12))]
        regulars = shuffled[len(joiners):]
        self.special["no-session-yet"], self.special["no-contract-yet"] = joiners[:2]
        for person, days in ((joiners[0], 20), (joiners[1], 9)):
            person.start = person.added = self.end - timedelta(days=days)
        qualified = [p for p in joiners[2:] if p.work == "sw"][:max(1, round(supervisees * .025))]
        for person in joiners[2:]:
            if qualified and person is qualified[0]:  # on the fortnightly step at the end
                person.start = self.end - self.days(70, 140)
            else:
                person.start = self.between(start + timedelta(days=30),
                                            self.end - timedelta(days=30))
            person.added = person.start - self.days(1, 5)
            if person in qualified:
                person.role = "Social Worker (ASYE)"
                person.qualified = person.start - self.days(10, 70)
        for key in ("contract-ended", "contract-unsigned", "review-lapsed", "draft-open",
                    "record-unsigned", "not-rebooked", "lapsed"):
            self.special[key] = regulars.pop()
        self.special["lapsed"].lapse = self.end - self.days(100, 130)
        for person in regulars[:round(supervisees * 0.05)]:  # leavers
            person.left = self.between(start + timedelta(days=90), self.end - timedelta(days=30))
        for person in regulars[-max(1, round(supervisees * 0.04)):]:  # lapsed at the end
            person.lapse = self.end - self.days(75, 150)
        self.clinical = [p for p in regulars[len(regulars) // 2:-20] if p.work == "sw"][
            :round(supervisees * 0.01)]
        for person in self.clinical:
            person.role = "Clinical Practitioner"
        self.staff = staff
        self.people = [self.head, self.consultant, *seniors, *self.supervisors, *staff]
        for person in self.people:
            self.event(at(max(person.added, start), 8), "person", person)
            if person.trained_later:
                self.event(at(person.trained_later, 8, 30), "trained", person)
            if person.left:
                self.event(at(person.left, 17), "leave", person)

    # -- contracts --

    def _contracts(self) -> None:
        rng = self.rng
        for person, supervisor in self.boss.items():
            if person is self.special["no-contract-yet"]:
                continue
            if person is self.head:
                kind, frequency = "external", "3m"
            elif person.supervisor:
                kind, frequency = "case-supervision", pick(rng, (("1m", 90), ("4w", 10)))
            else:
                kind, frequency = "case-supervision", pick(rng, FREQUENCIES[person.work])
            self._chain(person, supervisor, kind, frequency)
        for person in self.clinical:
            self._chain(person, self.consultant, "external", "3m")
        ended = self.special["contract-ended"]
        current = self._in_force_at(ended, self.last, "case-supervision")
        if current is not None:
            current.ended = max(self.end - self.days(40, 70), current.start + timedelta(days=1))
            current.end_reason = "Seconded to another service; a new agreement is to follow"
        for contract in self.contracts:
            self.event(at(contract.start, 9), "contract", contract)
            if contract.ended:
                self.event(at(contract.ended, 16, 30), "end-contract", contract)
            if contract.sign == "late" and contract.sign_at is not None:
                self.event(contract.sign_at, "sign-contract", contract)

    def _chain(self, person: P, supervisor: P, kind: str, frequency: str) -> None:
        rng = self.rng
        if person is self.special["no-session-yet"]:
            begin = person.start + timedelta(days=2)
        elif person.start and person.start > self.start:
            begin = person.start + (self.days(0, 6) if rng.random() < 0.9 else self.days(8, 25))
        else:
            begin = self.start + self.days(0, 27)
        schedule = person.qualified is not None and kind == "case-supervision"
        contract = C(person, supervisor, kind, "1w" if schedule else frequency, begin,
                     schedule=schedule)
        if begin < self.start + timedelta(days=28):  # entered with the review it already had
            contract.first_review = add_months(begin, rng.randint(1, 12))
        lapsed_review = person is self.special["review-lapsed"]
        while True:
            self._signing(contract)
            self.contracts.append(contract)
            if person.left and person.left <= contract.review + timedelta(days=10):
                contract.ended, contract.end_reason = person.left, "Left the service"
                return
            review_day = weekday(contract.review + self.days(-14, 10))
            if review_day >= self.end:
                return
            if lapsed_review and contract.review > self.end - timedelta(days=75):
                return  # the review is overdue
            nxt = C(person, supervisor, kind, frequency, review_day, replaces=contract)
            if contract.schedule:  # the schedule has run its course: the policy's monthly
                nxt.frequency = "1m"
            elif rng.random() < 0.05 and not person.supervisor and kind != "external":
                nxt.frequency = pick(rng, FREQUENCIES[person.work])
            if rng.random() < 0.08 and not person.supervisor and kind != "external":
                mates = [s for s in self.supervisors if s.team == person.team
                         and s.start <= review_day]
                supervisor = nxt.supervisor = rng.choice(mates)
            contract.after = nxt
            contract = nxt

    def _signing(self, contract: C) -> None:
        roll = self.rng.random()
        if contract.supervisee is self.special["contract-unsigned"] and \
                contract.review > self.end - timedelta(days=20):
            contract.sign = "never"
        elif roll < 0.025:
            contract.sign = "late"
            contract.sign_at = at(contract.start + self.days(1, 30), 11)
        elif roll < 0.03:
            contract.sign = "never"

    def _in_force_at(self, person: P, day: date, kind: str) -> C | None:
        for contract in self.contracts:
            if contract.supervisee is person and contract.kind == kind and \
                    contract.start <= day and (contract.after is None or
                                               contract.after.start > day):
                return contract
        return None

    # -- families --

    def _families(self, supervisees: int) -> None:
        rng = self.rng
        names: set[str] = set()
        holders = [p for p in self.staff if p is not self.special["no-contract-yet"]]
        for _ in range(round(supervisees * 1.25)):
            while True:
                surname = f"{rng.choice(HEADS)}{rng.choice(TAILS)}"
                if rng.random() < 0.5:
                    surname += f"-{rng.choice(HEADS)}{rng.choice(TAILS)}"
                if surname not in names:
                    names.add(surname)
                    break
            worker = rng.choice(holders)
            first = max(worker.start or self.start, self.start - timedelta(days=400))
            last = min(worker.left or self.end, worker.lapse or self.end, self.end)
            opened = self.between(first, last - timedelta(days=20))
            closed = min(opened + self.days(180, 900), last)
            firsts = rng.sample(CHILD_FIRST, rng.choices((1, 2, 3, 4), (40, 35, 18, 7))[0])
            registered = max(opened, self.start)
            children = [(f"{n} {surname}", registered - self.days(30, 16 * 365)) for n in firsts]
            status = pick(rng, FIRST_STATUS[worker.work])
            statuses, day = [(opened, status)], opened
            while True:
                day += self.days(90, 300)
                if day >= closed:
                    break
                status = pick(rng, NEXT_STATUS[status])
                if status != statuses[-1][1]:
                    statuses.append((day, status))
            if closed < self.last and rng.random() < 0.6:
                statuses.append((closed, "none"))
            family = F(surname, worker, opened, closed, children, statuses, registered)
            worker.families.append(family)
            self.families.append(family)
            self.event(at(registered, 8, 15), "family", family)

    # -- sessions --

    def _all_sessions(self) -> None:
        by_person: dict[P, dict[str, list[C]]] = {}
        for contract in self.contracts:
            by_person.setdefault(contract.supervisee, {}).setdefault(contract.kind, []).append(
                contract)
        for person, chains in by_person.items():
            for kind, chain in chains.items():
                self._regular(person, chain, external=kind == "external")
            if not person.supervisor:
                self._ad_hoc(person, chains.get("case-supervision", []))
        for supervisor in self.supervisors:
            self._pods(supervisor)
        draft = self.special["draft-open"]  # a draft left open five days
        contract = self._in_force_at(draft, self.last, "case-supervision")
        held = weekday(self.end - timedelta(days=5))
        if contract is not None:
            self.add_session(S("one-to-one", CASE_TEMPLATE, contract.supervisor, [draft], held,
                               "14:00", 60, contract, at(held, 15, 10), draft=True))

    def _frequency(self, contract: C, day: date):
        if contract.schedule:
            anchor = schedule_anchor(contract.supervisee.qualified, contract.supervisee.start)
            return self.schedule.on(anchor, day)
        return _parsed_frequency(contract.frequency)

    def _next(self, day: date, contract: C) -> tuple[date, date]:
        """(the date agreed as the next meeting, the date it actually happens)."""
        frequency = self._frequency(contract, day)
        if frequency.span is None:  # termly: some day in the next term
            first = term_end_on(ENGLAND_TERMS, day) + timedelta(days=1)
            last = term_end_on(ENGLAND_TERMS, first)
            agreed = weekday(self.between(first + timedelta(days=7), last - timedelta(days=14)))
            late = self.days(5, 40) if self.rng.random() < 0.04 else timedelta(0)
            return agreed, agreed + late
        agreed = weekday(frequency.span.after(day))
        if self.rng.random() < 0.03:
            slip = self.days(10, 45)
        else:
            slip = timedelta(days=max(-7, min(8, round(self.rng.gauss(0, 3.5)))))
        return agreed, max(weekday(agreed + slip), day + timedelta(days=3))

    def _regular(self, person: P, chain: list[C], external: bool) -> None:
        rng = self.rng
        if person is self.special["no-session-yet"]:
            return
        stop = min(person.left or self.end, person.lapse or self.end, self.end)
        if chain[-1].ended and chain[-1].ended < stop:
            stop = chain[-1].ended
        day = weekday(chain[0].start + self.days(3, 20))
        index = 0
        forced = person is self.special["not-rebooked"]
        while day < stop:
            while index + 1 < len(chain) and chain[index + 1].start <= day:
                index += 1
            contract = chain[index]
            agreed, actual = self._next(day, contract)
            hold_back = forced and day >= self.end - timedelta(days=25)
            if rng.random() < 0.04 or hold_back:
                by = "supervisor" if rng.random() < 0.55 else "supervisee"
                rebook = None
                if rng.random() < 0.75 and not hold_back:
                    rebook = weekday(day + self.days(2, 14))
                    if rebook <= day:
                        rebook = day + timedelta(days=3)
                self.event(at(max(day - self.days(0, 3), contract.start), 8, 30), "cancel",
                           (person, contract.supervisor, day, by, rng.choice(CANCELLED[by]),
                            rebook))
                forced = forced and not hold_back
                if rebook is None or rebook >= stop:
                    day = actual
                    continue
                day = rebook
                agreed, actual = self._next(day, contract)
            self._one(person, contract, day, agreed, "external" if external else "one-to-one")
            day = actual

    def _one(self, person: P, contract: C, held: date, agreed: date, kind: str) -> None:
        rng = self.rng
        begin = rng.choice((9, 10, 11, 13, 14, 15))
        start_time = f"{begin:02d}:{rng.choice(('00', '00', '15', '30'))}"
        duration = rng.choice((60, 60, 75, 90, 90, 90)) if kind != "external" else 90
        recorded = at(held, begin) + timedelta(minutes=duration + rng.randint(5, 90))
        if rng.random() < 0.02:  # a late entry
            recorded = at(held + self.days(3, 12), 16, rng.randint(0, 59))
        session = S(kind, CASE_TEMPLATE, contract.supervisor, [person], held, start_time,
                    duration, contract, recorded, next_meeting=agreed if agreed > held else None)
        if held >= self.end - timedelta(days=12) and rng.random() < 0.08:
            session.draft = True
        self._sign_plan(session, person)
        self.add_session(session)

    def _sign_plan(self, session: S, person: P) -> None:
        rng, held = self.rng, session.held
        if person is self.special["record-unsigned"] and \
                self.end - timedelta(days=45) <= held <= self.end - timedelta(days=10):
            session.signing = "partial"
        elif held >= self.end - timedelta(days=7) and rng.random() < 0.35:
            session.signing = "partial"
        elif rng.random() < 0.03:
            session.signing = "late"
            session.sign_at = session.recorded + self.days(1, 20)
            if session.sign_at >= at(self.end, 0):
                session.signing = "partial"
        elif rng.random() < 0.0005:
            session.signing = "partial"

    def _ad_hoc(self, person: P, chain: list[C]) -> None:
        rng = self.rng
        if not chain or person is self.special["no-session-yet"]:
            return
        first = chain[0].start
        last = min(person.left or self.end, self.end) - timedelta(days=1)
        years = max(1, round((last - first).days / 365))
        for _ in range(sum(rng.random() < 0.35 for _ in range(years))):
            held = weekday(self.between(first + timedelta(days=7), last))
            if held >= self.end or held <= first:
                continue
            contract = next((c for c in reversed(chain) if c.start <= held), None)
            if contract is None or (contract.ended and contract.ended <= held):
                continue
            begin = rng.choice((9, 11, 12, 15, 16))
            session = S("ad-hoc", CASE_TEMPLATE, contract.supervisor, [person], held,
                        f"{begin:02d}:00", rng.choice((20, 30, 45)), contract,
                        at(held, begin, 50), reviews=False)
            self._sign_plan(session, person)
            self.add_session(session)

    def _pods(self, supervisor: P) -> None:
        rng = self.rng
        quarter = self.start
        mine = [c for c in self.contracts
                if c.supervisor is supervisor and c.kind == "case-supervision"]
        while quarter < self.end:
            held = weekday(quarter + self.days(5, 70))
            quarter = add_months(quarter, 3)
            if held >= self.end:
                break
            team = [c.supervisee for c in mine
                    if c.start <= held and (c.after is None or c.after.start > held)
                    and (c.ended is None or c.ended > held)
                    and (c.supervisee.lapse is None or c.supervisee.lapse > held)
                    and c.supervisee is not self.special["no-session-yet"]]
            if len(team) < 2:
                continue
            members = rng.sample(team, min(len(team), rng.randint(3, 6)))
            session = S("group", POD_TEMPLATE, supervisor, members, held, "13:30",
                        rng.choice((90, 120)), None, at(held, 16, 0), reviews=False)
            if held >= self.end - timedelta(days=7) and rng.random() < 0.35:
                session.signing = "partial"
            self.add_session(session)

    def add_session(self, session: S) -> None:
        if session.recorded >= at(self.end, 0):
            return  # held, but not written up by the as-of date
        self.sessions += 1
        self.event(session.recorded, "session", session)
        if session.signing == "late" and session.sign_at is not None:
            self.event(session.sign_at, "sign-session", session)


# ---------------------------------------------------------------------------------------------
# Writing the plan through the store layer, in time order, many events per transaction


class Writer:
    def __init__(self, store, plan: Plan, seed: int) -> None:
        self.store, self.plan = store, plan
        self.rng = random.Random(seed * 7919 + 1)  # choices made while writing, in event order
        self.actor = plan.head.name
        catalog = Catalog(None)
        self.templates = {name: catalog.get(name) for name in (
            CASE_TEMPLATE, POD_TEMPLATE, CONTRACT_TEMPLATE, DECISION_TEMPLATE)}
        self.contract_answers = example_answers(self.templates[CONTRACT_TEMPLATE].sections,
                                                plan.start)
        self.open: dict[int, list[list]] = {}  # id(P) -> open actions [id, due, times carried]
        self.s = None
        self._keep: list = []

    def run(self, progress=None) -> None:
        plan, setup = self.plan, at(self.plan.start, 7)
        with self.store.session() as s:
            self.me = find_person(s, self.actor)
            self.policy, self.version = policy_in_force(Stamp(s, setup, self.actor))
            self.key, self.private = custodian_key(Stamp(s, setup, self.actor), self.me,
                                                   self.store.opened.private_key)
            edit_person(Stamp(s, setup, self.actor), self.me, changes={
                "team": plan.head.team, "start_date": plan.head.start,
                "supervisor_since": plan.head.since,
                "supervisor_trained_on": plan.head.trained})
            plan.head.obj = self.me
            for template in self.templates.values():  # stored before their first use
                keep_snapshot(s, template, setup)
        # Sessions and signatures go through the store's bulk path (store/bulk/): the same
        # rules, rows, digests and audit events as the step-by-step one, in plain SQL.
        self.bulk = Bulk(policy=self.policy, policy_version=self.version,
                         decision_template=self.templates[DECISION_TEMPLATE])
        events, position, done = plan.events, 0, 0
        while position < len(events):
            with self.store.session() as s:
                self.s = s
                # Held for the transaction: every record's digest reads the template's stored
                # copy, and the session's identity map keeps only what something refers to.
                self._keep = [s.get(models.TemplateSnapshot, t.digest)
                              for t in self.templates.values()]
                written = 0
                while position < len(events) and written < BATCH:
                    moment, _, kind, subject = events[position]
                    position += 1
                    getattr(self, "do_" + kind.replace("-", "_"))(subject, moment)
                    written += kind == "session"
            done += written
            if progress is not None:
                progress(done, plan.sessions)
        self.s = None

    # -- people, contracts, the register, cancellations --

    def do_person(self, person: P, moment: datetime) -> None:
        if person is self.plan.head:
            return
        person.obj = add_person(
            Stamp(self.s, moment, self.actor), name=person.name, role=person.role,
            team=person.team, start_date=person.start, is_supervisor=person.supervisor,
            supervisor_since=person.since, supervisor_trained_on=person.trained,
            newly_qualified_on=person.qualified, requires_supervision=person.requires)

    def do_trained(self, person: P, moment: datetime) -> None:
        edit_person(Stamp(self.s, moment, self.actor), self.s.get(models.Person, person.obj.id),
                    changes={"supervisor_trained_on": person.trained_later})

    def do_leave(self, person: P, moment: datetime) -> None:
        leave_person(Stamp(self.s, moment, self.actor), self.s.get(models.Person, person.obj.id),
                     left=person.left)

    def do_contract(self, contract: C, moment: datetime) -> None:
        kind = self.policy.kind(contract.kind)
        person = contract.supervisee
        schedule = self.policy.newly_qualified if contract.schedule else None
        terms = ContractTerms(
            supervisee=person.obj, supervisor=contract.supervisor.obj, kind=contract.kind,
            frequency=parse_frequency(contract.frequency), schedule=schedule,
            schedule_from=schedule_anchor(person.qualified, person.start) if schedule else None,
            start=contract.start, review=contract.review, duration=kind.duration,
            venue=VENUES[hash_text(person.name) % len(VENUES)],
            template=self.templates[CONTRACT_TEMPLATE], answers=self.contract_answers)
        parties = [(contract.supervisor, "supervisor")]
        if contract.sign == "now":
            parties.append((person, "supervisee"))
        contract.record, _ = self.bulk.contract(
            Stamp(self.s, moment, self.actor), terms,
            replacing=contract.replaces.record if contract.replaces else None,
            signers=[self.signer(p, role) for p, role in parties],
            signed_at=moment + timedelta(minutes=20))

    def do_sign_contract(self, contract: C, moment: datetime) -> None:
        self.sign("contract", contract.record, [(contract.supervisee, "supervisee")], moment)

    def do_end_contract(self, contract: C, moment: datetime) -> None:
        end_contract(Stamp(self.s, moment, self.actor),
                     self.s.get(models.Contract, contract.record), on=contract.ended,
                     reason=contract.end_reason)

    def do_family(self, family: F, moment: datetime) -> None:
        status = family.status_on(family.registered)
        for name, dob in family.children:
            child_id, family.family_id = self.bulk.child(
                Stamp(self.s, moment, self.actor), name=name, dob=dob,
                ref=f"LCS-{hash_text(name + dob.isoformat()) % 10**7:07d}",
                family=family.name, status=status)
            family.child_ids.append(child_id)

    def do_cancel(self, subject: tuple, moment: datetime) -> None:
        person, supervisor, day, by, reason, rebooked = subject
        cancel_meeting(Stamp(self.s, moment, self.actor), supervisee=person.obj,
                       supervisor=supervisor.obj, meeting_on=day,
                       by=by, reason=reason, rebooked=rebooked)

    # -- sessions --

    def answers(self, bank: dict) -> dict:
        rng = self.rng
        return {key: rng.choice(phrases) for key, (chance, phrases) in bank.items()
                if rng.random() < chance}

    def cases_for(self, plan: S) -> list[F]:
        worker = plan.supervisees[0]
        if worker.supervisor:
            return []
        held = plan.held
        open_now = [f for f in worker.families if f.registered <= held <= f.closed]
        wanted = 1 if plan.kind == "ad-hoc" else self.rng.choices((0, 1, 2, 3),
                                                                 (20, 45, 25, 10))[0]
        if plan.draft:
            wanted = min(wanted, 1)
        return self.rng.sample(open_now, min(wanted, len(open_now)))

    def do_session(self, plan: S, moment: datetime) -> None:
        if plan.template == POD_TEMPLATE:
            self.group(plan, moment)
            return
        rng = self.rng
        if plan.kind == "ad-hoc":
            answers = {"agenda": "Ad hoc: an immediate concern raised by the worker.",
                       "management_accountability": rng.choice(
                           ANSWERS["management_accountability"][1])}
        else:
            answers = self.answers(ANSWERS)
            if plan.draft:  # written up part of the way
                answers = dict(list(answers.items())[:rng.randint(1, 3)])
        cases = []
        for family in self.cases_for(plan):
            status = family.status_on(plan.held)
            case_answers = self.answers(CASE_ANSWERS)
            before = family.status_on(plan.held - timedelta(days=35))
            if before != status:
                case_answers["status_change"] = f"From {before} to {status}"
            decision = None
            if not plan.draft and rng.random() < 0.03:
                decision = {key: rng.choice(value) for key, value in DECISION.items()}
            cases.append(CaseIn(family.family_id, list(family.child_ids), status, case_answers,
                                decision))
        given = SessionIn(
            template=self.templates[plan.template], kind=plan.kind,
            supervisor=plan.supervisor.obj, supervisees=[p.obj for p in plan.supervisees],
            held_on=plan.held, start_time=plan.start_time, duration=plan.duration,
            contract_id=plan.contract.record if plan.contract else None, answers=answers,
            next_meeting=plan.next_meeting, cases=cases, draft=plan.draft)
        work = Stamp(self.s, moment, self.actor)
        if plan.draft:
            plan.record_id = self.bulk.session(work, given).session_id
            return
        owner = plan.supervisees[0]
        if plan.reviews:
            given.reviews = self.review(owner, plan)
        count = rng.choice((0, 1)) if plan.kind == "ad-hoc" else \
            rng.choices((0, 1, 2), (30, 45, 25))[0]
        positions = list(range(1, len(cases) + 1))
        for _ in range(count):
            who = owner if rng.random() < 0.85 else plan.supervisor
            case = rng.choice(positions) if cases and rng.random() < 0.5 else None
            due = self.due(plan)
            given.actions.append(ActionIn(rng.choice(ACTIONS), who.obj, due, case))
        written = self.bulk.session(work, given, self.signers(plan),
                                    signed_at=moment + timedelta(minutes=10))
        plan.record_id = written.session_id
        for action_id, action in zip(written.action_ids, given.actions, strict=True):
            self.open.setdefault(id(owner), []).append([action_id, action.due, 0])
        for decision_id, digest in written.decisions:
            self.bulk.sign(Stamp(self.s, moment + timedelta(minutes=15), self.actor),
                           "decision", decision_id, [self.signer(plan.supervisor, "supervisor")],
                           digest=digest, draft_of=written.session_id)

    def due(self, plan: S) -> date:
        """Mostly by the next meeting, as agreed; otherwise in a week to six weeks."""
        if plan.next_meeting and self.rng.random() < 0.85:
            return max(plan.held + timedelta(days=1),
                       plan.next_meeting - timedelta(days=self.rng.randint(0, 5)))
        return plan.held + timedelta(days=self.rng.randint(7, 42))

    def review(self, owner: P, plan: S) -> list[ReviewIn]:
        """The open actions of the supervisee's earlier sessions (and a pod's, of the
        supervisor): most done, some carried (to the next meeting, or a fortnight on), a few
        dropped."""
        rng, held = self.rng, plan.held
        if rng.random() < 0.04:
            return []  # forgotten this time: the actions drift
        still, reviews = [], []
        for entry in self.open.get(id(owner), []):
            action_id, due, carried = entry
            if carried >= 2:
                outcome = pick(rng, (("done", 75), ("dropped", 15), ("carried", 10)))
            elif due > held:
                outcome = pick(rng, (("carried", 50), ("done", 50)))
            else:
                outcome = pick(rng, (("done", 80), ("carried", 12), ("dropped", 8)))
            new_due = None
            if outcome == "carried":  # a carried action is given its new due date
                if plan.next_meeting and rng.random() < 0.7:
                    new_due = max(plan.next_meeting, due)
                else:
                    new_due = max(due, held + timedelta(days=14))
                entry[1] = new_due
            reviews.append(ReviewIn(action_id, outcome, rng.choice(REVIEW_NOTES[outcome]),
                                    new_due))
            if outcome == "carried":
                entry[2] += 1
                still.append(entry)
        self.open[id(owner)] = still
        return reviews

    def group(self, plan: S, moment: datetime) -> None:
        """A pod, checked the way an answers file is (check_session_file), then written whole."""
        rng = self.rng
        template = self.templates[POD_TEMPLATE]
        data = {"template": template.id, "date": plan.held.isoformat(), "time": plan.start_time,
                "kind": "group", "supervisor": plan.supervisor.name,
                "supervisees": [p.name for p in plan.supervisees], "duration": plan.duration,
                "next_meeting": add_months(plan.held, 3).isoformat(),
                "answers": {"group_confidentiality": GROUP_BOUNDARIES,
                            "concern_lead": plan.supervisor.name, **self.answers(POD_ANSWERS)}}
        presenter = rng.choice(plan.supervisees)
        families = [f for f in presenter.families if f.registered <= plan.held <= f.closed]
        chosen = None
        if families and rng.random() < 0.7:
            chosen = rng.choice(families)
            data["cases"] = [{
                "family": chosen.name, "status": chosen.status_on(plan.held),
                "children": [{"name": n, "dob": d.isoformat()} for n, d in chosen.children],
                "answers": {"presenting_worker": presenter.name, **self.answers(POD_CASE)}}]
        if rng.random() < 0.5:
            due = plan.held + timedelta(days=rng.randint(14, 42))
            data["actions"] = [{"text": rng.choice(ACTIONS), "owner": plan.supervisor.name,
                                "due": due.isoformat()}]
        problems = Problems()
        decision = self.templates[DECISION_TEMPLATE]
        parsed = check_session_file(template, data, plan.held, problems, decision=decision)
        problems.raise_if_any("The large trust's pod")
        supervisees = [p.obj for p in plan.supervisees]
        contract = contract_for(self.s, supervisees[0], self.policy, template.id)
        given = SessionIn(
            template=template, kind=parsed.kind, supervisor=plan.supervisor.obj,
            supervisees=supervisees, held_on=parsed.held_on, start_time=parsed.time,
            duration=parsed.duration, contract_id=contract.id if contract else None,
            answers={**parsed.group, **parsed.answers}, next_meeting=parsed.next_meeting,
            cases=[CaseIn(chosen.family_id, list(chosen.child_ids), case.status or "none",
                          case.answers, case.decision)
                   for case in parsed.cases if chosen is not None],
            actions=[ActionIn(a.text, plan.supervisor.obj, a.due, a.case, a.item, a.notes)
                     for a in parsed.actions])
        written = self.bulk.session(Stamp(self.s, moment, self.actor), given,
                                    self.signers(plan), signed_at=moment + timedelta(minutes=10))
        plan.record_id = written.session_id
        for action_id, action in zip(written.action_ids, given.actions, strict=True):
            self.open.setdefault(id(plan.supervisor), []).append([action_id, action.due, 0])

    # -- signing: the custodian with their key, everyone else by typed name that they witness

    def material(self, signer: P) -> SigningMaterial:
        if signer is self.plan.head:
            return SigningMaterial(self.key, self.private, "key")
        return SigningMaterial(self.key, self.private, "typed", witness=self.me)

    def sign(self, record_type: str, record_id: int, parties: list[tuple[P, str]],
             moment: datetime) -> None:
        self.bulk.sign(Stamp(self.s, moment, self.actor), record_type, record_id,
                       [self.signer(person, role) for person, role in parties])

    def signer(self, person: P, role: str) -> Signer:
        return Signer(person.obj, role, None, self.material(person))

    def signers(self, plan: S) -> list[Signer]:
        """Who signs at the end of the meeting: the supervisor, and the supervisees unless
        they sign later (or have not yet)."""
        parties = [self.signer(plan.supervisor, "supervisor")]
        if plan.signing == "now":
            parties += [self.signer(p, "supervisee") for p in plan.supervisees]
        return parties

    def do_sign_session(self, plan: S, moment: datetime) -> None:
        if plan.record_id is not None:
            self.sign("session", plan.record_id, [(p, "supervisee") for p in plan.supervisees],
                      moment)


# ---------------------------------------------------------------------------------------------
# Building, counting, caching

def _counts(store) -> dict[str, int]:
    M = models
    with store.session() as s:
        def n(model, *where) -> int:
            query = select(func.count()).select_from(model)
            for condition in where:
                query = query.where(condition)
            return s.exec(query).one()

        return {
            "people": n(M.Person), "contracts": n(M.Contract),
            "sessions": n(M.SessionRecord, M.SessionRecord.status != "draft"),
            "drafts": n(M.SessionRecord, M.SessionRecord.status == "draft"),
            "signatures": n(M.Signature), "actions": n(M.ActionItem),
            "action_reviews": n(M.ActionReview), "cases": n(M.CaseDiscussion),
            "decisions": n(M.Decision), "children": n(M.Child), "families": n(M.Family),
            "cancellations": n(M.Cancellation), "audit_events": n(M.AuditEvent),
        }


def build(path: Path, *, seed: int = 7, passphrase: str, supervisees: int = 2000,
          supervisors: int = 100, years: int = 5, end: date = END, progress=None) -> dict:
    """Create a new store at `path` holding the organisation; returns what it holds, counted.
    `progress(done, total)` is called after each transaction with sessions written so far."""
    if supervisees < 20 or supervisors < 2 or years < 1:
        raise ValueError("the large trust needs at least 20 supervisees, 2 supervisors, 1 year")
    plan = Plan(seed, supervisees, supervisors, years, end)
    gc.collect()
    gc.freeze()  # the plan lives for the whole build: the collector need not walk it again
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1000)  # millions of short-lived rows, few cycles among them
    store, _ = create_store(path, org=ORG, policy=shipped_policy(POLICY), user=plan.head.name,
                            role=plan.head.role, passphrase=passphrase, kdf=KDF_PROFILES[KDF],
                            now=at(plan.start, 6))
    try:
        Writer(store, plan, seed).run(progress)
        return _counts(store)
    finally:
        store.close()
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def cache_key(*, seed: int, supervisees: int, supervisors: int, years: int, end: date,
              passphrase: str) -> str:
    digest = hashlib.sha256()
    for source in (HERE, SCHEMA):
        digest.update(source.read_bytes())
    digest.update(json.dumps([seed, supervisees, supervisors, years, end.isoformat(),
                              passphrase]).encode())
    return digest.hexdigest()[:16]


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cached(seed: int = 7, *, supervisees: int = 2000, supervisors: int = 100, years: int = 5,
           end: date = END, passphrase: str = PASSPHRASE, progress=None) -> Path:
    """The store `build` makes with these arguments, built once and kept in benchmarks/.cache/
    (a new build when this file or the schema changes). Open it with `passphrase`."""
    size = dict(supervisees=supervisees, supervisors=supervisors, years=years)
    key = cache_key(seed=seed, end=end, passphrase=passphrase, **size)
    stem = f"large-trust-seed{seed}-{supervisees}x{supervisors}x{years}y"
    folder = CACHE / f"{stem}-{key}"
    if (folder / "counts.json").is_file():
        return folder / "store.db"
    CACHE.mkdir(mode=0o700, exist_ok=True)
    for stale in CACHE.glob(".building-*"):  # left by a build that was interrupted
        pid = stale.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not _running(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    building = CACHE / f".building-{key}-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    started = time.perf_counter()
    counts = build(building / "store.db", seed=seed, passphrase=passphrase, end=end,
                   progress=progress, **size)
    counts["build_seconds"] = round(time.perf_counter() - started)
    (building / "counts.json").write_text(json.dumps(counts, indent=1) + "\n")
    for old in CACHE.glob(f"{stem}-*"):  # earlier builds of the same size, now out of date
        shutil.rmtree(old, ignore_errors=True)
    try:
        building.rename(folder)
    except OSError:  # another process finished the same build first
        shutil.rmtree(building, ignore_errors=True)
    return folder / "store.db"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build the synthetic large trust (SPEC §9).")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, metavar="PATH",
                        help="the new store's file (default: kept in benchmarks/.cache/)")
    parser.add_argument("--small", action="store_true",
                        help=f"a quick one: {SMALL['supervisees']} supervisees, "
                             f"{SMALL['supervisors']} supervisors, {SMALL['years']} year")
    args = parser.parse_args(argv)
    size = SMALL if args.small else {}
    started = time.perf_counter()
    shown = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter() - started
        if now - shown[0] >= 15 or done >= total:
            shown[0] = now
            print(f"  {done:,} of {total:,} sessions written, {now:.0f} s", file=sys.stderr,
                  flush=True)

    if args.out is not None:
        counts = build(args.out, seed=args.seed, passphrase=PASSPHRASE, progress=progress,
                       **size)
        where = args.out
    else:
        where = cached(args.seed, progress=progress, **size)
        counts = json.loads((where.parent / "counts.json").read_text())
    elapsed = time.perf_counter() - started
    for name, value in counts.items():
        print(f"{name:>15}: {value:,}")
    print(f"Store: {where} (passphrase {PASSPHRASE!r}); took {elapsed:.1f} s")


if __name__ == "__main__":
    main()
