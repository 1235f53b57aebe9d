"""The rows records are shown as: the one shape each listing's table, `--json` and `show` are
built from. The store fills them inside its transaction (no database row leaves it); the
application passes them up; the CLI prints them. Dates are ISO strings, moments ISO UTC, so a
row is already what `--json` writes."""

from typing import Any, TypedDict


class SignatureRow(TypedDict):
    name: str
    role: str
    signed_at: str
    date: str
    method: str
    comment: str | None
    digest: str
    public_key: str
    key: str


class SigningSummary(TypedDict):
    """Whether a record is signed, each signature, and who has still to sign."""

    signed: bool
    signatures: list[SignatureRow]
    awaiting: list[str]


class AmendmentRow(SigningSummary):
    number: int
    id: int | None
    section: str | None
    question: str | None
    case: int | None
    previous: Any  # the text it corrects, as the record held it
    text: str
    reason: str
    author: str
    at: str
    amends_digest: str
    digest: str


class Evidence(SigningSummary):
    """What every view and export shows beside a record: its signing and its amendments."""

    amendments: list[AmendmentRow]


class PersonRow(TypedDict):
    name: str
    role: str
    team: str | None
    start_date: str | None
    left_date: str | None
    status: str
    requires_supervision: bool
    supervisor: bool
    supervisor_since: str | None
    supervisor_trained_on: str | None
    newly_qualified_on: str | None
    custodian: bool


class ChildRow(TypedDict):
    id: int | None
    name: str
    dob: str | None
    ref: str | None
    family: str | None
    status: str
    status_since: str | None


class SessionSeen(TypedDict):
    id: int | None
    held_on: str
    status: str


class ChildDetail(ChildRow):
    sessions: list[SessionSeen]  # each session that discussed the child


class ContractRow(Evidence):
    id: int | None
    supervisee: str | None
    supervisor: str | None
    kind: str
    frequency: str
    schedule: str | None
    schedule_from: str | None
    start: str
    review: str
    status: str
    duration_minutes: int | None
    venue: str | None
    template: str
    template_version: int
    policy: str | None
    policy_version: int
    supersedes: int | None
    superseded_by: int | None
    ended_on: str | None
    end_reason: str | None
    digest: str


class ContractDetail(ContractRow):
    answers: list[dict[str, Any]]  # each question of its template version, and its answer


class CancellationRow(TypedDict):
    id: int | None
    supervisee: str | None
    supervisor: str | None
    meeting_on: str
    cancelled_by: str
    reason: str
    rebooked_on: str | None


class SessionRow(TypedDict):
    id: int | None
    held_on: str
    time: str | None
    kind: str
    supervisor: str
    supervisees: list[str]
    status: str
    late_entry: bool
    recorded_at: str
    completed_at: str | None
    duration_minutes: int | None
    next_meeting: str | None
    template: str
    template_version: int
    contract: int | None
    functions: Any
    digest: str | None


class ChildNamed(TypedDict):
    name: str
    dob: str | None


class ChildInCase(ChildNamed, total=False):
    """A child of a case discussion: in records made since each child has their own, their
    status in it, since when (the plan's start, as given) and their local reference."""

    status: str
    since: str | None
    ref: str | None


class ActionReviewRow(TypedDict):
    session: int | None
    outcome: str
    note: str
    due_before: str | None
    due_after: str | None
    at: str


class ActionRow(TypedDict):
    id: int | None
    text: str
    owner: str  # a member of staff's name, or a contact's name and role
    staff_owner: bool  # False: owned by a named contact, not on the staff list
    case: int | None  # the case discussion (its position in the session) it is about
    item: str | None  # the agenda item (section id) it was agreed under
    notes: str | None  # the note of the discussion it came from
    due: str
    status: str
    overdue: bool
    session: int
    reviews: list[ActionReviewRow]


class SessionDetail(SessionRow, Evidence):
    """A whole session record, with the questions of the template version it was made with."""

    answers: list[dict[str, Any]]
    group: dict[str, Any]
    cases: list[dict[str, Any]]
    actions: list[ActionRow]
    reviews: list[dict[str, Any]]


class DecisionRow(Evidence):
    id: int | None
    session: int | None
    held_on: str
    family: str | None
    children: list[ChildInCase]
    supervisor: str
    supervisees: list[str]
    template: str
    answers: dict[str, Any]
    questions: list[dict[str, Any]]


class EventRow(TypedDict):
    seq: int | None
    at: str
    actor: str
    action: str
    record_type: str | None
    record_id: str | None
    digest: str | None
    detail: Any
    prev_hash: str
    hash: str
