"""Who is overdue for supervision, and what else needs a supervisor's eye (SPEC §8).

Pure rules over facts the store gathers: which sessions count, when the next is due, the status
and every flag, at an as-of date D.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from supervise.domain.policy.frequency import (
    Frequency,
    Schedule,
    add_months,
    frequency_on,
    next_due,
    term_end_on,
)
from supervise.domain.policy.organisation_policy import Policy, schedule_anchor
from supervise.domain.policy.templates import SESSION_KINDS
from supervise.domain.text import counted

DUE_SOON_DAYS = 7
UNSIGNED_AFTER_DAYS = 7  # a completed session still unsigned this long after it was held
FLAGS = ("no-contract", "contract-unsigned", "contract-review-due", "actions-overdue",
         "record-incomplete", "record-unsigned", "cancelled-not-rebooked",
         "supervisor-training-due")
KEYS = ("supervisee", "supervisor", "frequency", "last_session", "due", "status",
        "days_overdue", "flags")


def counting_kinds(policy: Policy) -> tuple[str, ...]:
    """The kinds of session that count toward the frequency: never ad hoc or group unless the
    policy says so (cancelled meetings are not sessions at all, drafts never count)."""
    return tuple(kind for kind in SESSION_KINDS
                 if (kind != "group" or policy.group_counts)
                 and (kind != "ad-hoc" or policy.ad_hoc_counts))


def in_force(start: date, ended: date | None, successor_start: date | None, on: date) -> bool:
    """A contract is in force from its start until it is ended or its review takes over."""
    return start <= on and (ended is None or ended > on) and \
        (successor_start is None or successor_start > on)


@dataclass(frozen=True)
class ContractFacts:
    kind: str
    supervisor: str
    frequency: Frequency
    start: date
    review: date
    signed: bool  # by both parties
    schedule: Schedule | None = None
    schedule_from: date | None = None
    sessions_since_start: int = 0  # counting sessions held from its start to D

    def frequency_on(self, day: date) -> Frequency:
        return frequency_on(self.frequency, self.schedule, self.schedule_from, day)


@dataclass
class PersonFacts:
    """One person as the rules need them, at D (sessions held after D are not in it)."""

    name: str
    role: str = ""
    requires_supervision: bool = True
    started: date | None = None  # in post from
    listed: date | None = None  # added to the register: no records of theirs before it
    left: date | None = None
    newly_qualified: date | None = None
    supervisor_since: date | None = None  # None: not a supervisor
    trained_on: date | None = None
    contracts: list[ContractFacts] = field(default_factory=list)  # in force at D
    last_by_kind: dict[str | None, date] = field(default_factory=dict)  # by contract kind
    last_any: date | None = None  # the last session of any kind, counted or not
    last_supervisor: str | None = None  # who led that session
    draft_since: date | None = None  # the oldest open draft's start
    unsigned_since: date | None = None  # the oldest completed session not signed by all
    actions_overdue: int = 0  # open staff-owned actions past due (not a contact's)
    not_rebooked: date | None = None  # the last cancelled meeting with no date rebooked


@dataclass(frozen=True)
class Row:
    supervisee: str
    supervisor: str | None
    frequency: str | None
    last_session: date | None
    due: date | None
    status: str
    days_overdue: int
    flags: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """SPEC §8's `--json` row: exactly these keys, dates as YYYY-MM-DD or null."""
        return {
            "supervisee": self.supervisee, "supervisor": self.supervisor,
            "frequency": self.frequency,
            "last_session": self.last_session.isoformat() if self.last_session else None,
            "due": self.due.isoformat() if self.due else None, "status": self.status,
            "days_overdue": self.days_overdue, "flags": list(self.flags),
        }

    @property
    def needs_attention(self) -> bool:
        return self.status != "ok" or bool(self.flags)


def due_after(last: date | None, start: date | None, frequency: Frequency,
              policy: Policy) -> date:
    """SPEC §8: from the last counted session, or the contract start if none; `termly` is the
    end of the term after the last session's, or the end of the start's term if none."""
    if last is not None:
        return next_due(last, frequency, policy.terms)
    if start is None:
        raise ValueError("due_after needs the last session or a start")
    if frequency.span is None:
        return term_end_on(policy.terms, start)
    return frequency.span.after(start)


