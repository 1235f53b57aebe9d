"""Walking the agenda in the meeting. Every answer is saved in its own transaction the moment it
is given, so Ctrl-C, a closed terminal or a killed process loses at most the answer being typed;
`session resume` picks up from what is stored."""

from datetime import date, timedelta
from typing import Any

from supervise.cli import prompts
from supervise.cli.context import AppState, catalog, now, open_store
from supervise.cli.output import out
from supervise.cli.questions import ask
from supervise.domain.templates import FIELD_TYPES, Template
from supervise.errors import SuperviseError

OUTCOMES = ["done", "carried", "dropped"]
STATUS_CHOICES = ["none", "early-help", "child-in-need", "child-protection", "looked-after"]


def _date(question: str, default: date, hint: str) -> date:
    from supervise.domain.dates import parse_date

    while True:
        try:
            return parse_date(prompts.text(question, hint=hint, default=default.isoformat()),
                              "the date")
        except SuperviseError as error:
            out.message(f"  {error.message}")


def _optional_int(question: str, default: int | None, hint: str) -> int | None:
    while True:
        raw = prompts.text(question, hint=hint, default=str(default or "")).strip()
        if not raw:
            return None
        if raw.isdigit() and 0 < int(raw) <= 600:
            return int(raw)
        out.message("  Give the number of minutes, e.g. 60, or leave it blank.")


def walk_new(state: AppState, flags: dict[str, Any]) -> None:
    from supervise.domain.dates import parse_optional_date
    from supervise.domain.session_file import TIME_PATTERN
    from supervise.store.people import find_person, list_people
    from supervise.store.policies import policy_in_force
    from supervise.store.recording import contract_for
    from supervise.store.sessions import start_draft

    moment = now()
    with open_store(state) as store:
        with store.session() as session:
            names = [p.name for p in list_people(session, include_left=False)]
        kind = flags.get("kind") or "one-to-one"
        chosen = list(flags.get("supervisees") or [])
        if not chosen:
            chosen.append(prompts.name("Supervisee:", names, hint="give --supervisee NAME."))
        while kind == "group" and (len(chosen) < 2 or prompts.confirm(
                "Another supervisee in the group?", hint="give --supervisee for each.")):
            chosen.append(prompts.name("Supervisee:", names, hint="give --supervisee NAME."))
        with store.session() as session:
            policy, version = policy_in_force(session, now=moment, actor=store.actor)
            supervisees = [find_person(session, n) for n in chosen]
            contract = contract_for(session, supervisees[0], policy, flags.get("template"))
            supervisor_name = flags.get("supervisor") or (
                find_person_name(session, contract.supervisor_id) if contract else None)
            contract_kind = policy.kinds.get(contract.kind) if contract else policy.kind(None)
            contract_id = contract.id if contract else None
            duration_default = (contract.duration_minutes if contract else None)
        if supervisor_name is None:
            supervisor_name = prompts.name("Supervisor:", names, default=store.actor,
                                           hint="give --supervisor NAME.")
        template_id = flags.get("template") or (
            contract_kind.session_template if contract_kind else None) or "ms-supervision-record"
        template = catalog().get(template_id, kind="session")
        if kind not in template.session_kinds:
            raise SuperviseError(f"{template.id} is not for {kind} sessions: use one of "
                                 f"{', '.join(template.session_kinds)} or another --template.")
        held_on = parse_optional_date(flags.get("date"), "--date") or _date(
            "Date held:", moment.date(), "give --date YYYY-MM-DD.")
        start_time = flags.get("time")
        if start_time is None:
            start_time = prompts.text("Start time (HH:MM, blank if not noted):",
                                      hint="give --time HH:MM.").strip() or None
        if start_time is not None and not TIME_PATTERN.match(start_time):
            raise SuperviseError(f"The start time {start_time!r} is not HH:MM, e.g. 14:30.")
        duration = flags.get("duration") or _optional_int(
            "Duration in minutes:", duration_default, "give --duration MINUTES.")
        with store.session() as session:
            record = start_draft(
                session, template=template, kind=kind,
                supervisor=find_person(session, supervisor_name), supervisees=[
                    find_person(session, n) for n in chosen], held_on=held_on,
                start_time=start_time, duration=duration, contract_id=contract_id,
                policy=policy, policy_version=version, now=moment, actor=store.actor)
            record_id = record.id
        out.message(f"Session {record_id} started ({template.title}). Every answer is saved as "
                    f"you give it; Ctrl-C stops, `supervise session resume {record_id}` goes on.")
        walk(store, record_id, template)


