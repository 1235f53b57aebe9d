"""SQLModel tables. The schema itself is created by migrations (schema.py); a test keeps the two
in step."""

from datetime import date
from typing import Optional

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
