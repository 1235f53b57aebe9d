"""An organisation's policy as data (SPEC §3): frequencies by role or contract kind, stepped
schedules, when contracts are signed and reviewed, which templates each kind of contract uses,
whether group sessions count, term dates, the late-entry threshold, retention.

A policy is TOML; `parse_policy` checks it whole and lists every problem with its line.
"""

import fnmatch
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from supervise.domain.names import closest
from supervise.domain.policy.frequency import (
    ENGLAND_TERMS,
    Frequency,
    Schedule,
    Span,
    Step,
    Term,
    add_months,
    parse_frequency,
    parse_span,
)
from supervise.domain.policy.retention import KEYS as RETENTION_KEYS
from supervise.domain.policy.retention import RetentionRules, parse_rules
from supervise.domain.policy.templates import Problem
from supervise.domain.policy.tomlspots import syntax_error
from supervise.domain.records.canonical import sha256_hex
from supervise.domain.records.session_file import STATUSES
from supervise.domain.text import clean_line, counted
from supervise.errors import Hint, SuperviseError, UsageError

_TOP = ("id", "title", "source", "version", "default_kind", "default_frequency",
        "decision_template", "kinds", "frequency_rules", "schedules", "contract", "sessions",
        "supervisors", "terms", "retention")
_KIND = ("label", "frequency", "contract_template", "session_template", "duration")
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_CONTRACT = ("sign_before_session", "agree_within_days", "review_months")
_SESSIONS = ("group_counts", "ad_hoc_counts", "late_entry_days", "case_holder_max_interval",
             "child_discussion_interval")
CHILD_INTERVAL = Span(8, "w")  # a child on a plan or in care discussed at least this often
_SUPERVISORS = ("training_within_months",)


class PolicyError(SuperviseError):
    def __init__(self, origin: str, problems: list[Problem]) -> None:
        listed = "; ".join(str(p) for p in problems)
        super().__init__(f"Policy {origin} has {counted(len(problems), 'problem')}: {listed}")
        self.problems = problems


@dataclass(frozen=True)
class ContractKind:
    name: str
    label: str
    frequency: Frequency | None
    contract_template: str | None
    session_template: str | None
    duration: int | None  # expected minutes


@dataclass(frozen=True)
class RoleRule:
    role: str  # a pattern over job titles, e.g. "named*"; case does not matter
    every: Frequency
    kinds: tuple[str, ...] = ()  # the contract kinds it applies to (all when empty)

    def matches(self, role: str, kind: str) -> bool:
        return (not self.kinds or kind in self.kinds) and \
            fnmatch.fnmatchcase(role.casefold(), self.role.casefold())


def schedule_anchor(qualified: date | None, started: date | None) -> date | None:
    """A newly qualified worker's schedule runs from when they started in post, if later."""
    if qualified is None:
        return None
    return max(qualified, started) if started else qualified


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    version: int
    default_kind: str
    default_frequency: Frequency
    decision_template: str
    kinds: dict[str, ContractKind]
    rules: tuple[RoleRule, ...] = ()
    newly_qualified: Schedule | None = None
    sign_before_session: int = 1
    agree_within_days: int | None = None
    review_months: int = 12
    group_counts: bool = False
    ad_hoc_counts: bool = False
    late_entry_days: int = 2
    case_holder_max_interval: Frequency | None = None
    child_discussion_interval: Span = CHILD_INTERVAL
    training_within_months: int = 6
    terms: tuple[Term, ...] = ENGLAND_TERMS
    retention: dict[str, Any] = field(default_factory=dict)
    retention_rules: RetentionRules = RetentionRules()
    source: str = ""
    text: str = ""

    @property
    def digest(self) -> str:
        return sha256_hex(self.text.encode("utf-8"))

    def kind(self, name: str | None) -> ContractKind:
        chosen = name or self.default_kind
        if chosen not in self.kinds:
            raise UsageError(f"Unknown contract kind {chosen!r} in policy {self.id}:",
                             Hint.of("give_kind", kinds=", ".join(self.kinds)))
        return self.kinds[chosen]

    def frequency_for(self, kind: str, role: str, anchor: date | None,
                      on: date) -> tuple[Frequency, Schedule | None, str]:
        """The frequency a new contract takes by default, the schedule it follows if any, and
        why (for the user to see). `anchor`: when a newly qualified worker's schedule starts
        (see schedule_anchor)."""
        if anchor and self.newly_qualified:
            schedule = self.newly_qualified
            if on < schedule.steps[-1].until.after(anchor):
                return (schedule.on(anchor, on), schedule,
                        f"newly qualified, in post from {anchor}: {schedule.words()}")
        for rule in self.rules:
            if rule.matches(role, kind):
                return rule.every, None, f"the policy's frequency for roles like {rule.role!r}"
        contract_kind = self.kind(kind)
        if contract_kind.frequency:
            return contract_kind.frequency, None, f"the policy's frequency for {kind} contracts"
        return self.default_frequency, None, "the policy's default frequency"

    def review_on(self, start: date) -> date:
        return add_months(start, self.review_months)


