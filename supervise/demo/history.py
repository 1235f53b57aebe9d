"""A year of the sample trust's supervision, recorded the way a real one is: each session through
the answers-file path, on the day it was held (a simulated clock, so nothing is a late entry and
the audit trail runs forwards). Every name is invented."""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from supervise.domain.answers import Problems
from supervise.domain.policy.frequency import next_due
from supervise.domain.policy.skeleton import skeleton_data
from supervise.domain.records.session_file import check_session_file
from supervise.store.catalog import Catalog
from supervise.store.db.tables import ActionItem, ActionReview, id_of
from supervise.store.db.writing import Stamp
from supervise.store.records.answers_file import record_session
from supervise.store.records.people import find_person
from supervise.store.records.policies import policy_in_force
from supervise.store.records.sessions import open_actions_for

FAMILIES = [
    ("Hughes", [{"name": "Ella Hughes", "dob": "2016-04-12"}], "child-in-need"),
    ("Kowalski", [{"name": "Oskar Kowalski", "dob": "2013-09-30"},
                  {"name": "Lena Kowalski", "dob": "2017-01-05"}], "child-protection"),
    ("Begum", [{"name": "Aisha Begum", "dob": "2015-11-20"}], "early-help"),
    ("Morgan-Price", [{"name": "Tyler Morgan-Price", "dob": "2012-06-01"}], "looked-after"),
]
ACTIONS = [
    "Share the updated safety plan with the school nurse",
    "Ask the social worker for the date of the next core group",
    "Add attendance and lateness figures to the CIN report",
    "Book the DSL refresher course",
    "Check the chronology is up to date on CPOMS",
    "Speak to the class teacher about the child's voice in the plan",
    "Send the early help assessment to the family support worker",
]
DECISION = {
    "synopsis": "Known to early help since 2024; referred to children's social care in the "
                "autumn after a disclosure at school.",
    "concerns": "Repeated lateness, a new unexplained bruise, mum's partner back in the home.",
    "decision": "Ask the allocated social worker for a strategy discussion this week.",
    "rationale": "The bruise and the partner's return outweigh the recent improvement in "
                 "attendance; waiting for the next review would leave the child at risk.",
}


def at(day: date) -> datetime:
    """The simulated moment a record is written: the afternoon of the day it happened."""
    return datetime.combine(day, time(16, 30), tzinfo=UTC)


def record(session: Session, *, template_id: str, held: date, supervisees: list[str],
           supervisor: str, actor: str, kind: str = "one-to-one", family: int | None = None,
           decision: bool = False, experience: str | None = None) -> int:
    """One session, as an answers file would give it, recorded on the day."""
    moment = at(held)
    policy, version = policy_in_force(Stamp(session, moment, actor))
    catalog = Catalog(None)
    template = catalog.get(template_id, kind="session")
    data = skeleton_data(template, held)
    data.update(date=held.isoformat(), time="15:30", supervisees=supervisees,
                supervisor=supervisor, kind=kind)
    if kind == "group":
        data.update(group_confidentiality="What is said stays in the group unless a child is "
                                          "at risk; no children's names outside the room.",
                    concern_lead=supervisor)
    data.pop("next_meeting", None)
    if template.of_type("next_meeting"):
        data["next_meeting"] = next_due(held, policy.default_frequency, policy.terms).isoformat()
    if "cases" in data:
        if family is None:
            del data["cases"]
        else:
            name, children, status = FAMILIES[family % len(FAMILIES)]
            data["cases"][0].update(family=name, children=children, status=status)
            if decision:
                data["cases"][0]["decision"] = dict(DECISION)
        if experience:  # shared about no one family: no family, no child, no decision
            data["cases"].append({"answers": {"notes": experience, "escalate": False}})
    for action in data.get("actions", []):
        action.update(owner=supervisees[0], due=(held + timedelta(days=21)).isoformat(),
                      text=ACTIONS[held.toordinal() % len(ACTIONS)])
        if "cases" not in data:
            action.pop("case", None)
    people = [find_person(session, n) for n in supervisees]
    if template.of_type("action_review"):
        data["action_review"] = [
            {"action": a.id, "outcome": outcome, "note": "Reviewed together",
             **({"due": (held + timedelta(days=21)).isoformat()} if outcome == "carried"
                else {})}
            for a in open_actions_for(session, people, on=held) if a.due_on <= held
            for outcome in (_outcome(session, a),)]
    problems = Problems()
    decision_template = catalog.get(policy.decision_template, kind="decision")
    parsed = check_session_file(template, data, held, problems, decision=decision_template)
    return record_session(Stamp(session, moment, actor), parsed, template=template,
                          decision_template=decision_template, policy=policy,
                          policy_version=version, problems=problems,
                          origin="The sample session")


