"""The tables, written once: migrations create each table, index and column from these
declarations (ddl.py), and a test checks that a new store has the shape stores have always had."""

from datetime import date
from typing import Any, Optional, Protocol

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from supervise.domain.records.canonical import CANONICAL_VERSION

# Numbers handed out by these tables are never given again, even after a row is discarded
# (a discarded draft's number stays its own).
NEVER_REUSED: dict[str, Any] = {"sqlite_autoincrement": True}


def flag(default: bool) -> Any:
    """A yes/no column that the database fills in when a row leaves it out."""
    return Field(default=default, sa_column_kwargs={"server_default": text(str(int(default)))})


def canonical_version() -> Any:
    """How the record's digest is made (domain/records/canonical.py): a row made now takes the
    newest version; rows a store held before migration 10 were made under version 1."""
    return Field(default=CANONICAL_VERSION, sa_column_kwargs={"server_default": text("1")})


# store_meta's key for the secret that version 3 sentences' salts are keyed by (migration 13)
SALT_KEY = "sentence_salt_key"


class StoreMeta(SQLModel, table=True):
    __tablename__ = "store_meta"

    key: str = Field(primary_key=True)
    value: str


class Person(SQLModel, table=True):
    __tablename__ = "person"
    __table_args__ = (Index("ix_person_name_key", "name_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)
    role: str
    team: Optional[str] = None
    start_date: Optional[date] = None
    left_date: Optional[date] = None
    requires_supervision: bool = flag(True)
    is_supervisor: bool = flag(False)
    supervisor_trained_on: Optional[date] = None
    newly_qualified_on: Optional[date] = None
    custodian: bool = flag(False)
    created_at: str
    updated_at: str
    supervisor_since: Optional[date] = None  # added by migration 5


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
    __table_args__ = (
        Index("ix_contract_supervisee", "supervisee_id", "kind"),
        Index("ix_contract_terms", "supervisee_id", "supervisor_id", "kind", "frequency",
              "schedule", "schedule_from", "start_on", "review_on", "supersedes_id"),
    )

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
    canonical: int = canonical_version()


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
    __table_args__ = (Index("ix_child_name_key", "name_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    name_key: str
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
    __table_args__ = (
        Index("ix_session_held_on", "held_on"),
        Index("ix_session_status", "status", "held_on"),
        Index("ix_session_seen", "held_on", "status", "kind", "contract_id", "supervisor_id"),
        NEVER_REUSED,
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str
    status: str = "draft"
    template_digest: str = Field(foreign_key="template_snapshot.digest")
    supervisor_id: int = Field(foreign_key="person.id")
    contract_id: Optional[int] = Field(default=None, foreign_key="contract.id")
    held_on: date
    start_time: Optional[str] = None
    duration_minutes: Optional[int] = None
    next_meeting: Optional[date] = None
    policy_version: int = Field(foreign_key="policy_version.version")
    late_entry: bool = flag(False)
    created_at: str
    created_by: str
    updated_at: str
    completed_at: Optional[str] = None
    digest: Optional[str] = None
    canonical: int = canonical_version()


class SessionSupervisee(SQLModel, table=True):
    __tablename__ = "session_supervisee"
    __table_args__ = (Index("ix_session_supervisee_person", "person_id"),)

    session_id: int = Field(primary_key=True, foreign_key="session_record.id")
    person_id: int = Field(primary_key=True, foreign_key="person.id")


class SessionAnswer(SQLModel, table=True):
    """One agenda answer, saved the moment it is given (autosave)."""

    __tablename__ = "session_answer"

    session_id: int = Field(primary_key=True, foreign_key="session_record.id")
    section_id: str = Field(primary_key=True)
    value: str  # JSON
    saved_at: str


class CaseDiscussion(SQLModel, table=True):
    __tablename__ = "case_discussion"
    __table_args__ = (UniqueConstraint("session_id", "position"), NEVER_REUSED)

    id: Optional[int] = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session_record.id")
    position: int
    # None: an experience shared about no one family (and no child). Migration 12.
    family_id: Optional[int] = Field(default=None, foreign_key="family.id")
    status: str
    answers: str = "{}"  # JSON
    saved_at: str


class CaseChild(SQLModel, table=True):
    __tablename__ = "case_child"
    __table_args__ = (Index("ix_case_child_child", "child_id"),)

    case_id: int = Field(primary_key=True, foreign_key="case_discussion.id")
    child_id: int = Field(primary_key=True, foreign_key="child.id")
    # Each child's own status in this discussion, since when (the plan's start, as the user
    # gave it) and their local reference as given. Added by migration 9; None in older records.
    status: Optional[str] = None
    status_since: Optional[date] = None
    local_ref: Optional[str] = None


class Decision(SQLModel, table=True):
    __tablename__ = "decision"
    __table_args__ = NEVER_REUSED

    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_discussion.id", unique=True)
    template_digest: str = Field(foreign_key="template_snapshot.digest")
    answers: str = "{}"
    saved_at: str
    canonical: int = canonical_version()


class ActionItem(SQLModel, table=True):
    __tablename__ = "action_item"
    __table_args__ = (
        Index("ix_action_owner", "owner_id", "status"),
        Index("ix_action_session", "session_id"),
        NEVER_REUSED,
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    text: str
    # Exactly one owner (sessions.add_action): a member of staff (owner_id), or a named contact
    # who is not on the staff list (owner_contact, with their role or organisation). Nullable
    # since migration 9.
    owner_id: Optional[int] = Field(default=None, foreign_key="person.id")
    due_on: date
    session_id: int = Field(foreign_key="session_record.id")
    case_id: Optional[int] = Field(default=None, foreign_key="case_discussion.id")
    status: str = "open"
    created_at: str
    updated_at: str
    # As agreed in the session; due_on follows reschedules. Added by migration 4.
    agreed_due_on: Optional[date] = None
    # Added by migration 9: a contact who owns it (a social worker, a parent), and the agenda
    # item (section id) it was agreed under.
    owner_contact: Optional[str] = None
    owner_role: Optional[str] = None
    section_id: Optional[str] = None
    # Added by migration 11: the note of the discussion the action came from (the policy's
    # Notes column beside Item and Agreed Action).
    notes: Optional[str] = None


class ActionReview(SQLModel, table=True):
    """Every review of an action, in a session or not: its history is never rewritten."""

    __tablename__ = "action_review"
    __table_args__ = (
        Index("ix_action_review_action", "action_id"),
        Index("ix_action_review_session", "session_id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action_item.id")
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
    __table_args__ = (Index("ix_cancellation_supervisee", "supervisee_id"),)

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
    __table_args__ = (Index("ix_signing_key_person", "person_id"), NEVER_REUSED)

    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
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
    __table_args__ = (
        Index("ix_signature_record", "record_type", "record_id"),
        Index("ix_signature_party", "record_type", "record_id", "signer_id", "role",
              "signed_at"),
        NEVER_REUSED,
    )

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
    __table_args__ = (UniqueConstraint("record_type", "record_id", "number"), NEVER_REUSED)

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
    canonical: int = canonical_version()


class RetentionHold(SQLModel, table=True):
    """A legal hold: nothing it covers is destroyed until it is released. Placed once, released
    once, never deleted."""

    __tablename__ = "retention_hold"
    __table_args__ = NEVER_REUSED

    id: Optional[int] = Field(default=None, primary_key=True)
    scope: str  # store | person | child
    subject_id: Optional[int] = None
    reason: str
    placed_by: str
    placed_at: str
    released_by: Optional[str] = None
    released_at: Optional[str] = None
    release_reason: Optional[str] = None


class _Numbered(Protocol):
    @property
    def id(self) -> Optional[int]: ...


def id_of(row: _Numbered) -> int:
    """A row's number. The database gives it when the row is first flushed, so every row read
    from the store or added and flushed has one; a row without is a mistake in the code."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id before it is flushed")
    return row.id
