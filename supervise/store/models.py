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
