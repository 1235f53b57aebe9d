"""SQLModel tables. The schema itself is created by migrations (schema.py); a test keeps the two
in step."""

from datetime import date
from typing import Optional, Protocol

from sqlmodel import Field, SQLModel


class StoreMeta(SQLModel, table=True):
    __tablename__ = "store_meta"

    key: str = Field(primary_key=True)
    value: str


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True, index=True)
    role: str
    team: Optional[str] = None
    start_date: Optional[date] = None
    left_date: Optional[date] = None
    requires_supervision: bool = True
    is_supervisor: bool = False
    supervisor_trained_on: Optional[date] = None
    supervisor_since: Optional[date] = None
    newly_qualified_on: Optional[date] = None
    custodian: bool = False
    created_at: str
    updated_at: str


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    seq: Optional[int] = Field(default=None, primary_key=True)
    at: str
    actor: str
    action: str
    record_type: Optional[str] = None
    record_id: Optional[str] = None
    digest: Optional[str] = None
    detail: str = "{}"
    prev_hash: str
    hash: str


class TemplateSnapshot(SQLModel, table=True):
    """The exact text of a template version some record was made with (never changed)."""

    __tablename__ = "template_snapshot"

    digest: str = Field(primary_key=True)
    template_id: str
    version: int
    kind: str
    title: str
    text: str
    stored_at: str


class PolicyVersion(SQLModel, table=True):
    """Every policy the store has enforced, in order; the highest version is in force."""

    __tablename__ = "policy_version"

    version: Optional[int] = Field(default=None, primary_key=True)
    profile: str
    title: str
    text: str
    digest: str
    set_at: str
    set_by: str


class Contract(SQLModel, table=True):
    """A supervision contract. Never changed once made: a review makes a new one that
    `supersedes` it, and ending it is a ContractEnd."""

    __tablename__ = "contract"

    id: Optional[int] = Field(default=None, primary_key=True)
    supervisee_id: int = Field(foreign_key="person.id")
    supervisor_id: int = Field(foreign_key="person.id")
    kind: str
    frequency: str
    schedule: Optional[str] = None
    schedule_from: Optional[date] = None
    duration_minutes: Optional[int] = None
    venue: Optional[str] = None
    start_on: date
    review_on: date
    template_digest: str = Field(foreign_key="template_snapshot.digest")
    answers: str = "{}"
    supersedes_id: Optional[int] = Field(default=None, foreign_key="contract.id", unique=True)
    policy_version: int = Field(foreign_key="policy_version.version")
    created_at: str
    created_by: str
    digest: str


class ContractEnd(SQLModel, table=True):
    __tablename__ = "contract_end"

    contract_id: int = Field(primary_key=True, foreign_key="contract.id")
    ended_on: date
    reason: str
    recorded_at: str
    recorded_by: str


class Family(SQLModel, table=True):
    __tablename__ = "family"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)
    created_at: str


class Child(SQLModel, table=True):
    """The case register: a child's status is its current one; changes are recorded with the
    session (case discussion) that noted them."""

    __tablename__ = "child"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(index=True)
    dob: Optional[date] = None
    local_ref: Optional[str] = None
    family_id: Optional[int] = Field(default=None, foreign_key="family.id")
    status: str = "none"
    status_since: Optional[date] = None
    created_at: str
    updated_at: str


class SessionRecord(SQLModel, table=True):
    """One supervision meeting: draft (autosaved) -> completed -> signed."""

    __tablename__ = "session_record"

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str
    status: str = "draft"
    template_digest: str = Field(foreign_key="template_snapshot.digest")
    supervisor_id: int = Field(foreign_key="person.id")
    contract_id: Optional[int] = Field(default=None, foreign_key="contract.id")
    held_on: date = Field(index=True)
    start_time: Optional[str] = None
    duration_minutes: Optional[int] = None
    next_meeting: Optional[date] = None
    policy_version: int = Field(foreign_key="policy_version.version")
    late_entry: bool = False
    created_at: str
    created_by: str
    updated_at: str
    completed_at: Optional[str] = None
    digest: Optional[str] = None


class SessionSupervisee(SQLModel, table=True):
    __tablename__ = "session_supervisee"

    session_id: int = Field(primary_key=True, foreign_key="session_record.id")
    person_id: int = Field(primary_key=True, foreign_key="person.id", index=True)


class SessionAnswer(SQLModel, table=True):
    """One agenda answer, saved the moment it is given (autosave)."""

    __tablename__ = "session_answer"

    session_id: int = Field(primary_key=True, foreign_key="session_record.id")
    section_id: str = Field(primary_key=True)
    value: str  # JSON
    saved_at: str