def status_of(due: date | None, on: date) -> tuple[str, int]:
    if due is None:
        return "ok", 0
    if on > due:
        return "overdue", (on - due).days
    return ("due-soon" if (due - on).days <= DUE_SOON_DAYS else "ok"), 0


def _last_for(person: PersonFacts, contract: ContractFacts) -> date | None:
    """Sessions recorded under the person's other contract kinds count for those only; the
    rest (no contract, or a kind they no longer hold) count for every contract."""
    others = {c.kind for c in person.contracts} - {contract.kind}
    dates = [day for kind, day in person.last_by_kind.items() if kind not in others]
    return max(dates, default=None)


def _person_flags(person: PersonFacts, policy: Policy, on: date) -> list[str]:
    flags = []
    if person.actions_overdue:
        flags.append("actions-overdue")
    if person.draft_since and (on - person.draft_since).days > policy.late_entry_days:
        flags.append("record-incomplete")
    if person.unsigned_since and (on - person.unsigned_since).days > UNSIGNED_AFTER_DAYS:
        flags.append("record-unsigned")
    if person.not_rebooked and (person.last_any is None or person.last_any <= person.not_rebooked):
        flags.append("cancelled-not-rebooked")
    if training_due(person, policy, on):
        flags.append("supervisor-training-due")
    return flags


def training_due(person: PersonFacts, policy: Policy, on: date) -> date | None:
    """The supervisor-training deadline when it is near or past and no training is recorded."""
    if person.supervisor_since is None or person.trained_on is not None:
        return None
    deadline = add_months(person.supervisor_since, policy.training_within_months)
    return deadline if (deadline - on).days <= DUE_SOON_DAYS else None


def _ordered_flags(flags: list[str]) -> tuple[str, ...]:
    return tuple(flag for flag in FLAGS if flag in flags)


def rows_for(person: PersonFacts, policy: Policy, on: date) -> list[Row]:
    """One row per contract in force; one for someone who needs supervision and has none; one
    for a supervisor who is not supervised here but whose training is due."""
    if (person.left and person.left <= on) or (person.started and person.started > on):
        return []
    shared = _person_flags(person, policy, on)
    rows = []
    for contract in person.contracts:
        flags = list(shared)
        if not contract.signed and \
                contract.sessions_since_start >= policy.sign_before_session - 1:
            flags.append("contract-unsigned")
        if (contract.review - on).days <= DUE_SOON_DAYS:
            flags.append("contract-review-due")
        frequency = contract.frequency_on(on)
        last = _last_for(person, contract)
        due: date | None = due_after(last, contract.start, frequency, policy)
        status, days = status_of(due, on)
        rows.append(Row(person.name, contract.supervisor, str(frequency), last, due, status,
                        days, _ordered_flags(flags)))
    if rows:
        return rows
    last = max(person.last_by_kind.values(), default=None)
    if person.requires_supervision:
        anchor = schedule_anchor(person.newly_qualified, person.started)
        frequency, _, _ = policy.frequency_for(policy.default_kind, person.role, anchor, on)
        start = max((d for d in (person.started, person.listed) if d), default=None)
        due = due_after(last, start, frequency, policy) if (last or start) else None
        status, days = status_of(due, on)
        return [Row(person.name, person.last_supervisor, str(frequency), last, due, status,
                    days, _ordered_flags([*shared, "no-contract"]))]
    if shared:
        return [Row(person.name, None, None, last, None, "ok", 0, _ordered_flags(shared))]
    return []


def _urgency(row: Row) -> tuple:
    rank = {"overdue": 0, "due-soon": 1, "ok": 2}[row.status]
    return (rank, -row.days_overdue, row.due or date.max, -len(row.flags),
            row.supervisee.casefold())


def overdue_rows(people: list[PersonFacts], policy: Policy, on: date) -> list[Row]:
    """Every row at D, most overdue first."""
    return sorted((row for person in people for row in rows_for(person, policy, on)),
                  key=_urgency)


def summary(rows: list[Row], on: date) -> str:
    overdue = sum(r.status == "overdue" for r in rows)
    soon = sum(r.status == "due-soon" for r in rows)
    flagged = sum(bool(r.flags) for r in rows)
    return (f"{overdue} overdue, {soon} due soon, {flagged} flagged "
            f"({counted(len(rows), 'supervision')} checked on {on.isoformat()}).")