def find_person_name(session, person_id: int) -> str:
    from supervise.store.models import Person

    return session.get(Person, person_id).name


def walk(store, record_id: int, template: Template) -> None:
    """Ask every question not yet answered, saving each answer at once; then complete."""
    try:
        _group(store, record_id, template)
        for section in template.sections:
            if section.type in FIELD_TYPES:
                _field(store, record_id, section)
            elif section.type == "action_review":
                _action_review(store, record_id, section)
            elif section.type == "cases":
                _cases(store, record_id, template, section)
            elif section.type == "actions":
                _actions(store, record_id, section)
            elif section.type == "next_meeting":
                _next_meeting(store, record_id, section)
    except KeyboardInterrupt:
        out.message(f"\nStopped. Everything answered is saved: `supervise session resume "
                    f"{record_id}` continues.")
        raise
    from supervise.store.sessions import complete, find_session

    with store.session() as session:
        complete(session, find_session(session, record_id), now=now(), actor=store.actor)
    out.message(f"Session {record_id} completed. Not signed yet.")
    out.data(str(record_id))


def _group(store, record_id: int, template: Template) -> None:
    """A group record says what the group agreed on confidentiality and who takes forward an
    immediate concern, whatever its template asks."""
    from supervise.domain.session_file import GROUP_KEYS
    from supervise.store.people import find_person
    from supervise.store.sessions import answers_of, save_answer

    kind, answered = _saved(store, record_id, lambda s, r: (r.kind, answers_of(s, r)))
    if kind != "group":
        return
    hint = "give group_confidentiality and concern_lead in an answers file."
    for key, what in GROUP_KEYS.items():
        if template.section(key) is not None or key in answered:
            continue
        question = f"For this group: {what}:"
        value = ""
        while not value.strip():
            value = prompts.name(question, _names(store), hint=hint) if key == "concern_lead" \
                else prompts.note(question, hint=hint)
        _saved(store, record_id, lambda s, r, k=key, v=value: save_answer(
            s, r, k, find_person(s, v).name if k == "concern_lead" else v, now()))


def _saved(store, record_id: int, write) -> Any:
    """Run one write in its own transaction (the autosave)."""
    from supervise.store.sessions import find_session

    with store.session() as session:
        return write(session, find_session(session, record_id))


def _names(store) -> list[str]:
    from supervise.store.people import list_people

    with store.session() as session:
        return [p.name for p in list_people(session, include_left=False)]


def _field(store, record_id: int, section) -> None:
    from supervise.store.sessions import answers_of, save_answer

    answered = _saved(store, record_id, lambda s, r: answers_of(s, r))
    if section.id in answered:
        out.message(f"{section.title}: (answered) {_short(answered[section.id])}")
        return
    out.message("")
    value = ask(section, section.default, _names(store))
    if value is not None:
        _saved(store, record_id, lambda s, r: save_answer(s, r, section.id, value, now()))


def _short(value: Any) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 70 else text[:67] + "..."


def _action_review(store, record_id: int, section) -> None:
    from supervise.store.sessions import (
        open_actions_for,
        review_action,
        reviews_in,
        supervisees_of,
    )

    def pending(session, record):
        done = {r.action_id for r in reviews_in(session, record)}
        return [(a.id, a.text, a.due_on) for a in open_actions_for(
            session, supervisees_of(session, record)) if a.id not in done]

    items = _saved(store, record_id, pending)
    out.message(f"\n{section.title}: {len(items)} open action(s) to review.")
    for action_id, text, due in items:
        outcome = prompts.choice(f"[{action_id}] {text} (due {due})", OUTCOMES,
                                 hint="use [[action_review]] in an answers file.")
        note = prompts.text("Note (optional):", hint="use [[action_review]].")
        _saved(store, record_id, lambda s, r, a=action_id, o=outcome, n=note: review_action(
            s, _action(s, a), outcome=o, note=n, now=now(), actor=store.actor, record=r))


