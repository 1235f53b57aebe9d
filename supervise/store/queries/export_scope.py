"""Which records an export holds (SPEC §7), and the chronology of what happened in them.

By child or family: the sessions that discussed them and the decision records about them, other
children's discussions cut out. By supervisee: their contracts, sessions and decisions. A person's
own copy (subject access): their contracts and sessions, with every child's details cut out.
Drafts are not records yet: they are counted and left out."""

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from supervise.domain.bundles.chronology import Event
from supervise.domain.bundles.extract import names_to_hide, shown_unless_named
from supervise.domain.policy.frequency import Span, next_due, parse_frequency
from supervise.domain.policy.organisation_policy import CHILD_INTERVAL
from supervise.domain.wording import session_kind_label, uk_date
from supervise.errors import Hint, NotFoundError, SuperviseError
from supervise.store.db.tables import (
    ActionItem,
    ActionReview,
    CaseChild,
    CaseDiscussion,
    Child,
    Contract,
    Decision,
    Family,
    Person,
    SessionRecord,
    id_of,
)
from supervise.store.queries.chronology_facts import (
    action_events,
    case_events,
    record_story,
    short,
    status_changes,
)
from supervise.store.queries.export_reads import pinned_rows
from supervise.store.queries.extract_cuts import Cut
from supervise.store.queries.session_rows import list_sessions
from supervise.store.records.cancellations import cancellations_of
from supervise.store.records.children import find_child, find_family
from supervise.store.records.contracts import list_contracts
from supervise.store.records.numbered import stored
from supervise.store.records.people import find_person, person_name
from supervise.store.records.policies import current_policy


