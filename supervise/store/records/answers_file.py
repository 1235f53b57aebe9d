"""Recording a whole session at once from an answers file (SPEC §5): every name, action and
date is resolved first, every problem listed together, and only then is anything written."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from supervise.domain.answers import Problems
from supervise.domain.policy.organisation_policy import Policy
from supervise.domain.policy.templates import Template
from supervise.domain.records.session_file import ActionAnswer, SessionAnswers
from supervise.errors import Hint, SuperviseError
from supervise.store.db.tables import ActionItem, Contract, Person, id_of
from supervise.store.db.writing import Writing
from supervise.store.records.children import match_for_case, near_child_problem
from supervise.store.records.contracts import open_contracts
from supervise.store.records.people import find_person
from supervise.store.records.sessions import (
    add_action,
    complete,
    find_action,
    open_actions_for,
    review_action,
    save_answer,
    save_case,
    save_decision,
    start_draft,
)


@dataclass
class Resolved:
    supervisor: Person
    supervisees: list[Person]
    contract: Contract | None
    owners: list[Person | None]
    reviewed: list[ActionItem | None]


def _person(session: Session, name: str | None, where: str, problems: Problems) -> Person | None:
    if name is None:
        return None
    try:
        return find_person(session, name)
    except SuperviseError as error:
        problems.add(where, error)
        return None


def _owner(session: Session, action: ActionAnswer, where: str,
           problems: Problems) -> Person | None:
    """A member of staff who owns an action; None for a named contact (owner_role given), who
    is no one on the staff list."""
    if action.owner_role is not None:
        try:
            staff = find_person(session, action.owner)
        except SuperviseError:
            return None
        problems.add(f"{where}.owner_role", f"{staff.name} is on the staff list: remove "
                                            "owner_role for a member of staff")
        return None
    try:
        return find_person(session, action.owner)
    except SuperviseError as error:
        problems.add(f"{where}.owner", f"{error.message} For someone not on the staff list "
                                       "(a social worker, a parent), add owner_role = \"…\" "
                                       "(their role or organisation)")
        return None


def contract_for(session: Session, supervisee: Person, policy: Policy,
                 template_id: str | None) -> Contract | None:
    """The supervisee's contract in force that this session belongs to: the one whose kind
    uses this template, else the policy's default kind, else the only one."""
    contracts = open_contracts(session, supervisee)
    for contract in contracts:
        kind = policy.kinds.get(contract.kind)
        if template_id and kind and kind.session_template == template_id:
            return contract
    for contract in contracts:
        if contract.kind == policy.default_kind:
            return contract
    return contracts[0] if len(contracts) == 1 else None


def session_template_id(policy: Policy, contract: Contract | None, given: str | None) -> str:
    """The agenda a session uses: the one asked for, else the one its contract's kind uses,
    else the policy's default kind's."""
    kind = policy.kinds.get(contract.kind) if contract else policy.kind(None)
    return given or (kind.session_template if kind else None) or "ms-supervision-record"


