"""Many sessions in one transaction, for a store filled all at once (the synthetic large trust
of SPEC §9): each session written whole, already decided, in plain SQL on the transaction's own
connection, with no ORM object per row.

The rows, digests, signatures and audit events are the ones the step-by-step path writes
(sessions.start_draft, save_answer, save_case, save_decision, review_action, add_action,
complete, then signing): the same rules refuse the same input, the record's content is built
in the same shape (content.session_content, decision_content) and `audit verify` recomputes it
from the rows. What it leaves out is what a whole session given at once never needs: children
named by anything but their register id, a child's own status, since-date or reference, contacts
who own actions. A draft is written as far as it got (answers and cases), never completed."""

import json
from datetime import date
from typing import Any

from supervise.domain.policy.organisation_policy import Policy
from supervise.domain.policy.templates import Template
from supervise.domain.records.canonical import CANONICAL_VERSION, digest, iso_utc
from supervise.domain.records.register_rules import case_child_problems
from supervise.domain.records.session_rules import (
    CaseFacts,
    action_owner_problems,
    action_problems,
    completion_problems,
    late_entry,
    next_meeting_fits,
    review_problems,
    start_problems,
)
from supervise.errors import SuperviseError, UsageError
from supervise.store.bulk.children import add_child
from supervise.store.bulk.contracts import answer_parts, make_contract
from supervise.store.bulk.input import ActionIn, CaseIn, ReviewIn, SessionIn, Written
from supervise.store.bulk.signing import Chain, Digests, Signing, day_of, sql_date
from supervise.store.db.reading import Reader, reader_of
from supervise.store.db.writing import Stamp, Writing
from supervise.store.records.content import GROUP_KEYS, salt_key
from supervise.store.records.contracts import ContractTerms
from supervise.store.records.session_parts import action_part
from supervise.store.records.signatures import Signer
from supervise.store.records.template_snapshots import keep_snapshot


def _refuse(problems: list[SuperviseError]) -> None:
    if problems:
        raise problems[0]


def _insert(reader: Reader, table: str, row: dict[str, Any]) -> int:
    sql = f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})"
    return int(reader.conn.execute(sql, row).lastrowid)


def _insert_many(reader: Reader, table: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        columns = list(rows[0])
        reader.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                                f"({', '.join(':' + c for c in columns)})", rows)


def _as_stored(value: Any) -> Any:
    """A value as it reads back from its JSON column (what the record's digest covers)."""
    return None if value is None else json.loads(json.dumps(value, ensure_ascii=False))


