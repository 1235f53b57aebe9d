"""Records by the number a user types (`12`, `S12`) and by type and id."""

from typing import Any, TypeVar

from sqlmodel import Session, SQLModel

from supervise.domain.text import record_number
from supervise.errors import Hint, NotFoundError, StoreFileError
from supervise.store.db.tables import Amendment, Contract, Decision, SessionRecord

MODELS: dict[str, type[SQLModel]] = {"contract": Contract, "session": SessionRecord,
                                     "decision": Decision, "amendment": Amendment}

Row = TypeVar("Row", bound=SQLModel)


def find_numbered(session: Session, model: type[Row], given: str | int, prefix: str, what: str,
                  listing: Hint) -> Row:
    """A row by the number a user typed (`12`, `S12`), or an error pointing to its listing."""
    number = record_number(given, prefix)
    row = session.get(model, number) if number is not None else None
    if row is None:
        raise NotFoundError(f"No {what} {given}.", listing)
    return row


def stored(session: Session, model: type[Row], key: object) -> Row:
    """A row that another row points at. The store's foreign keys forbid it to be missing, so if
    it is, the store is damaged."""
    row = session.get(model, key)
    if row is None:
        raise StoreFileError(f"The store is damaged ({model.__tablename__} {key} is missing): "
                             "restore it from a backup.")
    return row


def label(record_type: str, record_id: int) -> str:
    return f"{record_type} {record_id}"


def load(session: Session, record_type: str, record_id: int) -> Any:
    row = session.get(MODELS[record_type], record_id)
    if row is None:
        raise NotFoundError(f"No {label(record_type, record_id)}.")
    return row


def find_record(session: Session, record_type: str, given: str) -> Any:
    """A contract, session or decision record by the number a user typed (`12`, `S12`)."""
    finder = {"contract": find_contract, "session": find_session, "decision": find_decision}
    return finder[record_type](session, given)


def find_session(session: Session, session_id: str | int) -> SessionRecord:
    return find_numbered(session, SessionRecord, session_id, "S", "session",
                         Hint.of("see_session_list"))


def find_contract(session: Session, contract_id: str | int) -> Contract:
    return find_numbered(session, Contract, contract_id, "C", "contract",
                         Hint.of("see_all_contracts"))


def find_decision(session: Session, decision_id: str) -> Decision:
    return find_numbered(session, Decision, decision_id, "D", "decision record",
                         Hint.of("see_decision_list"))
