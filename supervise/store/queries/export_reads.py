"""What a bundle's records are drawn from, read together before they are laid out: each table
once for all the records in scope, rather than once per record (and again for the printout,
the manifest entry and the chronology).

`Prefetched` holds the rows, and in `pinned` every row read: the ORM session's identity map
keeps a row only while something refers to it, so holding them lets each `session.get` of a
record's template copy, case, action, family or person be answered without a query."""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from supervise.store.db.tables import (
    ActionItem,
    ActionReview,
    Amendment,
    CaseChild,
    CaseDiscussion,
    Child,
    Family,
    Person,
    SessionAnswer,
    SessionRecord,
    Signature,
    TemplateSnapshot,
    id_of,
)

_CHUNK = 500  # ids in one IN (...): well under any backend's limit on parameters


@dataclass
class Prefetched:
    signatures: dict[tuple[str, int], list[Signature]] = field(default_factory=dict)
    amendments: dict[tuple[str, int], list[Amendment]] = field(default_factory=dict)
    children: dict[int, list[Child]] = field(default_factory=dict)  # by case, in id order
    people: list[Person] = field(default_factory=list)  # in id order
    # a session's parts as answers_of, cases_of and reviews_in give them, by session id
    answers: dict[int, dict[str, Any]] = field(default_factory=dict)
    cases: dict[int, list[CaseDiscussion]] = field(default_factory=dict)
    reviews: dict[int, list[ActionReview]] = field(default_factory=dict)
    pinned: list[Any] = field(default_factory=list, repr=False)

    def signatures_of(self, record_type: str, record_id: int) -> list[Signature]:
        return self.signatures.get((record_type, record_id), [])

    def amendments_of(self, record_type: str, record_id: int) -> list[Amendment]:
        return self.amendments.get((record_type, record_id), [])

    def session_parts(self, session_id: int) -> tuple[dict[str, Any], list[CaseDiscussion],
                                                      list[ActionReview]]:
        """For `session_content(read=...)`."""
        return (self.answers.get(session_id, {}), self.cases.get(session_id, []),
                self.reviews.get(session_id, []))


def _chunks(ids: Iterable[Any]) -> Iterable[list[Any]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start:start + _CHUNK]


def pinned_rows(session: Session, session_ids: Iterable[int]) -> list[Any]:
    """The sessions an export's cases were discussed in, and everyone on the staff list: held,
    each later `session.get` of them (the chronology's names, a case's session) needs no
    query."""
    rows: list[Any] = [row for chunk in _chunks(session_ids) for row in session.exec(
        select(SessionRecord).where(col(SessionRecord.id).in_(chunk)))]
    return rows + list(session.exec(select(Person)))


def prefetch(session: Session, records: list[tuple[str, Any]]) -> Prefetched:
    """The rows `records` (and their amendments) are printed and listed from."""
    got = Prefetched()
    by_type: dict[str, list[int]] = defaultdict(list)
    for record_type, record in records:
        by_type[record_type].append(record.id)
    for record_type, ids in by_type.items():
        for chunk in _chunks(ids):
            for amendment in session.exec(select(Amendment).where(
                    Amendment.record_type == record_type, col(Amendment.record_id).in_(chunk))
                    .order_by(col(Amendment.number))):
                got.amendments.setdefault((record_type, amendment.record_id), []).append(
                    amendment)
    by_type["amendment"] = [id_of(a) for rows in got.amendments.values() for a in rows]
    for record_type, ids in by_type.items():
        for chunk in _chunks(ids):
            for signature in session.exec(select(Signature).where(
                    Signature.record_type == record_type, col(Signature.record_id).in_(chunk))
                    .order_by(col(Signature.id))):
                got.signatures.setdefault((record_type, signature.record_id), []).append(
                    signature)
    got.people = list(session.exec(select(Person).order_by(col(Person.id))))
    sessions = by_type.get("session", [])
    cases = [case for chunk in _chunks(sessions) for case in session.exec(
        select(CaseDiscussion).where(col(CaseDiscussion.session_id).in_(chunk))
        .order_by(col(CaseDiscussion.session_id), col(CaseDiscussion.position)))]
    for case in cases:
        got.cases.setdefault(case.session_id, []).append(case)
    for chunk in _chunks(sessions):
        for answer in session.exec(select(SessionAnswer).where(
                col(SessionAnswer.session_id).in_(chunk))):
            got.answers.setdefault(answer.session_id, {})[answer.section_id] = \
                json.loads(answer.value)
        for review in session.exec(select(ActionReview).where(
                col(ActionReview.session_id).in_(chunk)).order_by(col(ActionReview.id))):
            if review.session_id is not None:
                got.reviews.setdefault(review.session_id, []).append(review)
    for chunk in _chunks(c.id for c in cases):
        for link, child in session.exec(select(CaseChild, Child).join(
                Child, col(Child.id) == CaseChild.child_id)
                .where(col(CaseChild.case_id).in_(chunk)).order_by(col(Child.id))):
            got.children.setdefault(link.case_id, []).append(child)
            got.pinned.append(link)
    families = {c.family_id for c in cases if c.family_id is not None}
    got.pinned += [row for chunk in _chunks(families)
                   for row in session.exec(select(Family).where(col(Family.id).in_(chunk)))]
    got.pinned += [row for chunk in _chunks(sessions) for row in session.exec(
        select(ActionItem).where(col(ActionItem.session_id).in_(chunk)))]
    digests = {r.template_digest for _, r in records if getattr(r, "template_digest", None)}
    got.pinned += list(session.exec(select(TemplateSnapshot).where(
        col(TemplateSnapshot.digest).in_(sorted(digests)))))
    got.pinned += cases + got.people
    return got