def parse_policy(text: str, origin: str = "policy") -> Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line, message = syntax_error(error, text)
        raise PolicyError(origin, [Problem(line, f"TOML syntax error: {message}")]) from None
    reader = _Reader(text)
    policy = reader.policy(data)
    if reader.problems:
        raise PolicyError(origin, sorted(reader.problems, key=lambda p: p.line))
    return policy


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines()
        self.problems: list[Problem] = []

    def add(self, key: str, message: str) -> None:
        """A problem at the first line that sets `key` (its last dotted part)."""
        leaf = key.rsplit(".", 1)[-1].split("[")[0]
        line = next((n for n, raw in enumerate(self.lines, 1)
                     if raw.strip().startswith((f"{leaf} ", f"{leaf}=", f"[{key}", f"[[{key}"))),
                    1)
        self.problems.append(Problem(line, f"{key}: {message}"))

    def table(self, data: dict, key: str, allowed: tuple[str, ...] | None) -> dict:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.add(key, f"must be a table, written [{key}]")
            return {}
        for name in value if allowed is not None else ():
            if allowed is not None and name not in allowed:
                near = closest(name, list(allowed), limit=1)
                self.add(f"{key}.{name}", "unknown key" + (f"; did you mean `{near[0]}`?"
                                                          if near else ""))
        return value

    def frequency(self, value: Any, key: str) -> Frequency | None:
        try:
            return parse_frequency(value) if isinstance(value, str) else parse_frequency("?")
        except UsageError as error:
            self.add(key, error.message)
            return None

    def whole(self, data: dict, key: str, where: str, default: int, low: int = 0,
              high: int = 3650) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.add(f"{where}.{key}", f"must be a whole number from {low} to {high}")
            return default
        return value

    def one_line(self, data: dict, key: str, where: str, *, required: bool) -> str | None:
        value = data.get(key)
        if value is None and not required:
            return None
        try:
            if not isinstance(value, str):
                raise UsageError("missing")
            return clean_line(value, key)
        except UsageError as error:
            self.add(f"{where}{key}", f'must be one line of text, e.g. {key} = "…" '
                                      f"({error.message})")
            return None

    def span(self, data: dict, key: str, where: str, default: Span) -> Span:
        value = data.get(key)
        if value is None:
            return default
        try:
            return parse_span(value if isinstance(value, str) else "?", key)
        except UsageError as error:
            self.add(f"{where}.{key}", error.message)
            return default

    def flag(self, data: dict, key: str, where: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.add(f"{where}.{key}", "must be true or false")
            return default
        return value

    def policy(self, data: dict) -> Policy:
        for name in data:
            if name not in _TOP:
                near = closest(name, list(_TOP), limit=1)
                self.add(name, "unknown key" + (f"; did you mean `{near[0]}`?" if near else ""))
        policy_id = self.one_line(data, "id", "", required=True)
        if policy_id and not _NAME.match(policy_id):
            self.add("id", 'must be lowercase letters, digits and -, e.g. id = "our-policy"')
        title = self.one_line(data, "title", "", required=True)
        source = self.one_line(data, "source", "", required=False)
        version = self.whole(data, "version", "policy", 1, low=1, high=10_000)
        kinds = self.kinds(self.table(data, "kinds", None))
        default_kind = data.get("default_kind", next(iter(kinds), ""))
        if not isinstance(default_kind, str) or default_kind not in kinds:
            self.add("default_kind", f"{default_kind!r} is not one of the [kinds]: "
                                     f"{', '.join(kinds) or 'add a [kinds.NAME] table'}")
        default_frequency = self.frequency(data.get("default_frequency"), "default_frequency")
        decision = data.get("decision_template")
        if not isinstance(decision, str) or not decision:
            self.add("decision_template", 'missing: add decision_template = "ms-decision-record"')
        contract = self.table(data, "contract", _CONTRACT)
        sessions = self.table(data, "sessions", _SESSIONS)
        supervisors = self.table(data, "supervisors", _SUPERVISORS)
        retention = self.table(data, "retention", RETENTION_KEYS)
        retention_rules = parse_rules(retention, self.whole, self.add, tuple(STATUSES))
        agree = contract.get("agree_within_days")
        if agree is not None:
            agree = self.whole(contract, "agree_within_days", "contract", 7, low=1, high=365)
        return Policy(
            id=policy_id or "", title=title or "", version=version,
            default_kind=str(default_kind), default_frequency=default_frequency or Frequency("1m"),
            decision_template=str(decision), kinds=kinds, rules=self.rules(data, kinds),
            newly_qualified=self.schedule(data),
            sign_before_session=self.whole(contract, "sign_before_session", "contract", 1,
                                           low=1, high=52),
            agree_within_days=agree,
            review_months=self.whole(contract, "review_months", "contract", 12, low=1,
                                     high=36),
            group_counts=self.flag(sessions, "group_counts", "sessions", False),
            ad_hoc_counts=self.flag(sessions, "ad_hoc_counts", "sessions", False),
            late_entry_days=self.whole(sessions, "late_entry_days", "sessions", 2, high=90),
            case_holder_max_interval=(
                self.frequency(sessions["case_holder_max_interval"],
                               "sessions.case_holder_max_interval")
                if "case_holder_max_interval" in sessions else None),
            child_discussion_interval=self.span(sessions, "child_discussion_interval",
                                                "sessions", CHILD_INTERVAL),
            training_within_months=self.whole(supervisors, "training_within_months",
                                              "supervisors", 6, low=1, high=60),
            terms=self.terms(data), retention=retention,
            retention_rules=retention_rules, source=source or "",
            text=self.text,
        )

    def kinds(self, tables: dict) -> dict[str, ContractKind]:
        if not tables:
            self.add("kinds", "no contract kinds: add a [kinds.safeguarding] table")
        kinds = {}
        for name, spec in tables.items():
            where = f"kinds.{name}"
            if not isinstance(spec, dict):
                self.add(where, f"must be a table, written [{where}]")
                continue
            if not _NAME.match(name):
                self.add(where, "a kind's name is lowercase letters, digits and -, e.g. "
                                "[kinds.children-in-care]")
            self.table({where: spec}, where, _KIND)
            for key in ("label", "contract_template", "session_template"):
                if key in spec:
                    self.one_line(spec, key, f"{where}.", required=True)
            frequency = self.frequency(spec["frequency"], f"{where}.frequency") \
                if "frequency" in spec else None
            duration = self.whole(spec, "duration", where, 60, low=1, high=600) \
                if "duration" in spec else None
            kinds[name] = ContractKind(
                name=name, label=str(spec.get("label", name)), frequency=frequency,
                contract_template=spec.get("contract_template"),
                session_template=spec.get("session_template"), duration=duration)
        return kinds

    def rules(self, data: dict, kinds: dict[str, ContractKind]) -> tuple[RoleRule, ...]:
        value = data.get("frequency_rules", [])
        if not isinstance(value, list):
            self.add("frequency_rules", "must be a list of [[frequency_rules]] tables")
            return ()
        rules = []
        for number, rule in enumerate(value, start=1):
            where = f"frequency_rules[{number}]"
            if not isinstance(rule, dict) or not isinstance(rule.get("role"), str):
                self.add("frequency_rules", f'rule {number} needs role = "pattern" and every')
                continue
            every = self.frequency(rule.get("every"), f"{where}.every")
            applies = rule.get("kinds", [])
            if not isinstance(applies, list) or any(k not in kinds for k in applies):
                self.add(f"{where}.kinds", f"must list kinds from [kinds]: {', '.join(kinds)}")
                applies = []
            if every:
                rules.append(RoleRule(role=rule["role"], every=every, kinds=tuple(applies)))
        return tuple(rules)

    def schedule(self, data: dict) -> Schedule | None:
        spec = self.table(data, "schedules", None).get("newly-qualified")
        if spec is None:
            return None
        where = "schedules.newly-qualified"
        if not isinstance(spec, dict) or not isinstance(spec.get("steps", []), list):
            self.add(where, 'must be a table with steps = [{ every = "1w", until = "6w" }] '
                            'and then = "1m"')
            return None
        steps = []
        for number, step in enumerate(spec.get("steps", []), start=1):
            try:
                steps.append(Step(every=parse_frequency(step["every"]),
                                  until=parse_span(step["until"])))
            except (UsageError, KeyError, TypeError, AttributeError):
                self.add(f"{where}.steps", f'step {number} needs every = "1w" and until = "6w"')
        then = self.frequency(spec.get("then"), f"{where}.then")
        if not steps or then is None:
            return None
        return Schedule(name="newly-qualified", steps=tuple(steps), then=then)

    def terms(self, data: dict) -> tuple[Term, ...]:
        spec = self.table(data, "terms", None)
        if not spec:
            return ENGLAND_TERMS
        terms = []
        for name, span in spec.items():
            try:
                (start_month, start_day), (end_month, end_day) = (
                    tuple(int(part) for part in value.split("-")) for value in span)
                for month, day in ((start_month, start_day), (end_month, end_day)):
                    date(2023, month, day)  # not a leap year: 02-29 would fail three years in 4
                terms.append(Term(name, (start_month, start_day), (end_month, end_day)))
            except (ValueError, TypeError, AttributeError):
                self.add(f"terms.{name}", 'must be ["MM-DD", "MM-DD"], e.g. ["09-01", "12-31"]')
        return tuple(terms)
