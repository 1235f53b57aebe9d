"""Supervision sessions as a whole: recorded from an answers file, started as a draft (then
answered answer by answer, app/drafting.py), completed, listed, shown, resumed, cancelled and
discarded. Every function is one transaction and returns plain data."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from supervise.app.unit import unit_of_work
from supervise.domain.answers import Problems, read_answers_text
from supervise.domain.policy.organisation_policy import Policy
from supervise.domain.policy.templates import Template
from supervise.domain.records.session_file import check_session_file
from supervise.domain.rows import SessionDetail, SessionRow
from supervise.errors import Hint, SuperviseError
from supervise.store.catalog import Catalog, read_text
from supervise.store.db.opening import Store
from supervise.store.db.tables import id_of
from supervise.store.queries import session_rows
from supervise.store.records import sessions
from supervise.store.records.answers_file import contract_for, record_session, session_template_id
from supervise.store.records.cancellations import cancel_meeting
from supervise.store.records.contracts import supervisor_in_force
from supervise.store.records.numbered import find_session
from supervise.store.records.people import find_person, names_in_post, person_name
from supervise.store.records.policies import current_policy, policy_in_force
from supervise.store.records.template_snapshots import snapshot


def read_answers_file(path: Path) -> dict[str, Any]:
    """An answers file (TOML or JSON) as its table, read before the store is unlocked."""
    return read_answers_text(read_text(path, "answers file"), path.suffix)


def record_from_answers(store: Store, templates: Catalog, data: dict[str, Any], *,
                        origin: str) -> tuple[int, str]:
    """A whole session, completed, from an answers table: every problem is listed together and
    nothing is written if there is one. Returns (session number, template id)."""
    with unit_of_work(store) as work:
        policy, version = policy_in_force(work)
        contract = None
        names = data.get("supervisees") or []
        if not data.get("template") and isinstance(names, list) and names and \
                isinstance(names[0], str):  # anything else is reported with the rest below
            try:
                contract = contract_for(work.session, find_person(work.session, names[0]),
                                        policy, None)
            except SuperviseError:  # an unknown name is reported with the others below
                contract = None
        template_id = session_template_id(policy, contract, data.get("template"))
        chosen = templates.get(str(template_id), kind="session")
        decision = templates.get(policy.decision_template, kind="decision")
        problems = Problems()
        parsed = check_session_file(chosen, {**data, "template": chosen.id}, work.now.date(),
                                    problems, decision=decision)
        record_id = record_session(work, parsed, template=chosen,
                                   decision_template=decision, policy=policy,
                                   policy_version=version, problems=problems, origin=origin)
        return record_id, chosen.id


def staff_names(store: Store) -> list[str]:
    """The names of the staff in post, offered when a name is asked for."""
    with unit_of_work(store) as work:
        return names_in_post(work.session)


def drafts_of(store: Store, supervisees: list[str]) -> list[tuple[int, date]]:
    """(number, held on) of each draft session these supervisees are in."""
    with unit_of_work(store) as work:
        people = [find_person(work.session, n) for n in supervisees]
        return [(id_of(d), d.held_on) for d in sessions.drafts_for(work.session, people)]


@dataclass(frozen=True)
class SessionPlan:
    """What a new session takes from the policy and the first supervisee's contract."""

    policy: Policy
    policy_version: int
    supervisor: str | None  # the contract's supervisor, if there is a contract
    template_id: str
    contract_id: int | None
    duration: int | None  # the contract's usual length, offered as the default


def plan_session(store: Store, supervisees: list[str], template: str | None) -> SessionPlan:
    with unit_of_work(store) as work:
        policy, version = policy_in_force(work)
        people = [find_person(work.session, n) for n in supervisees]
        contract = contract_for(work.session, people[0], policy, template)
        return SessionPlan(
            policy=policy, policy_version=version,
            supervisor=person_name(work.session, contract.supervisor_id) if contract else None,
            template_id=session_template_id(policy, contract, template),
            contract_id=contract.id if contract else None,
            duration=contract.duration_minutes if contract else None)


