"""What a whole session given to the bulk path (bulk.py) holds, and what it gives back."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from supervise.domain.policy.templates import Template
from supervise.store.db.tables import Person


@dataclass
class CaseIn:
    """A case discussion: its family (by id; None for no one family), the children discussed
    (register ids) and the status the discussion records for them."""

    family_id: int | None
    child_ids: list[int]
    status: str
    answers: dict[str, Any]
    decision: dict[str, Any] | None = None  # the decision record's answers, if one was made


@dataclass
class ActionIn:
    text: str
    owner: Person
    due: date
    case: int | None = None  # the position of the case it is about
    item: str | None = None
    notes: str | None = None


@dataclass
class ReviewIn:
    action_id: int
    outcome: str
    note: str
    due: date | None = None


@dataclass
class SessionIn:
    template: Template
    kind: str
    supervisor: Person
    supervisees: list[Person]
    held_on: date
    start_time: str | None
    duration: int | None
    contract_id: int | None
    answers: dict[str, Any]
    next_meeting: date | None = None
    cases: list[CaseIn] = field(default_factory=list)
    reviews: list[ReviewIn] = field(default_factory=list)
    actions: list[ActionIn] = field(default_factory=list)
    draft: bool = False  # written up part of the way: left a draft


@dataclass
class Written:
    session_id: int
    digest: str | None  # None for a draft
    action_ids: list[int]
    decisions: list[tuple[int, str]]  # each decision record's id and digest