class Bulk:
    """Writes whole sessions, and signs records, many to a transaction. `work.session` is the
    transaction's ORM session (anything it holds unflushed is flushed first)."""

    def __init__(self, *, policy: Policy, policy_version: int,
                 decision_template: Template | None = None) -> None:
        self.policy, self.policy_version = policy, policy_version
        self.decision_template = decision_template
        self.signing = Signing()
        self.digests: Digests | None = None  # made with the store's secret, on first use
        self._snapshots: tuple[Any, set[str]] = (None, set())  # the transaction's, stored

    def sign(self, work: Writing, record_type: str, record_id: int, signers: list[Signer], *,
             digest: str | None = None, draft_of: int | None = None) -> list[int]:
        return self.signing.sign(work, record_type, record_id, signers, digest=digest,
                                 draft_of=draft_of)

    def contract(self, work: Writing, terms: ContractTerms, *, replacing: int | None = None,
                 signers: list[Signer] | None = None, signed_at: Any = None) -> tuple[int, str]:
        """A contract made (or a review of contract `replacing`), and signed by `signers` at
        `signed_at`: its id and digest."""
        chain = Chain(work)
        made = make_contract(work, terms, policy=self.policy,
                             policy_version=self.policy_version, digests=self._digests(work),
                             chain=chain, replacing=replacing)
        if signers:
            self.signing.sign(Stamp(work.session, signed_at, work.actor), "contract", made[0],
                              signers, digest=made[1], chain=chain)
        return made

    def child(self, work: Writing, *, name: str, dob: date | None = None,
              ref: str | None = None, family: str | None = None,
              status: str = "none") -> tuple[int, int | None]:
        """A child added to the register (children.add_child): their id and family's."""
        return add_child(work, name=name, dob=dob, ref=ref, family=family, status=status)

    def session(self, work: Writing, given: SessionIn, signers: list[Signer] | None = None, *,
                signed_at: Any = None) -> Written:
        """Write `given` at `work.now`: started, answered, its cases, reviews and actions, and
        (unless a draft) completed; `signers` then sign it at `signed_at`."""
        reader, now, actor = reader_of(work.session), work.now, work.actor
        template, held = given.template, given.held_on
        _refuse(start_problems(held_on=held, today=now.date(), duration=given.duration,
                               supervisor_id=given.supervisor.id,
                               supervisor_name=given.supervisor.name,
                               supervisee_ids=[p.id for p in given.supervisees]))
        template_digest = self._snapshot(work, template)
        at = iso_utc(now)
        record: dict[str, Any] = {
            "kind": given.kind, "status": "draft", "template_digest": template_digest,
            "supervisor_id": given.supervisor.id, "contract_id": given.contract_id,
            "held_on": sql_date(held), "start_time": given.start_time,
            "duration_minutes": given.duration, "next_meeting": None,
            "policy_version": self.policy_version,
            "late_entry": int(late_entry(held, now.date(), self.policy)), "created_at": at,
            "created_by": actor, "updated_at": at, "completed_at": None, "digest": None,
            "canonical": CANONICAL_VERSION}
        record_id = _insert(reader, "session_record", record)
        supervisees = sorted(p.id for p in given.supervisees if p.id is not None)
        _insert_many(reader, "session_supervisee",
                     [{"session_id": record_id, "person_id": p.id} for p in given.supervisees])
        chain = Chain(work)
        chain.append(action="session.start", record_type="session", record_id=str(record_id))
        if given.next_meeting and not given.draft and next_meeting_fits(given.next_meeting,
                                                                        held):
            record["next_meeting"] = sql_date(given.next_meeting)
        _insert_many(reader, "session_answer", [
            {"session_id": record_id, "section_id": section,
             "value": json.dumps(value, ensure_ascii=False), "saved_at": at}
            for section, value in given.answers.items()])
        cases = [self._case(work, reader, chain, record_id, held, position, case)
                 for position, case in enumerate(given.cases, start=1)]
        if given.draft:
            return Written(record_id, None, [], [])
        reviews = [self._review(work, reader, record_id, held, review)
                   for review in given.reviews]
        positions = {case["id"]: case["position"] for case in cases}
        by_position = {case["position"]: case["id"] for case in cases}
        actions = [self._action(reader, template, record_id, held, one, by_position, at)
                   for one in given.actions]
        _refuse(completion_problems(
            session_id=record_id, template=template, answers=given.answers,
            cases=[CaseFacts(position=c["position"], family=c["family"],
                             answers=c["answers"], decision=c["decision"],
                             decision_template=self.decision_template if c["decision"]
                             is not None else None) for c in cases],
            next_meeting=day_of(record["next_meeting"]), held_on=held))
        for review in reviews:  # the reviews take effect as the session is completed
            reader.execute(
                "UPDATE action_item SET status = CASE WHEN :outcome IN ('done', 'dropped') "
                "THEN :outcome ELSE status END, due_on = :due, updated_at = :at "
                "WHERE id = :id AND status = 'open'",
                {"outcome": review["outcome"], "due": review["due_after"], "at": at,
                 "id": review["action_id"]})
        record.update(status="completed", completed_at=at, id=record_id)
        header = {
            "type": "session", "id": record_id, "kind": given.kind,
            "template": {"id": template.id, "version": template.version,
                         "digest": template_digest},
            "supervisor": given.supervisor.id, "supervisees": supervisees,
            "contract": given.contract_id, "held_on": held, "start_time": given.start_time,
            "duration_minutes": given.duration, "next_meeting": day_of(record["next_meeting"]),
            "late_entry": bool(record["late_entry"]), "recorded_at": at, "completed_at": at,
            "policy_version": self.policy_version}
        answers = _as_stored(given.answers)
        parts: list[Any] = answer_parts(template, answers)
        parts += [{"group": key, "answer": answers[key]} for key in GROUP_KEYS
                  if key in answers and template.section(key) is None]
        parts += [{k: case[k] for k in ("case", "family", "children", "status", "answers",
                                        "decision")} for case in cases]
        parts += [action_part(a, positions) for a in actions]
        parts += [{"review_of": r["action_id"], "outcome": r["outcome"], "note": r["note"],
                   "due": day_of(r["due_after"])} for r in reviews]
        record["digest"] = self._digest(work, header, parts)
        reader.execute("UPDATE session_record SET status = :status, completed_at = :completed_at,"
                       " next_meeting = :next_meeting, digest = :digest WHERE id = :id", record)
        chain.append(action="session.complete", record_type="session",
                     record_id=str(record_id), digest=record["digest"])
        decisions = [(c["decision_id"], self._decision_digest(work, c, record_id, held,
                                                              given.supervisor.id, supervisees))
                     for c in cases if c["decision"] is not None]
        if signers:
            self.signing.sign(Stamp(work.session, signed_at, actor), "session", record_id,
                              signers, digest=record["digest"], chain=chain)
        return Written(record_id, record["digest"], [a.id for a in actions], decisions)

    def _snapshot(self, work: Writing, template: Template) -> str:
        """keep_snapshot, asked once a transaction for each template."""
        if self._snapshots[0] is not work.session:
            self._snapshots = (work.session, set())
        if template.digest not in self._snapshots[1]:
            keep_snapshot(work.session, template, work.now)
            self._snapshots[1].add(template.digest)
        return template.digest

    def _digests(self, work: Writing) -> Digests:
        if self.digests is None:
            self.digests = Digests(salt_key(work.session))
        return self.digests

    def _digest(self, work: Writing, header: dict[str, Any], parts: list[Any]) -> str:
        return self._digests(work).record(header, parts)

    def _case(self, work: Writing, reader: Reader, chain: Chain, record_id: int, held: date,
              position: int, case: CaseIn) -> dict[str, Any]:
        at = iso_utc(work.now)
        family = reader.value("SELECT name FROM family WHERE id = :id",
                              {"id": case.family_id}) if case.family_id else None
        children = [self._child(reader, child_id) for child_id in case.child_ids]
        for child in children:
            _refuse(case_child_problems(child["name"], since=None, held_on=held,
                                        dob=child["dob"]))
        case_id = _insert(reader, "case_discussion", {
            "session_id": record_id, "position": position, "family_id": case.family_id,
            "status": case.status, "answers": json.dumps(case.answers, ensure_ascii=False),
            "saved_at": at})
        links = []
        for child in children:
            self._status(work, reader, chain, child, case.status, held, record_id)
            since = child["status_since"] if case.status == child["status"] != "none" else None
            links.append({"case_id": case_id, "child_id": child["id"], "status": case.status,
                          "status_since": sql_date(since), "local_ref": child["ref"]})
        _insert_many(reader, "case_child", links)
        named = []
        for child in sorted(children, key=lambda c: c["id"]):
            one: dict[str, Any] = {"name": child["name"], "dob": child["dob"],
                                   "status": case.status}
            one["since"] = child["status_since"] if case.status == child["status"] != "none" \
                else None
            if child["ref"] is not None:
                one["ref"] = child["ref"]
            named.append(one)
        decision_id = None
        if case.decision is not None:
            if self.decision_template is None:
                raise UsageError("A decision record needs the decision template.")
            decision_id = _insert(reader, "decision", {
                "case_id": case_id,
                "template_digest": self._snapshot(work, self.decision_template),
                "answers": json.dumps(case.decision, ensure_ascii=False), "saved_at": at,
                "canonical": CANONICAL_VERSION})
        return {"id": case_id, "case": position, "position": position, "family": family,
                "children": named, "status": case.status,
                "answers": _as_stored(case.answers), "decision": _as_stored(case.decision),
                "decision_id": decision_id}

    def _child(self, reader: Reader, child_id: int) -> dict[str, Any]:
        row = reader.one("SELECT c.id, c.name, c.dob, c.local_ref, c.status, c.status_since, "
                         "f.name FROM child c LEFT JOIN family f ON f.id = c.family_id "
                         "WHERE c.id = :id", {"id": child_id})
        if row is None:
            raise UsageError(f"No child {child_id} on the register.")
        return {"id": row[0], "name": row[1], "dob": day_of(row[2]), "ref": row[3],
                "status": row[4], "status_since": day_of(row[5]), "family": row[6]}

    def _status(self, work: Writing, reader: Reader, chain: Chain, child: dict[str, Any],
                status: str, held: date, record_id: int) -> None:
        """As children.set_status: the register follows the latest discussion."""
        latest = day_of(reader.value(
            "SELECT s.held_on FROM session_record s "
            "JOIN case_discussion d ON d.session_id = s.id "
            "JOIN case_child cc ON cc.case_id = d.id "
            "WHERE cc.child_id = :child AND s.id != :id ORDER BY s.held_on DESC LIMIT 1",
            {"child": child["id"], "id": record_id}))
        if (latest is not None and held < latest) or child["status"] == status:
            return
        before = child["status"]
        child["status"], child["status_since"] = status, held
        reader.execute("UPDATE child SET status = :status, status_since = :since, "
                       "updated_at = :at WHERE id = :id",
                       {"status": status, "since": sql_date(held), "at": iso_utc(work.now),
                        "id": child["id"]})
        row = {"id": child["id"], "name": child["name"], "dob": sql_date(child["dob"]),
               "ref": child["ref"], "family": child["family"], "status": status,
               "status_since": sql_date(held)}
        chain.append(action="child.status", record_type="child",
                     record_id=str(child["id"]), digest=digest(row),
                     detail={"from": before, "to": status, "since": held.isoformat()})

    def _review(self, work: Writing, reader: Reader, record_id: int, held: date,
                review: ReviewIn) -> dict[str, Any]:
        found = reader.one("SELECT status, due_on FROM action_item WHERE id = :id",
                           {"id": review.action_id})
        _refuse(review_problems(review.action_id, found[0] if found else "missing",
                                outcome=review.outcome, due=review.due, held_on=held))
        assert found is not None
        row = {"action_id": review.action_id, "session_id": record_id,
               "outcome": review.outcome, "note": review.note, "due_before": found[1],
               "due_after": sql_date(review.due) or found[1], "reviewed_at": iso_utc(work.now),
               "reviewed_by": work.actor}
        _insert(reader, "action_review", row)
        return row

    def _action(self, reader: Reader, template: Template, record_id: int, held: date,
                one: ActionIn, cases: dict[int, int], at: str) -> Any:
        _refuse(action_owner_problems(staff=True, contact=None, role=None)
                + action_problems(one.due, held))
        if one.item is not None and template.section(one.item) is None:
            raise UsageError(f"The agenda of session {record_id} has no item {one.item!r}.")
        case_id = cases[one.case] if one.case else None
        row = {"text": one.text, "owner_id": one.owner.id, "owner_contact": None,
               "owner_role": None, "section_id": one.item, "notes": one.notes or None,
               "due_on": sql_date(one.due), "agreed_due_on": sql_date(one.due),
               "session_id": record_id, "case_id": case_id, "status": "open",
               "created_at": at, "updated_at": at}
        action_id = _insert(reader, "action_item", row)
        return _Action(action_id, one, case_id)

    def _decision_digest(self, work: Writing, case: dict[str, Any], record_id: int,
                         held: date, supervisor: int | None, supervisees: list[int]) -> str:
        template = self.decision_template
        assert template is not None
        header = {
            "type": "decision", "id": case["decision_id"], "session": record_id,
            "case": case["position"], "held_on": held, "supervisor": supervisor,
            "supervisees": supervisees, "family": case["family"],
            "children": case["children"],
            "template": {"id": template.id, "version": template.version,
                         "digest": template.digest}}
        return self._digest(work, header, answer_parts(template, case["decision"]))


class _Action:
    """An action as action_part reads it."""

    def __init__(self, action_id: int, one: ActionIn, case_id: int | None) -> None:
        self.id, self.text, self.owner_id = action_id, one.text, one.owner.id
        self.agreed_due_on, self.case_id = one.due, case_id
        self.owner_contact, self.section_id, self.notes = None, one.item, one.notes or None
