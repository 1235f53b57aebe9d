"""The case register: children and their families. Names are matched case-insensitively; two
children may share a name, so a date of birth or local reference tells them apart."""

from datetime import date, datetime

from sqlmodel import Session, col, select

from supervise.domain.dates import iso_or_none
from supervise.domain.names import clean_name, name_key, unknown_name
from supervise.domain.records.canonical import digest, iso_utc
from supervise.domain.records.register_rules import child_problems
from supervise.domain.rows import ChildRow
from supervise.domain.text import clean_line
from supervise.errors import Hint, SuperviseError, UsageError
from supervise.store.db.tables import CaseChild, CaseDiscussion, Child, Family, SessionRecord
from supervise.store.db.writing import Writing
from supervise.store.integrity.audit_chain import append_event


def find_family(session: Session, name: str) -> Family | None:
    return session.exec(select(Family).where(Family.name_key == name_key(name))).first()


def family_for(session: Session, name: str, now: datetime) -> Family:
    """The family of that name, recorded if it is new."""
    family = find_family(session, name)
    if family is None:
        family = Family(name=clean_line(name, "family name"), name_key=name_key(name),
                        created_at=iso_utc(now))
        session.add(family)
        session.flush()
    return family


def list_children(session: Session, family: Family | None = None) -> list[Child]:
    query = select(Child).order_by(col(Child.name_key), col(Child.dob))
    if family is not None:
        query = query.where(Child.family_id == family.id)
    return list(session.exec(query))


class AmbiguousChild(SuperviseError):
    """Several children have that name; `matches` are the candidates."""

    def __init__(self, name: str, matches: list[Child], hint: Hint) -> None:
        told = "; ".join(f"born {c.dob or 'unknown'}, ref {c.local_ref or 'none'}"
                         for c in matches)
        super().__init__(f"{len(matches)} children are named {name!r} ({told}):", hint)
        self.matches = matches


def same_name(session: Session, name: str) -> list[Child]:
    return list(session.exec(select(Child).where(Child.name_key == name_key(name))
                             .order_by(col(Child.id))))


def find_child(session: Session, name: str, *, dob: date | None = None,
               ref: str | None = None, hint: Hint = Hint.of("say_which_child")) -> Child:
    matches = same_name(session, name)
    if dob is not None:
        matches = [c for c in matches if c.dob == dob]
    if ref is not None:
        matches = [c for c in matches if c.local_ref == ref]
    if not matches:
        raise unknown_name(name, [c.name for c in list_children(session)], kind="child")
    if len(matches) > 1:
        raise AmbiguousChild(name, matches, hint)
    return matches[0]


def match_for_case(session: Session, name: str, dob: date | None) -> Child | None:
    """The register's child a case names, or None for a child new to the register. A name
    with a date of birth is that child (or, if the only one of that name has no date of birth
    recorded, them); a name alone must be unique. Raises AmbiguousChild otherwise."""
    matches = same_name(session, name)
    hint = Hint.of("give_child_dob")
    if dob is not None:
        exact = [c for c in matches if c.dob == dob]
        if exact:
            return exact[0]
        undated = [c for c in matches if c.dob is None]
        if len(undated) == 1 and len(matches) == 1:
            return undated[0]
        return None
    if len(matches) > 1:
        raise AmbiguousChild(name, matches, hint)
    return matches[0] if matches else None


def add_child(work: Writing, *, name: str,
              dob: date | None = None, ref: str | None = None, family: str | None = None,
              status: str = "none") -> Child:
    session, now = work.session, work.now
    cleaned = clean_name(name)
    problems = child_problems(dob, now.date())
    if problems:
        raise problems[0]
    same = [c for c in session.exec(select(Child).where(Child.name_key == name_key(cleaned)))
            if c.dob == dob]
    if same:
        raise UsageError(f"{cleaned} (born {dob or 'unknown'}) is already on the register:",
                         Hint.of("see_child", child=cleaned))
    child = Child(
        name=cleaned, name_key=name_key(cleaned), dob=dob,
        local_ref=clean_line(ref, "local reference") if ref else None,
        family_id=family_for(session, family, now).id if family else None,
        status=status, status_since=now.date(), created_at=iso_utc(now), updated_at=iso_utc(now))
    session.add(child)
    session.flush()
    append_event(work, action="child.add", record_type="child",
                 record_id=str(child.id), digest=digest(child_row(session, child)))
    return child


def set_status(work: Writing, child: Child, status: str, *, on: date) -> bool:
    """Record a status noted in a case discussion on `on`; an older session (a late entry)
    never moves the register back. False if nothing changed."""
    session, now = work.session, work.now
    if child.status == status or (child.status_since and on < child.status_since):
        return False
    before = child.status
    child.status, child.status_since, child.updated_at = status, on, iso_utc(now)
    session.add(child)
    session.flush()
    append_event(work, action="child.status", record_type="child",
                 record_id=str(child.id), digest=digest(child_row(session, child)),
                 detail={"from": before, "to": status, "since": on.isoformat()})
    return True


def child_row(session: Session, child: Child) -> ChildRow:
    family = session.get(Family, child.family_id) if child.family_id else None
    return {
        "id": child.id, "name": child.name, "dob": iso_or_none(child.dob), "ref": child.local_ref,
        "family": family.name if family else None, "status": child.status,
        "status_since": iso_or_none(child.status_since),
    }


def child_sessions(session: Session, child: Child) -> list[SessionRecord]:
    """The sessions whose case discussions were about this child, oldest first."""
    query = (select(SessionRecord).join(CaseDiscussion,
                                        col(CaseDiscussion.session_id) == SessionRecord.id)
             .join(CaseChild, col(CaseChild.case_id) == CaseDiscussion.id)
             .where(CaseChild.child_id == child.id).distinct()
             .order_by(col(SessionRecord.held_on), col(SessionRecord.id)))
    return list(session.exec(query))