class CaseDiscussion(SQLModel, table=True):
    __tablename__ = "case_discussion"

    id: Optional[int] = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session_record.id")
    position: int
    family_id: int = Field(foreign_key="family.id")
    status: str
    answers: str = "{}"  # JSON
    saved_at: str


class CaseChild(SQLModel, table=True):
    __tablename__ = "case_child"

    case_id: int = Field(primary_key=True, foreign_key="case_discussion.id")
    child_id: int = Field(primary_key=True, foreign_key="child.id", index=True)


class Decision(SQLModel, table=True):
    __tablename__ = "decision"

    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_discussion.id", unique=True)
    template_digest: str = Field(foreign_key="template_snapshot.digest")
    answers: str = "{}"
    saved_at: str


class ActionItem(SQLModel, table=True):
    __tablename__ = "action_item"

    id: Optional[int] = Field(default=None, primary_key=True)
    text: str
    owner_id: int = Field(foreign_key="person.id")
    due_on: date
    agreed_due_on: Optional[date] = None  # as agreed in the session; due_on follows reschedules
    session_id: int = Field(foreign_key="session_record.id")
    case_id: Optional[int] = Field(default=None, foreign_key="case_discussion.id")
    status: str = "open"
    created_at: str
    updated_at: str


class ActionReview(SQLModel, table=True):
    """Every review of an action, in a session or not: its history is never rewritten."""

    __tablename__ = "action_review"

    id: Optional[int] = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action_item.id", index=True)
    session_id: Optional[int] = Field(default=None, foreign_key="session_record.id")
    outcome: str  # done, carried, dropped, rescheduled
    note: str = ""
    due_before: Optional[date] = None
    due_after: Optional[date] = None
    reviewed_at: str
    reviewed_by: str


class Cancellation(SQLModel, table=True):
    """A meeting that did not happen; the cancelling party owns the rebooking."""

    __tablename__ = "cancellation"

    id: Optional[int] = Field(default=None, primary_key=True)
    supervisee_id: int = Field(foreign_key="person.id")
    supervisor_id: Optional[int] = Field(default=None, foreign_key="person.id")
    meeting_on: date
    cancelled_by: str
    reason: str
    rebooked_on: Optional[date] = None
    recorded_at: str
    recorded_by: str


class SigningKey(SQLModel, table=True):
    """A person's Ed25519 key. The private half is wrapped: by their key slot's private key (a
    custodian, so their store passphrase opens it) or by a passphrase set at `person enrol`.
    A person's current key is their newest; older ones stay to verify older signatures."""

    __tablename__ = "signing_key"

    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    public_key: str = Field(unique=True)  # base64 of the raw 32 bytes
    fingerprint: str
    protection: str  # store-slot | passphrase
    slot_public: Optional[str] = None
    kdf: Optional[str] = None  # JSON
    wrapped: str  # JSON
    created_at: str
    created_by: str


class Signature(SQLModel, table=True):
    """One party's signature over a record's digest (SPEC §2). Append-only."""

    __tablename__ = "signature"

    id: Optional[int] = Field(default=None, primary_key=True)
    record_type: str
    record_id: int
    digest: str
    signer_id: int = Field(foreign_key="person.id")
    signer_name: str  # as signed: a later correction of the name does not change it
    role: str
    method: str  # key | typed
    comment: Optional[str] = None
    witness_id: Optional[int] = Field(default=None, foreign_key="person.id")
    witness_name: Optional[str] = None
    key_id: int = Field(foreign_key="signing_key.id")
    public_key: str
    signed_at: str
    signature: str  # base64


class Amendment(SQLModel, table=True):
    """A correction to a completed record, which itself stays as it was. Append-only."""

    __tablename__ = "amendment"

    id: Optional[int] = Field(default=None, primary_key=True)
    record_type: str
    record_id: int
    number: int
    amends_digest: str
    section: Optional[str] = None
    case_position: Optional[int] = None
    previous: str  # JSON: the text it corrects
    text: str
    reason: str
    author_id: int = Field(foreign_key="person.id")
    created_at: str
    digest: str


class _Numbered(Protocol):
    @property
    def id(self) -> Optional[int]: ...


def id_of(row: _Numbered) -> int:
    """A row's number. The database gives it when the row is first flushed, so every row read
    from the store or added and flushed has one; a row without is a mistake in the code."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id before it is flushed")
    return row.id