def session_template(templates: Catalog, template_id: str, kind: str) -> Template:
    """The agenda, refused when it is not for this kind of session."""
    template = templates.get(template_id, kind="session")
    if kind not in template.session_kinds:
        raise SuperviseError(f"{template.id} is not for {kind} sessions:",
                             Hint.of("session_template_kinds",
                                     kinds=", ".join(template.session_kinds)))
    return template


def start_session(store: Store, plan: SessionPlan, template: Template, *, kind: str,
                  supervisor: str, supervisees: list[str], held_on: date,
                  start_time: str | None, duration: int | None) -> int:
    """A new draft session; its number."""
    with unit_of_work(store) as work:
        record = sessions.start_draft(
            work, template=template, kind=kind,
            supervisor=find_person(work.session, supervisor),
            supervisees=[find_person(work.session, n) for n in supervisees], held_on=held_on,
            start_time=start_time, duration=duration, contract_id=plan.contract_id,
            policy=plan.policy, policy_version=plan.policy_version)
        return id_of(record)


def complete_session(store: Store, session_id: int) -> None:
    """A draft checked and completed: its digest fixed, its action reviews in effect."""
    with unit_of_work(store) as work:
        policy, _ = current_policy(work.session)
        sessions.complete(work, find_session(work.session, session_id), policy=policy)


def list_sessions(store: Store, *, supervisee: str | None, supervisor: str | None,
                  start: date | None, end: date | None, kind: str | None,
                  status: str | None) -> list[SessionRow]:
    """Session rows, oldest first; `status` is draft, completed, partly signed or signed."""
    with unit_of_work(store) as work:
        s = work.session
        rows = [session_rows.session_row(s, r) for r in session_rows.list_sessions(
            s, supervisee=find_person(s, supervisee) if supervisee else None,
            supervisor=find_person(s, supervisor) if supervisor else None,
            start=start, end=end, kind=kind,
            status="draft" if status == "draft" else "completed" if status else None)]
    return [r for r in rows if status is None or r["status"] == status]


def show_session(store: Store, session_id: str) -> SessionDetail:
    with unit_of_work(store) as work:
        return session_rows.session_detail(work.session, find_session(work.session, session_id))


@dataclass(frozen=True)
class Resumable:
    id: int
    template: Template
    held_on: date


def draft_to_resume(store: Store, session_id: str) -> Resumable:
    """A draft session and its agenda; anything else is refused."""
    with unit_of_work(store) as work:
        record = find_session(work.session, session_id)
        if record.status != "draft":
            raise SuperviseError(f"Session {record.id} is {record.status}: only a draft can be "
                                 f"resumed.", Hint.of("amend_not_resume", session=record.id))
        return Resumable(id_of(record), snapshot(work.session, record.template_digest),
                         record.held_on)


def cancel(store: Store, *, supervisee: str, meeting_on: date, by: str, reason: str,
           rebooked: date | None) -> int:
    """A cancelled meeting recorded; the cancellation's number."""
    with unit_of_work(store) as work:
        person = find_person(work.session, supervisee)
        row = cancel_meeting(work, supervisee=person,
                             supervisor=supervisor_in_force(work.session, person),
                             meeting_on=meeting_on, by=by, reason=reason, rebooked=rebooked)
        return id_of(row)


def session_status(store: Store, session_id: str) -> tuple[date, str]:
    """(held on, status) of a session."""
    with unit_of_work(store) as work:
        record = find_session(work.session, session_id)
        return record.held_on, record.status


def discard(store: Store, session_id: str) -> None:
    """A draft thrown away (never a completed record); the audit trail keeps that it was."""
    with unit_of_work(store) as work:
        sessions.discard_draft(work, find_session(work.session, session_id))
