"""What a record's printout is drawn from (SPEC §7), read in one go: its signed content as the
export's `Cut` keeps it, its template, the names of everyone it mentions, its signatures and
amendments, and the actions read beside the signed parts. `domain/printouts/` lays them out;
nothing here decides how a page looks."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from supervise.domain.printouts.facts import (
    ActionFacts,
    AmendmentFacts,
    CaseDecision,
    PrintFacts,
)
from supervise.domain.records.signing import signing_word
from supervise.domain.rows import SignatureRow
from supervise.errors import Hint, StoreFileError
from supervise.store.db.tables import ActionItem, Amendment, Person
from supervise.store.queries.export_reads import Prefetched
from supervise.store.queries.extract_cuts import Choice, Cut, amendment_choice, choose
from supervise.store.records.amendments import amendable_sections, amendments_of
from supervise.store.records.content import session_of_decision
from supervise.store.records.contracts import status as contract_status
from supervise.store.records.policies import current_policy
from supervise.store.records.session_parts import (
    actions_raised,
    case_decision,
    contact_words,
)
from supervise.store.records.signatures import signing_summary
from supervise.store.records.template_snapshots import snapshot


@dataclass
class Gathered:
    """A record's printout facts, with the export's choice of parts behind them and its
    amendments' (for the manifest entries)."""

    facts: PrintFacts
    choice: Choice
    amended: list[tuple[Amendment, Choice]]


def names_of(session: Session, ids: set[Any], pre: Prefetched | None = None) -> dict[int, str]:
    """Each person's name by id, `(unknown)` for an id no one has (as `person_name` says)."""
    wanted = sorted(i for i in ids if isinstance(i, int))
    if pre is not None:
        found = {p.id: p.name for p in pre.people}
    else:
        found = {row[0]: row[1] for row in session.exec(
            select(Person.id, Person.name).where(col(Person.id).in_(wanted)))}
    return {i: found.get(i, "(unknown)") for i in wanted}


def titles_of(session: Session, names: set[str],
              pre: Prefetched | None = None) -> dict[str, str]:
    """Each named person's job title, by name, for those who have one."""
    rows = [(p.name, p.role) for p in pre.people if p.name in names] if pre is not None \
        else session.exec(select(Person.name, Person.role).where(
            col(Person.name).in_(sorted(names))))
    return {row[0]: row[1] for row in rows if row[1]}


def _action(row: ActionItem | None) -> ActionFacts:
    if row is None or row.id is None:
        raise StoreFileError("An action a record refers to is missing from the store:",
                             Hint.of("verify_audit"))
    return ActionFacts(row.id, row.text, row.owner_id, row.session_id,
                       row.agreed_due_on or row.due_on, contact=contact_words(row))


def _amendment(session: Session, amendment: Amendment, record: Any,
               choice: Choice) -> AmendmentFacts:
    question = None
    if amendment.section and 0 not in choice.omitted:
        sections = amendable_sections(session, amendment.record_type, record,
                                      amendment.case_position)
        question = sections.get(amendment.section, (amendment.section,))[0]
    return AmendmentFacts(
        number=amendment.number, section=amendment.section, case=amendment.case_position,
        author=amendment.author_id, created_at=amendment.created_at, content=choice.content,
        omitted=choice.omitted, question=question,
        summary=signing_summary(session, "amendment", amendment))


def printout_facts(session: Session, record_type: str, record: Any, cut: Cut, *,
                   today: date, pre: Prefetched | None = None) -> Gathered:
    """Everything a contract, session or decision record's printout shows, as plain facts
    (`pre`: the rows of a bundle's records, read together)."""
    choice = choose(session, record_type, record, cut, pre)
    content, omitted = choice.content, choice.omitted
    header, parts = content.header, content.parts
    summary = signing_summary(session, record_type, record)
    amended = [(a, amendment_choice(session, a, record, choice, cut, pre))
               for a in (pre.amendments_of(record_type, record.id) if pre is not None
                         else amendments_of(session, record_type, record.id))]
    amendments = tuple(_amendment(session, a, record, c) for a, c in amended)
    included = [part for index, part in enumerate(parts) if index not in omitted]
    actions: tuple[ActionFacts, ...] = ()
    reviewed: dict[int, ActionFacts] = {}
    decisions: dict[int, CaseDecision] = {}
    session_signatures: tuple[SignatureRow, ...] = ()
    if record_type == "decision":
        held_in = session_of_decision(session, record)
        actions = tuple(_action(a) for a in actions_raised(session, held_in)
                        if a.case_id == record.case_id)
        session_signatures = tuple(signing_summary(session, "session", held_in)["signatures"])
    if record_type == "session":
        reviewed = {part["review_of"]: _action(session.get(ActionItem, part["review_of"]))
                    for part in included if "review_of" in part}
        cases = choice.cases
        for part in included:
            if "status" in part and "case" in part and part["decision"]:
                decision = case_decision(session, cases[part["case"]])
                if decision is None or decision.id is None:
                    raise StoreFileError(f"Session {record.id}'s decision record for case "
                                         f"{part['case']} is missing:", Hint.of("verify_audit"))
                decisions[part["case"]] = CaseDecision(decision.id,
                                                       snapshot(session, decision.template_digest))
    people: set[Any] = {header.get("supervisor"), header.get("supervisee"),
                        *(header.get("supervisees") or [])}
    people.update(part["owner"] for part in included if "action" in part and part["owner"])
    people.update(part["answer"] for part in included if part.get("group") == "concern_lead")
    people.update(a.owner for a in (*actions, *reviewed.values()))
    people.update(a.author for a in amendments)
    names = names_of(session, people, pre)
    signers = {s["name"] for s in (*summary["signatures"], *session_signatures,
                                   *(s for a in amendments for s in a.summary["signatures"]))}
    return Gathered(PrintFacts(
        record_type=record_type, content=content, omitted=omitted,
        hidden=tuple(sorted(choice.outside | cut.outside)),
        template=snapshot(session, record.template_digest), names=names,
        summary=summary, status=signing_word(summary, unsigned="not signed"),
        state=contract_status(session, record, today) if record_type == "contract" else None,
        amendments=amendments, actions=actions, reviewed=reviewed, decisions=decisions,
        titles=titles_of(session, set(names.values()) | signers, pre),
        kind_labels={k.name: k.label for k in current_policy(session)[0].kinds.values()}
        if record_type == "contract" else {},
        session_signatures=session_signatures,
        sentences_left_out=choice.sentences_left_out),
        choice, amended)
