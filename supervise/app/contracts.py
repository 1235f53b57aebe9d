"""Supervision contracts: agreeing one (or reviewing one, a new version that supersedes it),
listing, showing and ending them.

Agreeing one is three short steps, so that no transaction is open while the user is asked
anything: `parties` (who could be named, and who a review keeps), `propose` (the terms worked
out from what was given, the policy in force and the contract reviewed, and checked), then,
once the CLI has asked the template's questions, `record`. Each step reads people by name
again: no row outlives its transaction."""

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from supervise.app.unit import unit_of_work
from supervise.domain.answers import Problems
from supervise.domain.policy.frequency import Frequency, Schedule
from supervise.domain.policy.templates import Template
from supervise.domain.records.contract_file import ContractGiven
from supervise.domain.rows import ContractDetail, ContractRow
from supervise.store.catalog import Catalog
from supervise.store.db.opening import Store
from supervise.store.records import contracts
from supervise.store.records.numbered import find_contract
from supervise.store.records.people import find_person


def read_given(answers: Path | None, **flags: Any) -> tuple[ContractGiven, Problems]:
    """The answers file and flags, checked; the file's problems are kept (not raised) until its
    [answers] have been checked against the template too, so all are listed at once."""
    from supervise.app.sessions import read_answers_file
    from supervise.domain.dates import parse_date
    from supervise.domain.policy.frequency import parse_frequency
    from supervise.domain.records.contract_file import check_contract_file

    given, problems = ContractGiven(), Problems()
    if answers is not None:
        given = check_contract_file(read_answers_file(answers), problems)
    for key, value in flags.items():
        if value is None:
            continue
        if key == "frequency":
            value = parse_frequency(value)
        elif key in ("start", "review"):
            value = parse_date(value, "the review date" if key == "review" else "the start date")
        given = replace(given, **{key: value})
    return given, problems


@dataclass(frozen=True)
class Parties:
    """Who can be named, and who is already settled (by what was given, or by the contract
    under review, whose supervisee stays)."""

    people: list[str]  # everyone in post
    supervisors: list[str]  # those of them marked as supervisors
    supervisee: str | None
    supervisor: str | None
    actor: str  # who is recording it: the supervisor to offer first


def parties(store: Store, given: ContractGiven, replacing: str | None) -> Parties:
    from supervise.store.records.people import names_in_post, person_name

    with unit_of_work(store) as work:
        supervisee, supervisor = given.supervisee, given.supervisor
        if replacing:
            old = find_contract(work.session, replacing)
            supervisee = person_name(work.session, old.supervisee_id)
            supervisor = supervisor or person_name(work.session, old.supervisor_id)
        return Parties(people=names_in_post(work.session),
                       supervisors=names_in_post(work.session, supervisors_only=True),
                       supervisee=supervisee, supervisor=supervisor, actor=work.actor)


@dataclass
class Proposal:
    """The terms of the contract to be recorded, checked, before its questions are asked."""

    supervisee: str
    supervisor: str
    kind: str
    frequency: Frequency
    schedule: Schedule | None
    why: str  # where the frequency came from: "as given", "as before", or the policy's rule
    schedule_from: date | None
    start: date
    review: date
    duration: int | None
    venue: str | None
    template: Template
    replacing: int | None = None  # the contract under review
    previous: dict[str, Any] = field(default_factory=dict)  # its answers: the defaults


