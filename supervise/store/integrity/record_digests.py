"""Every signed record's content rebuilt for its digest from set-based reads: the records of one
kind are taken a chunk at a time, and each table their parts live in is read once per chunk,
grouped by record, rather than once per record. The content is the one store/records/content.py
builds, key for key (contracts and amendments through its own builders); a record this path
cannot build (a row it points at missing, a value that does not parse) is built again by
content.py, so that what it says of the damage is word for word what it always said."""

import json
from collections import defaultdict, namedtuple
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from sqlmodel import Session

from supervise.domain.policy.templates import FIELD_TYPES, Template
from supervise.domain.records.signing import Content
from supervise.store.db.reading import Reader
from supervise.store.integrity.signed_work import SignatureRow
from supervise.store.records.content import (
    GROUP_KEYS,
    amendment_content,
    contract_content,
    salt_key,
)
from supervise.store.records.session_parts import action_part, child_in_case
from supervise.store.records.template_snapshots import snapshot

CHUNK = 500  # records read together

ContractRow = namedtuple("ContractRow", (
    "id", "supervisee_id", "supervisor_id", "kind", "frequency", "schedule", "schedule_from",
    "duration_minutes", "venue", "start_on", "review_on", "template_digest", "answers",
    "supersedes_id", "policy_version", "created_at", "created_by", "canonical"))
AmendmentRow = namedtuple("AmendmentRow", (
    "id", "record_type", "record_id", "number", "amends_digest", "section", "case_position",
    "previous", "text", "reason", "author_id", "created_at", "canonical"))
SessionRow = namedtuple("SessionRow", (
    "id", "kind", "template_digest", "supervisor_id", "contract_id", "held_on", "start_time",
    "duration_minutes", "next_meeting", "late_entry", "created_at", "completed_at",
    "policy_version", "canonical"))
ActionRow = namedtuple("ActionRow", (
    "session_id", "id", "text", "owner_id", "agreed_due_on", "case_id", "owner_contact",
    "owner_role", "section_id", "notes", "due_on"))
ChildRow = namedtuple("ChildRow", ("name", "dob", "status_since"))
LinkRow = namedtuple("LinkRow", ("status", "status_since", "local_ref"))


def _day(value: Any) -> str | None:
    """A stored date as canonical JSON carries what the ORM reads back (a value that does not
    parse fails here as it does there). The same few thousand days recur: each is read once."""
    if value is None:
        return None
    known = _days.get(value)
    if known is None:
        if len(_days) > 20_000:
            _days.clear()
        known = _days[value] = date.fromisoformat(value).isoformat()
    return known


_days: dict[Any, str] = {}


def _no_float(text: str) -> Any:
    raise TypeError(f"{text}: floats are not allowed in canonical JSON")


_decoder = json.JSONDecoder(parse_float=_no_float, parse_constant=_no_float)


def _json(text: str) -> Any:
    """A stored JSON value, refused if it holds a float (canonical JSON refuses one), so that
    what is built from it is plain (domain/records/plain_digest.py)."""
    return _decoder.decode(text)


def _whole(value: Any) -> Any:
    """A number from an integer column, which may hold a float (canonical JSON refuses one)."""
    if isinstance(value, float):
        raise TypeError("floats are not allowed in canonical JSON")
    return value


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _in(numbers: list[int]) -> tuple[str, dict[str, int]]:
    params = {f"n{i}": number for i, number in enumerate(numbers)}
    return "(" + ", ".join(":" + name for name in params) + ")", params


