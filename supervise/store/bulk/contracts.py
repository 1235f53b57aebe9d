"""Contracts made many to a transaction (bulk.py's companion): the rules of
contracts.make_contract (term_problems over the facts check_terms reads, read here in plain
SQL), and the same row, digest and audit event, written in plain SQL with each sentence's
digest remembered (signing.Digests)."""

import json
from datetime import date
from typing import Any

from supervise.domain.policy.organisation_policy import Policy
from supervise.domain.policy.templates import FIELD_TYPES, Template
from supervise.domain.records.canonical import CANONICAL_VERSION, iso_utc
from supervise.domain.records.contract_rules import OpenContract, Party, Replaced, term_problems
from supervise.errors import StoreFileError
from supervise.store.bulk.signing import Chain, Digests, sql_date
from supervise.store.db.reading import Reader, reader_of
from supervise.store.db.tables import Person
from supervise.store.db.writing import Writing
from supervise.store.records.contracts import ContractTerms
from supervise.store.records.template_snapshots import keep_snapshot


def answer_parts(template: Template, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """A record's answers as its parts (content._answer_parts)."""
    return [{"section": s.id, "answer": answers[s.id]}
            for s in template.sections if s.type in FIELD_TYPES and s.id in answers]


# contracts.open_contracts: neither ended nor replaced by a review
OPEN_OF_KIND = ("SELECT c.id, c.start_on FROM contract c "
                "WHERE c.supervisee_id = :person AND c.kind = :kind "
                "AND NOT EXISTS (SELECT 1 FROM contract_end e WHERE e.contract_id = c.id) "
                "AND NOT EXISTS (SELECT 1 FROM contract n WHERE n.supersedes_id = c.id) "
                "ORDER BY c.id")


def _party(person: Person) -> Party:
    return Party(person.id, person.name, person.left_date, person.is_supervisor)


def _replaced(reader: Reader, contract_id: int) -> Replaced:
    """The facts contracts.check_terms reads of the contract a review replaces."""
    row = reader.one("SELECT id, start_on FROM contract WHERE id = :id", {"id": contract_id})
    if row is None:
        raise StoreFileError(f"The store is damaged (contract {contract_id} is missing): "
                             "restore it from a backup.")
    after = reader.value("SELECT id FROM contract WHERE supersedes_id = :id", {"id": contract_id})
    ended = reader.value("SELECT 1 FROM contract_end WHERE contract_id = :id",
                         {"id": contract_id})
    return Replaced(row[0], date.fromisoformat(row[1]), after, ended is not None)


def make_contract(work: Writing, terms: ContractTerms, *, policy: Policy,
                  policy_version: int, digests: Digests, chain: Chain,
                  replacing: int | None = None) -> tuple[int, str]:
    """contracts.make_contract for a contract given whole; `replacing`: the id of the contract
    it reviews. Returns the new contract's id and digest."""
    session, now, actor = work.session, work.now, work.actor
    reader = reader_of(session)
    problems = term_problems(
        supervisee=_party(terms.supervisee), supervisor=_party(terms.supervisor),
        kind=terms.kind, start=terms.start, review=terms.review, policy=policy,
        today=now.date(), replacing=_replaced(reader, replacing) if replacing else None,
        open_of_kind=[OpenContract(i, date.fromisoformat(start)) for i, start in reader.rows(
            OPEN_OF_KIND, {"person": terms.supervisee.id, "kind": terms.kind})])
    if problems:
        raise problems[0]
    template = terms.template
    template_digest = keep_snapshot(session, template, now)
    contract_id = int(reader.value("SELECT MAX(id) FROM contract") or 0) + 1
    row: dict[str, Any] = {
        "id": contract_id, "supervisee_id": terms.supervisee.id,
        "supervisor_id": terms.supervisor.id, "kind": terms.kind,
        "frequency": str(terms.frequency),
        "schedule": terms.schedule.name if terms.schedule else None,
        "schedule_from": terms.schedule_from if terms.schedule else None,
        "duration_minutes": terms.duration, "venue": terms.venue, "start_on": terms.start,
        "review_on": terms.review, "template_digest": template_digest,
        "answers": json.dumps(terms.answers, ensure_ascii=False, sort_keys=True),
        "supersedes_id": replacing, "policy_version": policy_version,
        "created_at": iso_utc(now), "created_by": actor, "digest": "",
        "canonical": CANONICAL_VERSION}
    header = {
        "type": "contract", "id": contract_id, "supervisee": row["supervisee_id"],
        "supervisor": row["supervisor_id"], "kind": row["kind"], "frequency": row["frequency"],
        "schedule": row["schedule"], "schedule_from": row["schedule_from"],
        "duration_minutes": row["duration_minutes"], "venue": row["venue"],
        "start": row["start_on"], "review": row["review_on"],
        "template": {"id": template.id, "version": template.version,
                     "digest": template_digest},
        "supersedes": replacing, "policy_version": policy_version,
        "created_at": row["created_at"], "created_by": actor}
    row["digest"] = digests.record(header, answer_parts(template, json.loads(row["answers"])))
    for column in ("schedule_from", "start_on", "review_on"):
        row[column] = sql_date(row[column])
    reader.execute(f"INSERT INTO contract ({', '.join(row)}) "
                   f"VALUES ({', '.join(':' + c for c in row)})", row)
    chain.append(action="contract.review" if replacing is not None else "contract.new",
                 record_type="contract", record_id=str(contract_id), digest=row["digest"],
                 detail={"supersedes": replacing} if replacing is not None else {})
    return contract_id, row["digest"]
