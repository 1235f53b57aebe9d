"""Reports over the store: compliance with the policy's frequency (as rows, and as DOCX), the
balance of supervision's functions, drifting actions, and children on plans not discussed
lately. Facts are read by store/queries, weighed by domain/; who is overdue is app/overdue.py."""

from datetime import date
from pathlib import Path
from typing import Any

from supervise.app.unit import reading, unit_of_work
from supervise.domain.oversight.balance import balance_rows
from supervise.domain.oversight.compliance import compliance as tally
from supervise.domain.oversight.compliance import group_rows
from supervise.domain.oversight.drift import drift_rows
from supervise.domain.oversight.unseen_children import WATCHED, unseen_rows
from supervise.domain.policy.frequency import Span
from supervise.domain.policy.organisation_policy import Policy
from supervise.store.db.opening import Store
from supervise.store.db.reading import Reader, reader_of
from supervise.store.queries.person_lookup import person_named
from supervise.store.queries.policy_read import policy_read
from supervise.store.queries.report_facts import children_facts, compliance_facts, drift_facts

EXPLANATION = (
    "Each contract's sessions are due at its frequency from the last session that counts under "
    "the policy (not ad hoc, group only where the policy says so). A due date met by a session "
    "on or before it is on time; a due date that passes with no session is missed, and the next "
    "runs on from it. Held counts the sessions that count. Cancellations, late entries and "
    "unsigned records are counted by the month the meeting was due or held.")


def compliance(store: Store, first: date, last: date, *, docx: Path | None = None,
               force: bool = False) -> list[dict[str, Any]]:
    """Sessions held against sessions due from `first` to `last`: the organisation's row first,
    then each team's and supervisor's. With `docx`, the report is also written there (with a
    chart of the monthly series) and the audit trail keeps its SHA-256."""
    if docx is None:  # only reads: plain SQL, no ORM and no DOCX writer loaded
        with reading(store) as read:
            return _compliance_rows(read.reader, first, last)[0]
    from supervise.domain.oversight.report_document import compliance_document
    from supervise.errors import Hint
    from supervise.export.bundle import write_single
    from supervise.store.integrity.audit_append import append_event
    from supervise.store.queries.export_records import organisation

    with unit_of_work(store) as work:
        rows, policy = _compliance_rows(reader_of(work.session), first, last)
        document = compliance_document(rows, organisation=organisation(work.session),
                                       policy=policy.title, author=work.actor,
                                       now=work.now, explanation=EXPLANATION)
        sha = write_single(docx, document, force=force,
                           taken=Hint.of("another_docx_or_force"),
                           no_folder=Hint.of("create_folder_or_another_docx"))
        append_event(work, action="report.compliance",
                     detail={"from": rows[0]["from"], "to": rows[0]["to"], "sha256": sha})
    return rows


def _compliance_rows(reader: Reader, first: date, last: date) -> tuple[list[dict], Policy]:
    policy, _ = policy_read(reader)
    spans, events = compliance_facts(reader, policy, last, first)
    return group_rows(tally(spans, events, first, last, policy), first, last), policy


def balance(store: Store, day: date, *, supervisee: str | None, sessions: int | None,
            months: int | None) -> list[dict[str, Any]]:
    """How often each function was covered, per supervisee (one, when named), over their last
    `sessions` sessions or the last `months` months to `day`."""
    from supervise.store.queries.balance_facts import balance_facts  # loads the ORM

    with unit_of_work(store) as work:
        person = person_named(reader_of(work.session), supervisee)[0] if supervisee else None
        seen = balance_facts(work.session, day, person)
    return balance_rows(seen, day, sessions=sessions, months=months)


def drift(store: Store, day: date) -> list[dict[str, Any]]:
    """Actions carried forward twice or more, or long overdue, on `day`."""
    with reading(store) as read:
        facts = drift_facts(read.reader, day)
    return drift_rows(facts, day)


def unseen_children(store: Store, day: date) -> tuple[list[dict[str, Any]], Span]:
    """Children on a plan or looked after not discussed within the policy's interval (which
    comes back with them)."""
    with reading(store) as read:
        policy, _ = policy_read(read.reader)
        facts = children_facts(read.reader, day, WATCHED)
    interval = policy.child_discussion_interval
    return unseen_rows(facts, day, interval), interval
