"""Reports over the store: compliance with the policy's frequency (as rows, and as DOCX), the
balance of supervision's functions, drifting actions, children on plans not discussed lately,
and who is overdue for supervision. Facts are read by store/queries, weighed by domain/."""

from datetime import date
from pathlib import Path
from typing import Any

from supervise.app.unit import unit_of_work
from supervise.domain.oversight.balance import balance_rows
from supervise.domain.oversight.compliance import compliance as tally
from supervise.domain.oversight.compliance import group_rows
from supervise.domain.oversight.drift import drift_rows
from supervise.domain.oversight.overdue import Row, overdue_rows
from supervise.domain.oversight.report_document import compliance_document
from supervise.domain.oversight.unseen_children import WATCHED, unseen_rows
from supervise.domain.policy.frequency import Span
from supervise.errors import Hint
from supervise.export.bundle import write_single
from supervise.store.db.opening import Store
from supervise.store.integrity.audit_chain import append_event
from supervise.store.queries.export_records import organisation
from supervise.store.queries.overdue_facts import oversight_facts
from supervise.store.queries.report_facts import (
    balance_facts,
    children_facts,
    compliance_facts,
    drift_facts,
)
from supervise.store.records.people import find_person
from supervise.store.records.policies import current_policy

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
    with unit_of_work(store) as work:
        policy, _ = current_policy(work.session)
        spans, events = compliance_facts(work.session, policy, last)
        rows = group_rows(tally(spans, events, first, last, policy), first, last)
        if docx is not None:
            document = compliance_document(rows, organisation=organisation(work.session),
                                           policy=policy.title, author=work.actor,
                                           now=work.now, explanation=EXPLANATION)
            sha = write_single(docx, document, force=force,
                               taken=Hint.of("another_docx_or_force"),
                               no_folder=Hint.of("create_folder_or_another_docx"))
            append_event(work, action="report.compliance",
                         detail={"from": rows[0]["from"], "to": rows[0]["to"], "sha256": sha})
        return rows


def balance(store: Store, day: date, *, supervisee: str | None, sessions: int | None,
            months: int | None) -> list[dict[str, Any]]:
    """How often each function was covered, per supervisee (one, when named), over their last
    `sessions` sessions or the last `months` months to `day`."""
    with unit_of_work(store) as work:
        person = find_person(work.session, supervisee) if supervisee else None
        seen = balance_facts(work.session, day, person.id if person else None)
    return balance_rows(seen, day, sessions=sessions, months=months)


def drift(store: Store, day: date) -> list[dict[str, Any]]:
    """Actions carried forward twice or more, or long overdue, on `day`."""
    with unit_of_work(store) as work:
        facts = drift_facts(work.session, day)
    return drift_rows(facts, day)


def unseen_children(store: Store, day: date) -> tuple[list[dict[str, Any]], Span]:
    """Children on a plan or looked after not discussed within the policy's interval (which
    comes back with them)."""
    with unit_of_work(store) as work:
        policy, _ = current_policy(work.session)
        facts = children_facts(work.session, day, WATCHED)
    interval = policy.child_discussion_interval
    return unseen_rows(facts, day, interval), interval


def overdue(store: Store, day: date, *, supervisor: str | None) -> list[Row]:
    """Everyone's supervision on `day`, most overdue first, with what is flagged (only one
    supervisor's supervisees, when named)."""
    with unit_of_work(store) as work:
        chosen = find_person(work.session, supervisor).name if supervisor else None
        policy, _ = current_policy(work.session)
        rows = overdue_rows(oversight_facts(work.session, policy, day), policy, day)
    return [r for r in rows if chosen is None or r.supervisor == chosen]
