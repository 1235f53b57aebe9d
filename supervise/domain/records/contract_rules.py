"""The rules a contract is held to (SPEC §2), pure: who may be its parties, its dates, one open
contract per supervisee and kind, when it may end, and what state it is in on a day. The store
gathers the facts (the people, the contract it replaces, the open ones), asks these, and writes
only when there is no problem."""

from dataclasses import dataclass
from datetime import date

from supervise.domain.policy.organisation_policy import Policy
from supervise.errors import Hint, SuperviseError, UsageError


@dataclass(frozen=True)
class Party:
    """A supervisee or supervisor as the rules see them."""

    id: int | None
    name: str
    left_date: date | None
    is_supervisor: bool


@dataclass(frozen=True)
class Replaced:
    """The contract a review replaces: still open unless it has a successor or an ending."""

    id: int | None
    start_on: date
    successor: int | None
    ended: bool


@dataclass(frozen=True)
class OpenContract:
    """Another open contract of the same supervisee and kind."""

    id: int | None
    start_on: date


def term_problems(*, supervisee: Party, supervisor: Party, kind: str, start: date, review: date,
                  policy: Policy, today: date, replacing: Replaced | None,
                  open_of_kind: list[OpenContract]) -> list[SuperviseError]:
    """What is wrong with a new contract (or a review), in the order it is told."""
    problems: list[SuperviseError] = []
    if supervisee.id == supervisor.id:
        problems.append(UsageError(f"{supervisee.name} cannot supervise themselves:",
                                   Hint.of("another_supervisor")))
    for person in (supervisee, supervisor):
        if person.left_date and person.left_date <= start:
            problems.append(UsageError(f"{person.name} left on {person.left_date}: a contract "
                                       f"needs people still in post."))
    if not supervisor.is_supervisor:
        problems.append(UsageError(f"{supervisor.name} is not marked as a supervisor:",
                                   Hint.of("mark_supervisor", person=supervisor.name)))
    try:
        policy.kind(kind)
    except SuperviseError as unknown:
        problems.append(unknown)
    if review <= start:
        problems.append(UsageError(f"The review date {review} is not after the start {start}:",
                                   Hint.of("later_review_date")))
    if replacing and replacing.successor is not None:
        problems.append(SuperviseError(
            f"Contract {replacing.id} is superseded by contract {replacing.successor}: review "
            f"contract {replacing.successor} instead."))
    elif replacing and replacing.ended:
        problems.append(SuperviseError(f"Contract {replacing.id} has ended:",
                                       Hint.of("new_contract")))
    if replacing and start < replacing.start_on:
        problems.append(UsageError(f"A review cannot start ({start}) before the contract it "
                                   f"replaces ({replacing.start_on})."))
    for other in open_of_kind:
        if replacing is None or other.id != replacing.id:
            state = "in force" if other.start_on <= today else "agreed"
            problems.append(SuperviseError(
                f"{supervisee.name} already has a {kind} contract {state} (contract "
                f"{other.id}, from {other.start_on}): only one per supervisee and kind.",
                Hint.of("review_or_end_contract", contract=other.id)))
            break
    return problems


def ending_problems(*, contract_id: int | None, start_on: date, closed_as: str | None, on: date,
                    today: date) -> list[SuperviseError]:
    """What stops a contract ending on `on`: it is closed already (`closed_as`, its state), the
    day is before a start already past, or the day is still to come."""
    problems: list[SuperviseError] = []
    if closed_as is not None:
        problems.append(SuperviseError(f"Contract {contract_id} is already {closed_as}; nothing "
                                       f"was changed."))
    if on < start_on and start_on <= today:
        problems.append(UsageError(f"Contract {contract_id} started on {start_on}; it cannot "
                                   "end before that", Hint.of("ending_date_given", date=on)))
    if on > today:
        problems.append(UsageError(f"{on} is in the future: end a contract on or before today."))
    return problems


def contract_state(*, start_on: date, review_on: date, ended_on: date | None,
                   superseded_from: date | None, today: date) -> str:
    """superseded (from its review's start), ended, withdrawn (ended before it started), not yet
    in force, review due, or in force."""
    if superseded_from is not None and superseded_from <= today:
        return "superseded"
    if ended_on is not None:
        return "withdrawn" if ended_on < start_on else "ended"
    if start_on > today:
        return "not yet in force"
    return "review due" if review_on <= today else "in force"