def _action(session, action_id: int):
    from supervise.store.sessions import find_action

    return find_action(session, action_id)


def _cases(store, record_id: int, template: Template, section) -> None:
    from supervise.store.sessions import cases_of

    count = _saved(store, record_id, lambda s, r: len(cases_of(s, r)))
    out.message(f"\n{section.title}" + (f" ({count} recorded)" if count else ""))
    question = "Discuss a family or child?" if not count else "Another family or child?"
    while prompts.confirm(question, hint="use [[cases]] in an answers file.", default=not count):
        count += 1
        _one_case(store, record_id, template, section, count)
        question = "Another family or child?"


def _one_case(store, record_id: int, template: Template, section, position: int) -> None:
    from supervise.store.sessions import save_case

    hint = "use [[cases]] in an answers file."
    family = prompts.text("Family name:", hint=hint).strip()
    children: list[dict[str, Any]] = []
    while not children or prompts.confirm("Another child in this family?", hint=hint):
        name = prompts.text("Child's full name:", hint=hint).strip()
        dob_text = prompts.text("Date of birth (YYYY-MM-DD, blank if unknown):",
                                hint=hint).strip()
        children.append({"name": name, "dob": dob_text or None})
    status = prompts.choice("Child's status:", STATUS_CHOICES, hint=hint, default="none")
    answers: dict[str, Any] = {}

    def save(session, record):
        return save_case(session, record, position=position, family=family,
                         children=children, status=status, answers=answers, now=now(),
                         actor=store.actor).id

    case_id = _saved(store, record_id, save)
    for field in section.fields:
        value = ask(field, field.default, _names(store))
        if value is not None:
            answers[field.id] = value
            _saved(store, record_id, save)
    if prompts.confirm("Record a decision for the child's file?", hint=hint):
        _decision(store, record_id, case_id)


def _decision(store, record_id: int, case_id: int) -> None:
    from supervise.store.models import CaseDiscussion
    from supervise.store.policies import current_policy
    from supervise.store.sessions import save_decision

    with store.session() as session:
        policy, _ = current_policy(session)
    template = catalog().get(policy.decision_template, kind="decision")
    answers: dict[str, Any] = {}
    for field in template.sections:
        if field.type not in FIELD_TYPES:
            continue
        value = ask(field, field.default, _names(store))
        if value is not None:
            answers[field.id] = value
            _saved(store, record_id, lambda s, r: save_decision(
                s, s.get(CaseDiscussion, case_id), template, answers, now()))


def _actions(store, record_id: int, section) -> None:
    from supervise.store.people import find_person
    from supervise.store.sessions import add_action

    out.message(f"\n{section.title}")
    hint = "use [[actions]] in an answers file."
    while prompts.confirm("Add an action?", hint=hint):
        text = prompts.text("Action:", hint=hint).strip()
        owner = prompts.name("By whom:", _names(store), hint=hint)
        due = _date("By when:", now().date() + timedelta(days=14), hint)
        if text:
            _saved(store, record_id, lambda s, r, t=text, o=owner, d=due: add_action(
                s, r, text=t, owner=find_person(s, o), due=d, case=None, now=now()))


def _next_meeting(store, record_id: int, section) -> None:
    from supervise.domain.frequency import next_due, parse_frequency
    from supervise.store.models import Contract
    from supervise.store.policies import current_policy

    def suggestion(session, record):
        if record.next_meeting:
            return record.next_meeting, True
        policy, _ = current_policy(session)
        contract = session.get(Contract, record.contract_id) if record.contract_id else None
        frequency = parse_frequency(contract.frequency) if contract else policy.default_frequency
        return next_due(record.held_on, frequency, policy.terms), False

    suggested, already = _saved(store, record_id, suggestion)
    if already:
        out.message(f"{section.title}: (answered) {suggested}")
        return
    while True:
        chosen = _date(f"{section.title} (the contract's frequency suggests {suggested}):",
                       suggested, "give next_meeting in an answers file.")

        def save(session, record, day=chosen):
            if day <= record.held_on:
                return False
            record.next_meeting = day
            session.add(record)
            return True

        if _saved(store, record_id, save):
            return
        out.message("  The next meeting must be after this one.")
