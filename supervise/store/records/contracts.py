"""Supervision contracts (SPEC §2): made, reviewed (a new version superseding the old, which is
kept), ended. Rows are never changed; only one contract per supervisee and kind is open."""

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from supervise.domain.dates import iso_or_none
from supervise.domain.policy.frequency import Frequency, Schedule
from supervise.domain.policy.organisation_policy import Policy
from supervise.domain.policy.templates import FIELD_TYPES, Template
from supervise.domain.records.canonical import iso_utc
from supervise.domain.records.contract_rules import (
    OpenContract,
    Party,
    Replaced,
    contract_state,
    ending_problems,
    term_problems,
)
from supervise.domain.rows import ContractRow
from supervise.domain.text import clean_line
from supervise.store.db.tables import Contract, ContractEnd, Person, PolicyVersion, id_of
from supervise.store.db.writing import Writing
from supervise.store.integrity.audit_append import append_event
from supervise.store.records.amendments import evidence
from supervise.store.records.content import contract_content
from supervise.store.records.template_snapshots import keep_snapshot, snapshot


@dataclass
class ContractTerms:
    """What a new contract (or a review) says, checked before anything is stored."""

    supervisee: Person
    supervisor: Person
    kind: str
    frequency: Frequency
    schedule: Schedule | None
    schedule_from: date | None
    start: date
    review: date
    duration: int | None
    venue: str | None
    template: Template
    answers: dict[str, Any]


def ending(session: Session, contract: Contract) -> ContractEnd | None:
    return session.get(ContractEnd, contract.id)


def successor(session: Session, contract: Contract) -> Contract | None:
    return session.exec(select(Contract).where(Contract.supersedes_id == contract.id)).first()


def is_open(session: Session, contract: Contract) -> bool:
    return ending(session, contract) is None and successor(session, contract) is None


def open_contracts(session: Session, supervisee: Person, kind: str | None = None) -> list[Contract]:
    query = select(Contract).where(Contract.supervisee_id == supervisee.id)
    if kind:
        query = query.where(Contract.kind == kind)
    return [c for c in session.exec(query.order_by(col(Contract.id))) if is_open(session, c)]


def supervisor_in_force(session: Session, supervisee: Person) -> Person | None:
    """The supervisor of the supervisee's first open contract, if any."""
    contracts = open_contracts(session, supervisee)
    return session.get(Person, contracts[0].supervisor_id) if contracts else None


def check_terms(session: Session, terms: ContractTerms, policy: Policy, today: date,
                replacing: Contract | None = None) -> None:
    """The rules (domain/contract_rules.py) over the facts read here; the first problem is
    raised."""
    replaced = None
    if replacing is not None:
        after = successor(session, replacing)
        replaced = Replaced(replacing.id, replacing.start_on, after.id if after else None,
                            ending(session, replacing) is not None)
    problems = term_problems(
        supervisee=_party(terms.supervisee), supervisor=_party(terms.supervisor),
        kind=terms.kind, start=terms.start, review=terms.review, policy=policy, today=today,
        replacing=replaced,
        open_of_kind=[OpenContract(c.id, c.start_on)
                      for c in open_contracts(session, terms.supervisee, terms.kind)])
    if problems:
        raise problems[0]


def _party(person: Person) -> Party:
    return Party(person.id, person.name, person.left_date, person.is_supervisor)


def make_contract(work: Writing, terms: ContractTerms, *, policy: Policy,
                  policy_version: int, replacing: Contract | None = None) -> Contract:
    session, now, actor = work.session, work.now, work.actor
    check_terms(session, terms, policy, now.date(), replacing)
    template_digest = keep_snapshot(session, terms.template, now)
    last = session.exec(select(Contract).order_by(col(Contract.id).desc()).limit(1)).first()
    contract = Contract(
        id=(id_of(last) if last else 0) + 1,
        supervisee_id=id_of(terms.supervisee), supervisor_id=id_of(terms.supervisor),
        kind=terms.kind,
        frequency=str(terms.frequency),
        schedule=terms.schedule.name if terms.schedule else None,
        schedule_from=terms.schedule_from if terms.schedule else None,
        duration_minutes=terms.duration, venue=terms.venue, start_on=terms.start,
        review_on=terms.review, template_digest=template_digest,
        answers=json.dumps(terms.answers, ensure_ascii=False, sort_keys=True),
        supersedes_id=replacing.id if replacing else None, policy_version=policy_version,
        created_at=iso_utc(now), created_by=actor, digest="",
    )
    contract.digest = contract_content(session, contract).digest
    session.add(contract)
    session.flush()
    append_event(work, action="contract.review" if replacing else "contract.new",
                 record_type="contract", record_id=str(contract.id), digest=contract.digest,
                 detail={"supersedes": replacing.id} if replacing else {})
    return contract