def propose(store: Store, given: ContractGiven, *, supervisee: str, supervisor: str,
            replacing: str | None, templates: Catalog) -> Proposal:
    """The terms from what was given, else the contract under review, else the policy in
    force; checked (people in post, a supervisor, one open contract per kind, dates)."""
    import json

    from supervise.domain.policy.frequency import parse_frequency
    from supervise.domain.policy.organisation_policy import schedule_anchor
    from supervise.store.records.policies import current_policy
    from supervise.store.records.template_snapshots import snapshot

    with unit_of_work(store) as work:
        session = work.session
        policy, _ = current_policy(session)
        old = find_contract(session, replacing) if replacing else None
        chosen_supervisee = find_person(session, supervisee)
        chosen_supervisor = find_person(session, supervisor)
        kind = old.kind if old and not given.kind else policy.kind(given.kind).name
        start = given.start or work.now.date()
        anchor = schedule_anchor(chosen_supervisee.newly_qualified_on,
                                 chosen_supervisee.start_date)
        if given.frequency:
            freq, schedule, why = given.frequency, None, "as given"
        elif old is not None and old.schedule is None:
            freq, schedule, why = parse_frequency(old.frequency), None, "as before"
        else:
            freq, schedule, why = policy.frequency_for(kind, chosen_supervisee.role, anchor,
                                                       start)
        template_id = given.template or (
            snapshot(session, old.template_digest).id if old and old.kind == kind
            else policy.kind(kind).contract_template)
        chosen = templates.get(template_id or "ms-contract", kind="contract")
        terms = contracts.ContractTerms(
            supervisee=chosen_supervisee, supervisor=chosen_supervisor, kind=kind,
            frequency=freq, schedule=schedule, schedule_from=anchor, start=start,
            review=given.review or policy.review_on(start),
            duration=given.duration or (old.duration_minutes if old else None)
            or policy.kind(kind).duration,
            venue=given.venue or (old.venue if old else None), template=chosen, answers={})
        contracts.check_terms(session, terms, policy, work.now.date(), replacing=old)
        return Proposal(
            supervisee=chosen_supervisee.name, supervisor=chosen_supervisor.name, kind=kind,
            frequency=freq, schedule=schedule, why=why, schedule_from=anchor, start=start,
            review=terms.review, duration=terms.duration, venue=terms.venue, template=chosen,
            replacing=old.id if old else None,
            previous=json.loads(old.answers) if old else {})


@dataclass(frozen=True)
class Recorded:
    id: int
    review_on: date
    supersedes: int | None
    sign_before_session: int  # the policy's: both parties sign before this session


def record(store: Store, proposal: Proposal, answers: dict[str, Any]) -> Recorded:
    """Store the contract proposed, with the answers to its template's questions (people named
    in them must be in the store), under the policy in force."""
    from supervise.store.records.policies import policy_in_force

    with unit_of_work(store) as work:
        session = work.session
        old = find_contract(session, proposal.replacing) if proposal.replacing else None
        policy, policy_version = policy_in_force(work)
        answers = dict(answers)
        for section in proposal.template.sections:
            if section.type == "person" and section.id in answers:
                answers[section.id] = find_person(session, answers[section.id]).name
        terms = contracts.ContractTerms(
            supervisee=find_person(session, proposal.supervisee),
            supervisor=find_person(session, proposal.supervisor), kind=proposal.kind,
            frequency=proposal.frequency, schedule=proposal.schedule,
            schedule_from=proposal.schedule_from, start=proposal.start, review=proposal.review,
            duration=proposal.duration, venue=proposal.venue, template=proposal.template,
            answers=answers)
        contract = contracts.make_contract(work, terms, policy=policy,
                                           policy_version=policy_version, replacing=old)
        assert contract.id is not None
        return Recorded(contract.id, contract.review_on, old.id if old else None,
                        policy.sign_before_session)


def list_contracts(store: Store, *, supervisee: str | None,
                   include_closed: bool) -> list[ContractRow]:
    with unit_of_work(store) as work:
        today = work.now.date()
        person = find_person(work.session, supervisee) if supervisee else None
        return [contracts.contract_row(work.session, c, today)
                for c in contracts.list_contracts(work.session, today=today, supervisee=person,
                                                  include_closed=include_closed)]


def show_contract(store: Store, contract_id: str) -> ContractDetail:
    """The contract's row, with `answers`: each question of the template version it was made
    with, and its answer."""
    with unit_of_work(store) as work:
        contract = find_contract(work.session, contract_id)
        return {**contracts.contract_row(work.session, contract, work.now.date()),
                "answers": contracts.contract_answers(work.session, contract)}


def end_contract(store: Store, contract_id: str, *, on: date | None,
                 reason: str) -> tuple[int, date]:
    """End the contract on `on` (default: today); its number and the day it ended."""
    with unit_of_work(store) as work:
        day = on or work.now.date()
        contract = find_contract(work.session, contract_id)
        contracts.end_contract(work, contract, on=day, reason=reason)
        assert contract.id is not None
        return contract.id, day
