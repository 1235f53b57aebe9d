"""The case register: children and their families. Names are matched case-insensitively; two
children may share a name, so a date of birth or local reference tells them apart."""

from datetime import date, datetime

from sqlmodel import Session, col, select

from supervise.domain.dates import iso_or_none
from supervise.domain.names import Known, clean_name, name_key, near_matches, one_line, unknown_name
from supervise.domain.records.canonical import digest, iso_utc
from supervise.domain.records.register_rules import child_problems
from supervise.domain.rows import ChildRow
from supervise.domain.text import clean_line
from supervise.errors import Hint, SuperviseError, UsageError
from supervise.store.db.tables import CaseChild, CaseDiscussion, Child, Family, SessionRecord
from supervise.store.db.writing import Writing
from supervise.store.integrity.audit_append import append_event


def find_family(session: Session, name: str) -> Family | None:
    return session.exec(select(Family).where(Family.name_key == name_key(name))).first()


def family_for(session: Session, name: str, now: datetime) -> Family:
    """The family of that name, recorded if it is new."""
    family = find_family(session, name)
    if family is None:
        family = Family(name=one_line(name, "family name"), name_key=name_key(name),
                        created_at=iso_utc(now))
        session.add(family)
        session.flush()
    return family


def family_names(session: Session) -> list[str]:
    return [f.name for f in session.exec(select(Family).order_by(col(Family.name_key)))]


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
              status: str = "none", status_since: date | None = None,
              refuse_near: bool = False) -> Child:
    """A child added to the register; `refuse_near`: refused when the register has a child
    this one may really be (near_children), unless the caller has been told it is another."""
    session, now = work.session, work.now
    cleaned = clean_name(name)
    problems = child_problems(dob, now.date(), status_since)
    if problems:
        raise problems[0]
    if refuse_near and (near := near_child_problem(session, cleaned, dob, family,
                                                   Hint.of("say_new_child", name=cleaned))):
        raise near
    same = [c for c in session.exec(select(Child).where(Child.name_key == name_key(cleaned)))
            if c.dob == dob]
    if same:
        raise UsageError(f"{cleaned} (born {dob or 'unknown'}) is already on the register:",
                         Hint.of("see_child", child=cleaned))
    child = Child(
        name=cleaned, name_key=name_key(cleaned), dob=dob,
        local_ref=clean_line(ref, "local reference") if ref else None,
        family_id=family_for(session, family, now).id if family else None,
        status=status, status_since=status_since or now.date(), created_at=iso_utc(now),
        updated_at=iso_utc(now))
    session.add(child)
    session.flush()
    append_event(work, action="child.add", record_type="child",
                 record_id=str(child.id), digest=digest(child_row(session, child)))
    return child


def last_discussed(session: Session, child: Child, *, excluding: int | None) -> date | None:
    """When this child was last discussed in a session other than `excluding`."""
    query = (select(col(SessionRecord.held_on))
             .join(CaseDiscussion, col(CaseDiscussion.session_id) == SessionRecord.id)
             .join(CaseChild, col(CaseChild.case_id) == CaseDiscussion.id)
             .where(CaseChild.child_id == child.id)
             .order_by(col(SessionRecord.held_on).desc()).limit(1))
    if excluding is not None:
        query = query.where(SessionRecord.id != excluding)
    return session.exec(query).first()


def set_status(work: Writing, child: Child, status: str, *, on: date,
               since: date | None = None, session_id: int | None = None) -> bool:
    """Record a status noted in a case discussion held on `on` (session `session_id`), in
    force since `since` (when the plan began, as the user gave it; else `on`). The register
    follows the latest discussion: an older session (a late entry) never moves it back. The
    same status with a new since-date corrects the date. False if nothing changed."""
    session, now = work.session, work.now
    latest = last_discussed(session, child, excluding=session_id)
    if latest is not None and on < latest:
        return False
    if child.status == status and (since is None or since == child.status_since):
        return False
    before = child.status
    child.status, child.updated_at = status, iso_utc(now)
    child.status_since = since or (child.status_since if before == status else on)
    session.add(child)
    session.flush()
    append_event(work, action="child.status", record_type="child",
                 record_id=str(child.id), digest=digest(child_row(session, child)),
                 detail={"from": before, "to": status,
                         "since": child.status_since.isoformat() if child.status_since
                         else None})
    return True


def note_reference(work: Writing, child: Child, ref: str | None) -> None:
    """A local reference given in a case discussion: kept on the register when it has none;
    one that differs from the register's is refused (it may be another child)."""
    if not ref:
        return
    ref = clean_line(ref, "local reference")
    if child.local_ref == ref:
        return
    if child.local_ref is not None:
        raise UsageError(f"{child.name} has the local reference {child.local_ref} on the "
                         f"register, not {ref}: check which child this is.")
    child.local_ref, child.updated_at = ref, iso_utc(work.now)
    work.session.add(child)
    work.session.flush()
    append_event(work, action="child.ref", record_type="child", record_id=str(child.id),
                 digest=digest(child_row(work.session, child)))


def _known(session: Session) -> list[tuple[Child, Known]]:
    families = {f.id: f.name for f in session.exec(select(Family))}
    return [(c, Known(c.name, c.dob, families.get(c.family_id) if c.family_id else None))
            for c in list_children(session)]


def near_children(session: Session, name: str, dob: date | None,
                  family: str | None) -> list[Child]:
    """The register's children a child named for the first time may really be (a misspelt
    name with the same date of birth or family: names.near_matches), closest first."""
    known = _known(session)
    near = near_matches(name, dob, family, [k for _, k in known])
    return [child for wanted in near for child, k in known if k is wanted]


def near_child_problem(session: Session, name: str, dob: date | None, family: str | None,
                       hint: Hint) -> SuperviseError | None:
    """A problem when a child new to the register looks like one already on it."""
    near = near_children(session, name, dob, family)
    if not near:
        return None
    told = "; ".join(f"{c.name} (born {c.dob or 'unknown'}"
                     + (f", {f.name} family" if c.family_id and (f := session.get(
                         Family, c.family_id)) else "") + ")" for c in near)
    return UsageError(f"{name} is not on the register, but {told} is: if that is the child, "
                      "give the name as on the register;", hint)


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