def end_contract(work: Writing, contract: Contract, *, on: date, reason: str,
                 ) -> ContractEnd:
    session, now, actor = work.session, work.now, work.actor
    problems = ending_problems(
        contract_id=contract.id, start_on=contract.start_on,
        closed_as=None if is_open(session, contract) else status(session, contract, on),
        on=on, today=now.date())
    if problems:
        raise problems[0]
    end = ContractEnd(contract_id=id_of(contract), ended_on=on,
                      reason=clean_line(reason, "reason"), recorded_at=iso_utc(now),
                      recorded_by=actor)
    session.add(end)
    session.flush()
    append_event(work, action="contract.end", record_type="contract",
                 record_id=str(contract.id), digest=contract.digest,
                 detail={"ended_on": on.isoformat()})
    return end


def status(session: Session, contract: Contract, today: date) -> str:
    return _status(contract, ending(session, contract), successor(session, contract), today)


def _status(contract: Contract, end: ContractEnd | None, after: Contract | None,
            today: date) -> str:
    return contract_state(start_on=contract.start_on, review_on=contract.review_on,
                          ended_on=end.ended_on if end else None,
                          superseded_from=after.start_on if after else None, today=today)


def contract_row(session: Session, contract: Contract, today: date) -> ContractRow:
    """The one shape every output (table, JSON, show) is built from."""
    supervisee = session.get(Person, contract.supervisee_id)
    supervisor = session.get(Person, contract.supervisor_id)
    template = snapshot(session, contract.template_digest)
    end, after = ending(session, contract), successor(session, contract)
    policy = session.get(PolicyVersion, contract.policy_version)
    return {
        "id": contract.id,
        "supervisee": supervisee.name if supervisee else None,
        "supervisor": supervisor.name if supervisor else None,
        "kind": contract.kind,
        "frequency": contract.frequency,
        "schedule": contract.schedule,
        "schedule_from": iso_or_none(contract.schedule_from),
        "start": contract.start_on.isoformat(),
        "review": contract.review_on.isoformat(),
        "status": _status(contract, end, after, today),
        "duration_minutes": contract.duration_minutes,
        "venue": contract.venue,
        "template": template.id,
        "template_version": template.version,
        "policy": policy.profile if policy else None,
        "policy_version": contract.policy_version,
        "supersedes": contract.supersedes_id,
        "superseded_by": after.id if after else None,
        "ended_on": iso_or_none(end.ended_on) if end else None,
        "end_reason": end.reason if end else None,
        "digest": contract.digest,
        **evidence(session, "contract", contract),
    }


def contract_answers(session: Session, contract: Contract) -> list[dict[str, Any]]:
    """Each question of the template version the contract was made with, and its answer."""
    template = snapshot(session, contract.template_digest)
    answers = json.loads(contract.answers)
    return [{"id": s.id, "question": s.title, "answer": answers.get(s.id)}
            for s in template.sections if s.type in FIELD_TYPES]


def list_contracts(session: Session, *, today: date, supervisee: Person | None = None,
                   include_closed: bool = False) -> list[Contract]:
    query = select(Contract).order_by(col(Contract.id))
    if supervisee is not None:
        query = query.where(Contract.supervisee_id == supervisee.id)
    contracts = list(session.exec(query))
    if include_closed:
        return contracts
    return [c for c in contracts
            if status(session, c, today) not in ("superseded", "ended", "withdrawn")]