class Digests:
    """Contents of signed records, a chunk of one kind at a time (`of`): by id, None for a
    record this path could not build (content.py builds it), absent for a record not stored.
    Each content's parts are plain JSON values (for plain_record_digest)."""

    def __init__(self, reader: Reader, session: Session) -> None:
        self.reader, self.session = reader, session
        self._templates: dict[str, tuple[Template, list[str], list[str]]] = {}

    def of(self, kind: str, ids: list[int]) -> dict[int, Content | None]:
        builders: dict[str, Callable[[list[int]], dict[int, Content | None]]] = {
            "contract": self._contracts, "session": self._sessions,
            "decision": self._decisions, "amendment": self._amendments}
        return builders[kind](ids)

    def _template(self, digest: str) -> tuple[Template, list[str], list[str]]:
        """The template, its answerable sections' ids, and the group keys it does not ask."""
        if digest not in self._templates:
            template = snapshot(self.session, digest)
            self._templates[digest] = (
                template, [s.id for s in template.sections if s.type in FIELD_TYPES],
                [key for key in GROUP_KEYS if template.section(key) is None])
        return self._templates[digest]

    def _ref(self, digest: str) -> dict[str, Any]:
        template = self._template(digest)[0]
        return {"id": template.id, "version": template.version, "digest": digest}

    def _answer_parts(self, digest: str, answers: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"section": section, "answer": answers[section]}
                for section in self._template(digest)[1] if section in answers]

    def _content(self, header: dict[str, Any], canonical: int | None,
                 parts: list[Any]) -> Content:
        version = canonical or 1
        return Content({**header, "canonical": version} if version >= 2 else header, parts,
                       salt_key(self.session) if version >= 3 else None)

    def _rows(self, sql: str, ids: list[int]) -> list[tuple]:
        where, params = _in(ids)
        return self.reader.rows(sql.format(ids=where), params)

    def _each(self, rows: list[tuple], build: Callable[[tuple], Content]
              ) -> dict[int, Content | None]:
        contents: dict[int, Content | None] = {}
        for row in rows:
            try:
                contents[row[0]] = build(row)
            except Exception:  # noqa: BLE001 - content.py builds it again and says why
                contents[row[0]] = None
        return contents

    def _contracts(self, ids: list[int]) -> dict[int, Content | None]:
        rows = self._rows(f"SELECT {', '.join(ContractRow._fields)} FROM contract "
                          "WHERE id IN {ids}", ids)

        def build(row: tuple) -> Content:
            contract = ContractRow(*row)._replace(
                schedule_from=_day(row[6]), start_on=_day(row[9]), review_on=_day(row[10]))
            _json(contract.answers)
            return contract_content(self.session, contract)  # type: ignore[arg-type]
        return self._each(rows, build)

    def _amendments(self, ids: list[int]) -> dict[int, Content | None]:
        rows = self._rows(f"SELECT {', '.join(AmendmentRow._fields)} FROM amendment "
                          "WHERE id IN {ids}", ids)

        def build(row: tuple) -> Content:
            amendment = AmendmentRow(*row)
            _json(amendment.previous)
            return amendment_content(self.session, amendment)  # type: ignore[arg-type]
        return self._each(rows, build)

    def _supervisees(self, sessions: list[int]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = defaultdict(list)
        for session_id, person_id in self._rows(
                "SELECT session_id, person_id FROM session_supervisee WHERE session_id IN "
                "{ids} ORDER BY session_id, person_id", sessions):
            found[session_id].append(person_id)
        return found

    def _children(self, where: str, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        """Each case's children as its part names them, by case id."""
        found: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for case_id, name, dob, since, status, status_since, ref in self._rows(
                "SELECT cc.case_id, ch.name, ch.dob, ch.status_since, cc.status, "
                "cc.status_since, cc.local_ref FROM case_child cc JOIN child ch ON "
                "ch.id = cc.child_id JOIN case_discussion c ON c.id = cc.case_id WHERE "
                f"{where} IN {{ids}} ORDER BY cc.case_id, ch.id", ids):
            child = ChildRow(name, _day(dob), _day(since))
            link = LinkRow(status, _day(status_since), ref)
            found[case_id].append(child_in_case(child, link))  # type: ignore[arg-type]
        return found

    def _sessions(self, ids: list[int]) -> dict[int, Content | None]:
        rows = self._rows(f"SELECT {', '.join(SessionRow._fields)} FROM session_record "
                          "WHERE id IN {ids}", ids)
        supervisees = self._supervisees(ids)
        answers: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for session_id, section, value in self._rows(
                "SELECT session_id, section_id, value FROM session_answer WHERE session_id "
                "IN {ids}", ids):
            answers[session_id].append((section, value))
        cases: dict[int, list[tuple]] = defaultdict(list)
        for row in self._rows(
                "SELECT c.session_id, c.id, c.position, c.family_id, f.name, c.status, "
                "c.answers, d.id, d.answers FROM case_discussion c LEFT JOIN family f ON "
                "f.id = c.family_id LEFT JOIN decision d ON d.case_id = c.id WHERE "
                "c.session_id IN {ids} ORDER BY c.session_id, c.position", ids):
            cases[row[0]].append(row[1:])
        children = self._children("c.session_id", ids)
        actions: dict[int, list[ActionRow]] = defaultdict(list)
        for row in self._rows(f"SELECT {', '.join(ActionRow._fields)} FROM action_item "
                              "WHERE session_id IN {ids} ORDER BY session_id, id", ids):
            actions[row[0]].append(ActionRow(*row))
        reviews: dict[int, list[tuple]] = defaultdict(list)
        for session_id, *review in self._rows(
                "SELECT session_id, action_id, outcome, note, due_after, due_before FROM "
                "action_review WHERE session_id IN {ids} ORDER BY session_id, id", ids):
            reviews[session_id].append(tuple(review))

        def build(row: tuple) -> Content:
            record = SessionRow(*row)
            header = {
                "type": "session", "id": record.id, "kind": record.kind,
                "template": self._ref(record.template_digest),
                "supervisor": record.supervisor_id, "supervisees": supervisees[record.id],
                "contract": record.contract_id, "held_on": _day(record.held_on),
                "start_time": record.start_time, "duration_minutes": record.duration_minutes,
                "next_meeting": _day(record.next_meeting),
                "late_entry": _flag(record.late_entry), "recorded_at": record.created_at,
                "completed_at": record.completed_at, "policy_version": record.policy_version,
            }
            given = {section: _json(value) for section, value in answers[record.id]}
            parts: list[Any] = self._answer_parts(record.template_digest, given)
            parts += [{"group": key, "answer": given[key]}
                      for key in self._template(record.template_digest)[2] if key in given]
            positions: dict[int | None, int] = {}
            for case_id, position, family_id, family, status, said, decided, decision in \
                    cases[record.id]:
                positions[case_id] = _whole(position)
                parts.append({"case": position, "family": family if family_id else None,
                              "children": children[case_id], "status": status,
                              "answers": _json(said),
                              "decision": _json(decision) if decided else None})
            for action in actions[record.id]:
                _day(action.due_on)
                parts.append(action_part(action._replace(  # type: ignore[arg-type]
                    agreed_due_on=_day(action.agreed_due_on),
                    owner_id=_whole(action.owner_id)), positions))
            for action_id, outcome, note, due_after, due_before in reviews[record.id]:
                _day(due_before)
                parts.append({"review_of": _whole(action_id), "outcome": outcome, "note": note,
                              "due": _day(due_after)})
            return self._content(header, record.canonical, parts)
        return self._each(rows, build)

    def _decisions(self, ids: list[int]) -> dict[int, Content | None]:
        rows = self._rows(
            "SELECT d.id, d.template_digest, d.answers, d.canonical, c.id, c.position, "
            "c.family_id, f.name, c.answers, s.id, s.held_on, s.supervisor_id, s.next_meeting "
            "FROM decision d "
            "LEFT JOIN case_discussion c ON c.id = d.case_id LEFT JOIN session_record s ON "
            "s.id = c.session_id LEFT JOIN family f ON f.id = c.family_id WHERE d.id IN {ids}",
            ids)
        sessions = sorted({row[9] for row in rows if row[9] is not None})
        supervisees = self._supervisees(sessions) if sessions else {}
        cases = sorted({row[4] for row in rows if row[4] is not None})
        children = self._children("cc.case_id", cases) if cases else {}

        def build(row: tuple) -> Content:
            (number, template, answers, canonical, case_id, position, family_id, family,
             said, session_id, held_on, supervisor, next_meeting) = row
            if case_id is None or session_id is None:
                raise LookupError("content.py says which row is missing")
            _day(next_meeting)
            json.loads(said)  # read, as the case's part is, though the header takes none of it
            header = {
                "type": "decision", "id": number, "session": session_id, "case": position,
                "held_on": _day(held_on), "supervisor": supervisor,
                "supervisees": supervisees.get(session_id, []),
                "family": family if family_id else None,
                "children": children.get(case_id, []), "template": self._ref(template),
            }
            decided = _json(answers)
            return self._content(header, canonical, self._answer_parts(template, decided))
        return self._each(rows, build)


SIGNATURE_COLUMNS = SignatureRow._fields
Signed = tuple[str, int, list[Any]]  # a record's type, id and signatures, oldest first


def signed_records(reader: Reader, size: int = CHUNK) -> Iterator[list[Signed]]:
    """The signed records in (type, id) order, each with its signatures, `size` records of one
    kind at a time."""
    chunk: list[Signed] = []
    for row in reader.iterate(f"SELECT {', '.join(SIGNATURE_COLUMNS)} FROM signature "
                              "ORDER BY record_type, record_id, id"):
        signature = SignatureRow(*row)
        if chunk and (chunk[-1][0], chunk[-1][1]) == (signature.record_type,
                                                      signature.record_id):
            chunk[-1][2].append(signature)
            continue
        if chunk and (len(chunk) >= size or chunk[-1][0] != signature.record_type):
            yield chunk
            chunk = []
        chunk.append((signature.record_type, signature.record_id, [signature]))
    if chunk:
        yield chunk