def _outcome(session: Session, action: ActionItem) -> str:
    """Every third action is carried forward once before it is done, as real ones are."""
    reviewed = session.exec(select(ActionReview).where(ActionReview.action_id == action.id))
    return "carried" if id_of(action) % 3 == 0 and not list(reviewed) else "done"


def every(start: date, end: date, weeks: int) -> list[date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(weeks=weeks)
    return days


Event = tuple[date, Callable[[Session], object]]


def first_year(actor: str) -> list[Event]:
    """Sessions under the minimum-standards policy, September 2025 to July 2026."""
    def ms(held: date, supervisee: str, supervisor: str, family: int | None,
           decision: bool) -> Event:
        return (held, lambda s: record(s, template_id="ms-supervision-record", held=held,
                                       supervisees=[supervisee], supervisor=supervisor,
                                       actor=actor, family=family, decision=decision))

    events: list[Event] = []
    # Contracts are four-weekly: most pairs keep to it; Tom Okafor's slip to six-weekly (and
    # one is cancelled), so the compliance report shows both on-time and late supervision.
    pairs = [("Priya Shah", actor, date(2025, 9, 10), 4),
             ("Daniel Brooks", actor, date(2025, 9, 17), 4),
             ("Tom Okafor", "Priya Shah", date(2025, 10, 15), 6),
             ("Ruth Adeyemi", "Daniel Brooks", date(2025, 9, 24), 4)]
    for number, (supervisee, supervisor, start, weeks) in enumerate(pairs):
        for index, held in enumerate(every(start, date(2026, 7, 15), weeks)):
            if supervisee == "Tom Okafor" and held == date(2026, 2, 11):
                continue  # cancelled by the supervisor (see cancellations in sample.py)
            events.append(ms(held, supervisee, supervisor,
                             (index + number) if index % 2 == 0 else None, index == 2))
    events.append((date(2026, 3, 3), lambda s: record(
        s, template_id="ms-supervision-record", held=date(2026, 3, 3),
        supervisees=["Daniel Brooks"], supervisor=actor, actor=actor, kind="ad-hoc",
        family=1)))
    return events


def second_year(actor: str) -> list[Event]:
    """Sessions under the school-trust policy, from September 2026."""
    def dsl(held: date, supervisee: str, supervisor: str, family: int | None,
            experience: str | None = None) -> Event:
        return (held, lambda s: record(s, template_id="dsl-agenda", held=held,
                                       supervisees=[supervisee], supervisor=supervisor,
                                       actor=actor, family=family, experience=experience))

    return [
        dsl(date(2026, 10, 6), "Priya Shah", actor, 0),
        dsl(date(2026, 10, 20), "Tom Okafor", "Priya Shah", 2, experience=(
            "Three parents at the gate this half term said the late-gate rota makes them feel "
            "judged; two have stopped bringing their children in when they are late. No one "
            "family: a whole-school theme to take to the head.")),
        dsl(date(2026, 11, 3), "Sam Rivera", "Daniel Brooks", 3),
        (date(2026, 10, 15), lambda s: record(
            s, template_id="eyfs-record", held=date(2026, 10, 15), supervisees=["Grace Lee"],
            supervisor="Priya Shah", actor=actor, family=2)),
        (date(2026, 11, 10), lambda s: record(
            s, template_id="eyfs-record", held=date(2026, 11, 10), kind="group",
            supervisees=["Grace Lee", "Tom Okafor"], supervisor="Priya Shah", actor=actor,
            family=None)),
    ]
