"""Children added to the register many to a transaction (bulk.py's companion): the rules and the
rows of children.add_child and family_for, and its audit event, written in plain SQL."""

from datetime import date

from supervise.domain.names import clean_name, name_key, one_line
from supervise.domain.records.canonical import digest, iso_utc
from supervise.domain.records.register_rules import child_problems
from supervise.domain.text import clean_line
from supervise.errors import Hint, UsageError
from supervise.store.bulk.signing import Chain, sql_date
from supervise.store.db.reading import Reader, reader_of
from supervise.store.db.writing import Writing


def family_id_for(work: Writing, reader: Reader, name: str) -> int:
    """children.family_for: the family of that name, recorded if it is new."""
    found = reader.value("SELECT id FROM family WHERE name_key = :key", {"key": name_key(name)})
    if found is not None:
        return int(found)
    return int(reader.conn.execute(
        "INSERT INTO family (name, name_key, created_at) VALUES (:name, :key, :at)",
        {"name": one_line(name, "family name"), "key": name_key(name),
         "at": iso_utc(work.now)}).lastrowid)


def add_child(work: Writing, *, name: str, dob: date | None = None, ref: str | None = None,
              family: str | None = None, status: str = "none") -> tuple[int, int | None]:
    """children.add_child (without the near-name check, which asks a person): the child's id
    and their family's."""
    reader, now = reader_of(work.session), work.now
    cleaned = clean_name(name)
    problems = child_problems(dob, now.date(), None)
    if problems:
        raise problems[0]
    same = [day for (day,) in reader.rows("SELECT dob FROM child WHERE name_key = :key",
                                          {"key": name_key(cleaned)})]
    if sql_date(dob) in same:
        raise UsageError(f"{cleaned} (born {dob or 'unknown'}) is already on the register:",
                         Hint.of("see_child", child=cleaned))
    family_id = family_id_for(work, reader, family) if family else None
    row = {"name": cleaned, "name_key": name_key(cleaned), "dob": sql_date(dob),
           "local_ref": clean_line(ref, "local reference") if ref else None,
           "family_id": family_id, "status": status, "status_since": sql_date(now.date()),
           "created_at": iso_utc(now), "updated_at": iso_utc(now)}
    child_id = int(reader.conn.execute(
        f"INSERT INTO child ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})",
        row).lastrowid)
    shown = {"id": child_id, "name": cleaned, "dob": row["dob"], "ref": row["local_ref"],
             "family": reader.value("SELECT name FROM family WHERE id = :id",
                                    {"id": family_id}) if family_id else None,
             "status": status, "status_since": row["status_since"]}  # children.child_row
    Chain(work).append(action="child.add", record_type="child", record_id=str(child_id),
                       digest=digest(shown))
    return child_id, family_id