@dataclass
class Scope:
    kind: str  # child | family | supervisee | person
    description: str
    filters: dict[str, Any]  # as the manifest and the audit event record them
    cut: Cut
    records: list[tuple[str, Any]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    drafts: int = 0
    gap_rule: str = ""
    start: date | None = None
    end: date | None = None
    contracts: list[Contract] = field(default_factory=list)
    before: date | None = None  # the last supervision before a dated period
    terms: tuple = ()
    child_interval: Span = CHILD_INTERVAL
    pinned: list[Any] = field(default_factory=list, repr=False, compare=False)  # export_reads

    def due_after(self, day: date) -> date:
        if self.kind in ("child", "family"):
            return self.child_interval.after(day)
        return self._contract_due(day)

    def _contract_due(self, day: date) -> date:
        started = [c for c in self.contracts if c.start_on <= day]
        if not started:
            return date.max
        try:
            frequency = parse_frequency(started[-1].frequency)
        except SuperviseError:
            return date.max
        return next_due(day, frequency, self.terms)


def _in_range(day: date, start: date | None, end: date | None) -> bool:
    return (start is None or day >= start) and (end is None or day <= end)


def _split_drafts(sessions: list[SessionRecord]) -> tuple[list[SessionRecord], int]:
    kept = [s for s in sessions if s.status != "draft"]
    return kept, len(sessions) - len(kept)


def resolve(session: Session, *, child: str | None = None, family: str | None = None,
            supervisee: str | None = None, person: str | None = None,
            start: date | None = None, end: date | None = None, full: bool = False,
            dob: date | None = None) -> Scope:
    given = [x for x in (child, family, supervisee, person) if x]
    if len(given) != 1:
        raise SuperviseError("Say whose records to export:", Hint.of("export_whose"))
    if start and end and start > end:
        raise SuperviseError("", Hint.of("swap_from_and_to", start=start, end=end))
    dates = {"from": start.isoformat() if start else None,
             "to": end.isoformat() if end else None}
    if child or family:
        scope = _about_children(session, child, family, dob, start, end, full, dates)
    else:
        scope = _about_person(session, given[0], person is not None, start, end, full, dates)
    _hide_named(scope)
    return scope


def _about_children(session: Session, child_name: str | None, family_name: str | None,
                    dob: date | None, start, end, full: bool, dates: dict) -> Scope:
    if child_name:
        child = find_child(session, child_name, dob=dob,
                           hint=Hint.of("say_which_child_by_dob"))
        born = f", born {uk_date(child.dob)}" if child.dob else ""
        scope = Scope("child", f"the child {child.name}{born}",
                      {"child": child.id, **dates, "full": full},
                      Cut(children=frozenset({id_of(child)}), support=full))
        cases = select(CaseDiscussion) \
            .join(CaseChild, col(CaseChild.case_id) == CaseDiscussion.id) \
            .where(CaseChild.child_id == child.id)
    else:
        assert family_name is not None  # the caller gives a child or a family
        found = find_family(session, family_name)
        if found is None:
            raise NotFoundError(f"No family {family_name!r} in the case register:",
                                Hint.of("see_children"))
        scope = Scope("family", f"the {found.name} family",
                      {"family": found.id, **dates, "full": full},
                      Cut(families=frozenset({id_of(found)}), support=full))
        cases = select(CaseDiscussion).where(CaseDiscussion.family_id == found.id)
    scope.start, scope.end = start, end
    scope.child_interval = current_policy(session)[0].child_discussion_interval
    scope.gap_rule = (f"a gap is shown where more than {scope.child_interval.words()} passed "
                      f"without a supervision discussion of the "
                      f"{'child' if child_name else 'family'}")
    case_rows = list(session.exec(cases))
    scope.pinned = [*case_rows, *pinned_rows(session, {c.session_id for c in case_rows})]
    discussed = {c.session_id: stored(session, SessionRecord, c.session_id) for c in case_rows}
    # A session that only reviewed an action about them holds a part about them too.
    reviewing = {i for i in session.exec(select(ActionReview.session_id).join(
        ActionItem, col(ActionItem.id) == ActionReview.action_id).where(
        col(ActionItem.case_id).in_([c.id for c in case_rows]),
        col(ActionReview.session_id).is_not(None))) if i is not None} - set(discussed)
    sessions = {**discussed, **{i: stored(session, SessionRecord, i) for i in reviewing}}
    together = set(session.exec(select(CaseChild.child_id).where(
        col(CaseChild.case_id).in_([c.id for c in case_rows]))))
    scope.cut = replace(scope.cut, reviews_only=frozenset(reviewing),
                        outside=_outside(session, together))
    ordered = sorted(sessions.values(), key=lambda s: (s.held_on, s.id))
    kept, scope.drafts = _split_drafts([s for s in ordered if _in_range(s.held_on, start, end)])
    by_id = {id_of(s): s for s in kept}
    scope.before = _last_before(start, [discussed[c.session_id] for c in case_rows])
    decisions = {d.case_id: d for d in session.exec(select(Decision).where(
        col(Decision.case_id).in_([c.id for c in case_rows])))}
    cases_in: dict[int, list[CaseDiscussion]] = {}
    for case in case_rows:
        cases_in.setdefault(case.session_id, []).append(case)
    for record in kept:
        scope.records.append(("session", record))
        for case in cases_in.get(id_of(record), []):
            scope.events += case_events(session, record, case, decisions.get(id_of(case)))
        scope.events += record_story(session, "session", record, record.held_on,
                                     record.start_time)
    scope.events += status_changes(session, case_rows, {id_of(child)} if child_name
                                   else together, by_id)
    scope.events += action_events(session, session.exec(select(ActionItem).where(
        col(ActionItem.case_id).in_([c.id for c in case_rows])).order_by(col(ActionItem.id))),
        by_id, start, end)
    for case in case_rows:
        if case.id in decisions and case.session_id in by_id:
            record = by_id[case.session_id]
            scope.records.append(("decision", decisions[case.id]))
            scope.events += record_story(session, "decision", decisions[case.id],
                                         record.held_on, record.start_time)
    return scope


def _last_before(start: date | None, held: list[SessionRecord]) -> date | None:
    """The last supervision before a dated period, which its first gap runs from."""
    if start is None:
        return None
    earlier = [s.held_on for s in held if s.status != "draft" and s.held_on < start]
    return max(earlier, default=None)


def _outside(session: Session, inside: set[int]) -> frozenset[str]:
    """The names no kept part may mention: every child on the register outside the export
    (full name, first name, family name), unless a child inside it or a member of staff shares
    the word."""
    families = {f.id: f.name for f in session.exec(select(Family))}
    register = list(session.exec(select(Child)))
    keep = [(c.name, families.get(c.family_id)) for c in register if c.id in inside]
    keep += [(p.name, None) for p in session.exec(select(Person))]
    return names_to_hide([(c.name, families.get(c.family_id)) for c in register
                          if c.id not in inside], keep)


def _hide_named(scope: Scope) -> None:
    """Chronology text (actions, notes, decisions) that names a child outside the export."""
    names = sorted(scope.cut.outside)
    if not names:
        return
    scope.events = [
        replace(e, event=shown_unless_named(e.event, names),
                outcome=shown_unless_named(e.outcome, names))
        for e in scope.events]


def _about_person(session: Session, name: str, own_copy: bool, start, end, full: bool,
                  dates: dict) -> Scope:
    person: Person = find_person(session, name)
    policy, _ = current_policy(session)
    if own_copy:
        scope = Scope("person", f"the supervision records of {person.name} (their own copy)",
                      {"person": person.id, **dates},
                      Cut(cases=False, support=True, outside=_outside(session, set()),
                          own=person.id))
    else:
        scope = Scope("supervisee", f"the supervision of {person.name}",
                      {"supervisee": person.id, **dates, "full": full}, Cut(support=full))
    scope.start, scope.end, scope.terms = start, end, policy.terms
    scope.gap_rule = ("a gap is shown where the next supervision came later than the "
                      "frequency of the contract in force")
    contracts = [c for c in list_contracts(session, today=date.max, supervisee=person,
                                           include_closed=True)
                 if (end is None or c.start_on <= end)
                 and (start is None or c.review_on >= start or c.start_on >= start)]
    scope.contracts = sorted(contracts, key=lambda c: (c.start_on, c.id))
    for contract in scope.contracts:
        scope.records.append(("contract", contract))
        scope.events.append(Event(contract.start_on, None, f"Contract C{contract.id}",
                                  f"Contract starts ({contract.kind}, {contract.frequency})",
                                  f"review by {uk_date(contract.review_on)}", rank=-1))
    sessions, scope.drafts = _split_drafts(list_sessions(session, supervisee=person,
                                                         start=start, end=end))
    if start is not None:
        scope.before = _last_before(start, [s for s in list_sessions(
            session, supervisee=person, end=start) if s.kind != "ad-hoc"])
    by_id = {id_of(s): s for s in sessions}
    for record in sessions:
        scope.records.append(("session", record))
        scope.events.append(Event(record.held_on, record.start_time, f"Session S{record.id}",
                                  f"{session_kind_label(record.kind)}",
                                  f"with {person_name(session, record.supervisor_id)}",
                                  supervision=record.kind != "ad-hoc"))
        scope.events += record_story(session, "session", record, record.held_on,
                                     record.start_time)
        if not own_copy:
            cases = select(CaseDiscussion.id).where(CaseDiscussion.session_id == record.id)
            for decision in session.exec(select(Decision).where(
                    col(Decision.case_id).in_(cases)).order_by(col(Decision.id))):
                scope.records.append(("decision", decision))
                case = session.get(CaseDiscussion, decision.case_id)
                assert case is not None  # a decision's case is never deleted before it
                scope.events += case_events(session, record, case, decision)[1:]
                scope.events += record_story(session, "decision", decision, record.held_on,
                                             record.start_time)
    # Their own actions, wherever agreed (in their own copy too: an action is theirs)
    scope.events += action_events(session, session.exec(select(ActionItem).where(
        ActionItem.owner_id == person.id).order_by(col(ActionItem.id))), by_id, start, end)
    for cancelled in cancellations_of(session, person):
        if _in_range(cancelled.meeting_on, start, end):
            scope.events.append(Event(
                cancelled.meeting_on, None, "Cancellation",
                f"Meeting cancelled by the {cancelled.cancelled_by}: {short(cancelled.reason)}",
                f"rebooked for {uk_date(cancelled.rebooked_on)}" if cancelled.rebooked_on
                else "not rebooked"))
    return scope
