"""Supervision contracts (SPEC §2): made, reviewed (a new version superseding the old, which is
kept), ended. Rows are never changed; only one contract per supervisee and kind is open."""

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from supervise.domain.canonical import iso_utc
from supervise.domain.dates import iso_or_none
from supervise.domain.frequency import Frequency, Schedule
from supervise.domain.policy import Policy
from supervise.domain.templates import FIELD_TYPES, Template
from supervise.domain.text import clean_line
from supervise.errors import Hint, SuperviseError, UsageError
from supervise.store.db.tables import Contract, ContractEnd, Person, PolicyVersion
from supervise.store.integrity.audit_chain import append_event
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
    return [c for c in session.exec(query.order_by(Contract.id)) if is_open(session, c)]


def supervisor_in_force(session: Session, supervisee: Person) -> Person | None:
    """The supervisor of the supervisee's first open contract, if any."""
    contracts = open_contracts(session, supervisee)
    return session.get(Person, contracts[0].supervisor_id) if contracts else None


def check_terms(session: Session, terms: ContractTerms, policy: Policy, today: date,
                replacing: Contract | None = None) -> None:
    supervisee, supervisor = terms.supervisee, terms.supervisor
    if supervisee.id == supervisor.id:
        raise UsageError(f"{supervisee.name} cannot supervise themselves:",
                         Hint.of("another_supervisor"))
    for person in (supervisee, supervisor):
        if person.left_date and person.left_date <= terms.start:
            raise UsageError(f"{person.name} left on {person.left_date}: a contract needs "
                             f"people still in post.")
    if not supervisor.is_supervisor:
        raise UsageError(f"{supervisor.name} is not marked as a supervisor:",
                         Hint.of("mark_supervisor", person=supervisor.name))
    policy.kind(terms.kind)
    if terms.review <= terms.start:
        raise UsageError(f"The review date {terms.review} is not after the start {terms.start}:",
                         Hint.of("later_review_date"))
    if replacing and not is_open(session, replacing):
        after = successor(session, replacing)
        if after:
            raise SuperviseError(f"Contract {replacing.id} is superseded by contract {after.id}: "
                                 f"review contract {after.id} instead.")
        raise SuperviseError(f"Contract {replacing.id} has ended:", Hint.of("new_contract"))
    if replacing and terms.start < replacing.start_on:
        raise UsageError(f"A review cannot start ({terms.start}) before the contract it "
                         f"replaces ({replacing.start_on}).")
    for other in open_contracts(session, supervisee, terms.kind):
        if replacing is None or other.id != replacing.id:
            state = "in force" if other.start_on <= today else "agreed"
            raise SuperviseError(
                f"{supervisee.name} already has a {terms.kind} contract {state} (contract "
                f"{other.id}, from {other.start_on}): only one per supervisee and kind.",
                Hint.of("review_or_end_contract", contract=other.id))


def make_contract(session: Session, terms: ContractTerms, *, policy: Policy,
                  policy_version: int, now: datetime, actor: str,
                  replacing: Contract | None = None) -> Contract:
    check_terms(session, terms, policy, now.date(), replacing)
    template_digest = keep_snapshot(session, terms.template, now)
    last = session.exec(select(Contract).order_by(Contract.id.desc()).limit(1)).first()
    contract = Contract(
        id=(last.id if last else 0) + 1,
        supervisee_id=terms.supervisee.id, supervisor_id=terms.supervisor.id, kind=terms.kind,
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
    append_event(session, now=now, actor=actor,
                 action="contract.review" if replacing else "contract.new",
                 record_type="contract", record_id=str(contract.id), digest=contract.digest,
                 detail={"supersedes": replacing.id} if replacing else {})
    return contract


def end_contract(session: Session, contract: Contract, *, on: date, reason: str,
                 now: datetime, actor: str) -> ContractEnd:
    if not is_open(session, contract):
        raise SuperviseError(f"Contract {contract.id} is already {status(session, contract, on)}"
                             f"; nothing was changed.")
    if on < contract.start_on and contract.start_on <= now.date():
        raise UsageError(f"Contract {contract.id} started on {contract.start_on}; it cannot end "
                         "before that", Hint.of("ending_date_given", date=on))
    if on > now.date():
        raise UsageError(f"{on} is in the future: end a contract on or before today.")
    end = ContractEnd(contract_id=contract.id, ended_on=on,
                      reason=clean_line(reason, "reason"), recorded_at=iso_utc(now),
                      recorded_by=actor)
    session.add(end)
    session.flush()
    append_event(session, now=now, actor=actor, action="contract.end", record_type="contract",
                 record_id=str(contract.id), digest=contract.digest,
                 detail={"ended_on": on.isoformat()})
    return end


def status(session: Session, contract: Contract, today: date) -> str:
    return _status(contract, ending(session, contract), successor(session, contract), today)


def _status(contract: Contract, end: ContractEnd | None, after: Contract | None,
            today: date) -> str:
    """superseded (from its review's start), ended, withdrawn (ended before it started), not yet
    in force, review due, or in force."""
    if after is not None and after.start_on <= today:
        return "superseded"
    if end is not None:
        return "withdrawn" if end.ended_on < contract.start_on else "ended"
    if contract.start_on > today:
        return "not yet in force"
    return "review due" if contract.review_on <= today else "in force"


def contract_row(session: Session, contract: Contract, today: date) -> dict[str, Any]:
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
    query = select(Contract).order_by(Contract.id)
    if supervisee is not None:
        query = query.where(Contract.supervisee_id == supervisee.id)
    contracts = list(session.exec(query))
    if include_closed:
        return contracts
    return [c for c in contracts
            if status(session, c, today) not in ("superseded", "ended", "withdrawn")]