def resolve(session: Session, parsed: SessionAnswers, *, policy: Policy, template: Template,
            actor: str, problems: Problems) -> Resolved | None:
    supervisees = [p for i, name in enumerate(parsed.supervisees, start=1)
                   if (p := _person(session, name, f"supervisees[{i}]", problems))]
    if not parsed.supervisees:
        problems.add("supervisees", 'name who was supervised, e.g. supervisees = ["Sam Taylor"]')
    contract = contract_for(session, supervisees[0], policy, template.id) \
        if supervisees else None
    supervisor = _person(session, parsed.supervisor, "supervisor", problems)
    if supervisor is None and parsed.supervisor is None:
        supervisor = session.get(Person, contract.supervisor_id) if contract else \
            _person(session, actor, "supervisor", problems)
    owners = [_owner(session, a, f"actions[{i}]", problems)
              for i, a in enumerate(parsed.actions, start=1)]
    reviewed: list[ActionItem | None] = []
    eligible = {a.id for a in open_actions_for(session, supervisees, on=parsed.held_on)}
    for i, review in enumerate(parsed.reviews, start=1):
        try:
            action = find_action(session, review.action)
            if action.status != "open":
                problems.add(f"action_review[{i}].action", f"action {action.id} is already "
                                                           f"{action.status}")
            elif action.id not in eligible:
                problems.add(f"action_review[{i}].action", f"action {action.id} was not agreed "
                             f"with these supervisees by {parsed.held_on}")
            reviewed.append(action)
        except SuperviseError as error:
            problems.add(f"action_review[{i}].action", error)
            reviewed.append(None)
    for i, case in enumerate(parsed.cases, start=1):
        for j, child in enumerate(case.children, start=1):
            where = f"cases[{i}].children[{j}]"
            dob = date.fromisoformat(child["dob"]) if child.get("dob") else None
            try:
                known = match_for_case(session, str(child["name"]), dob)
            except SuperviseError as error:
                problems.add(where, error)
                continue
            if known is None and not child.get("new"):
                near = near_child_problem(session, str(child["name"]), dob, case.family,
                                          Hint.of("say_new_child_in_file",
                                                  name=str(child["name"])))
                if near is not None:
                    problems.add(where, near)
            if known is not None and child.get("ref") and known.local_ref and \
                    known.local_ref != child["ref"]:
                problems.add(f"{where}.ref", f"{known.name} has the local reference "
                                             f"{known.local_ref} on the register, not "
                                             f"{child['ref']}: check which child this is")
    if "concern_lead" in parsed.group:
        lead = _person(session, parsed.group["concern_lead"], "concern_lead", problems)
        if lead:
            parsed.group["concern_lead"] = lead.name
    for section in template.sections:
        if section.type == "person" and section.id in parsed.answers:
            person = _person(session, parsed.answers[section.id], f"answers.{section.id}",
                             problems)
            if person:
                parsed.answers[section.id] = person.name
    if problems.items or supervisor is None:
        return None
    return Resolved(supervisor, supervisees, contract, owners, reviewed)


def record_session(work: Writing, parsed: SessionAnswers, *, template: Template,
                   decision_template: Template | None, policy: Policy, policy_version: int,
                   problems: Problems, origin: str) -> int:
    """Store the whole session, completed; nothing at all if there is any problem."""
    session, now, actor = work.session, work.now, work.actor
    found = resolve(session, parsed, policy=policy, template=template, actor=actor,
                    problems=problems)
    problems.raise_if_any(origin)
    assert found is not None
    record = start_draft(
        work, template=template, kind=parsed.kind, supervisor=found.supervisor,
        supervisees=found.supervisees, held_on=parsed.held_on, start_time=parsed.time,
        duration=parsed.duration, contract_id=found.contract.id if found.contract else None,
        policy=policy, policy_version=policy_version)
    for section_id, value in {**parsed.group, **parsed.answers}.items():
        save_answer(session, record, section_id, value, now)
    cases = []
    for position, case in enumerate(parsed.cases, start=1):
        saved = save_case(work, record, position=position, family=case.family,
                          children=case.children, status=case.status, answers=case.answers)
        if case.decision is not None and decision_template is not None:
            save_decision(session, saved, decision_template, case.decision, now)
        cases.append(saved)
    for review, action in zip(parsed.reviews, found.reviewed, strict=True):
        assert action is not None
        review_action(work, action, outcome=review.outcome, note=review.note, record=record,
                      due=review.due)
    for raised, owner in zip(parsed.actions, found.owners, strict=True):
        add_action(session, record, text=raised.text, owner=owner, due=raised.due,
                   case=cases[raised.case - 1] if raised.case else None, now=now,
                   contact=raised.owner if owner is None else None,
                   role=raised.owner_role if owner is None else None, item=raised.item,
                   notes=raised.notes)
    record.next_meeting = parsed.next_meeting
    complete(work, record, policy=policy)
    return id_of(record)
