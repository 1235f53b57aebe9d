"""Walking the agenda in the meeting. Every answer is saved in its own transaction the moment it
is given, so Ctrl-C, a closed terminal or a killed process loses at most the answer being typed;
`session resume` picks up from what is stored."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from supervise.cli import prompts
from supervise.cli.context import AppState, catalog, open_store
from supervise.cli.hints import rendered
from supervise.cli.output import out
from supervise.cli.questions import ask
from supervise.clock import now
from supervise.domain.session_file import OUTCOMES as REVIEW_OUTCOMES
from supervise.domain.session_file import STATUSES
from supervise.domain.templates import FIELD_TYPES, Template
from supervise.errors import SuperviseError

OUTCOMES = list(REVIEW_OUTCOMES)
STATUS_CHOICES = list(STATUSES)


def _date(question: str, default: date, hint: str) -> date:
    from supervise.domain.dates import parse_date

    while True:
        try:
            return parse_date(prompts.text(question, hint=hint, default=default.isoformat()),
                              "the date")
        except SuperviseError as error:
            out.message(f"  {rendered(error)}")


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
    from supervise.domain.names import name_key
    from supervise.domain.session_file import TIME_PATTERN
    from supervise.errors import UsageError
    from supervise.store.records.answers_file import contract_for, session_template_id
    from supervise.store.records.people import find_person, list_people, person_name
    from supervise.store.records.policies import policy_in_force
    from supervise.store.records.sessions import drafts_for, start_draft

    if not prompts.can_ask():
        raise UsageError("No terminal to ask on: record the session from notes with --answers "
                         "FILE (`supervise template skeleton ID` writes one to fill in).")
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
        if len({name_key(n) for n in chosen}) != len(chosen):
            raise UsageError("A supervisee is named twice: name each once.")
        with store.session() as session:
            for draft in drafts_for(session, [find_person(session, n) for n in chosen]):
                out.warning(f"Session {draft.id} (held {draft.held_on}) is still a draft: "
                            f"`supervise session resume {draft.id}` finishes it.")
        with store.session() as session:
            policy, version = policy_in_force(session, now=moment, actor=store.actor)
            supervisees = [find_person(session, n) for n in chosen]
            contract = contract_for(session, supervisees[0], policy, flags.get("template"))
            supervisor_name = flags.get("supervisor") or (
                person_name(session, contract.supervisor_id) if contract else None)
            template_id = session_template_id(policy, contract, flags.get("template"))
            contract_id = contract.id if contract else None
            duration_default = (contract.duration_minutes if contract else None)
        if supervisor_name is None:
            supervisor_name = prompts.name("Supervisor:", names, default=store.actor,
                                           hint="give --supervisor NAME.")
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


@dataclass
class Walk:
    """One walk through a session: its store, its number, and what it reads once (the staff
    names offered for type-ahead, the answers already saved)."""

    store: Any
    record_id: int
    names: list[str]
    answered: dict[str, Any]

    def saved(self, write, part: str | None = None) -> Any:
        """Run one write in its own transaction (the autosave). A write names the `part` it
        saved, and the audit trail keeps when each part was written, and by whom."""
        from supervise.store.integrity.audit_chain import append_event
        from supervise.store.records.numbered import find_session

        with self.store.session() as session:
            result = write(session, find_session(session, self.record_id))
            if part is not None:
                append_event(session, now=now(), actor=self.store.actor,
                             action="session.autosave", record_type="session",
                             record_id=str(self.record_id), detail={"part": part})
            return result


def walk(store, record_id: int, template: Template) -> None:
    """Ask every question not yet answered, saving each answer at once; then complete."""
    from supervise.store.records.numbered import find_session
    from supervise.store.records.people import list_people
    from supervise.store.records.session_parts import answers_of

    with store.session() as session:
        names = [p.name for p in list_people(session, include_left=False)]
        answered = answers_of(session, find_session(session, record_id))
    w = Walk(store, record_id, names, answered)
    try:
        _group(w, template)
        for section in template.sections:
            if section.type in FIELD_TYPES:
                _field(w, section)
            elif section.type == "action_review":
                _action_review(w, section)
            elif section.type == "cases":
                _cases(w, section)
            elif section.type == "actions":
                _actions(w, section)
            elif section.type == "next_meeting":
                _next_meeting(w, section)
    except KeyboardInterrupt:
        out.message(f"\nStopped. Everything answered is saved: `supervise session resume "
                    f"{record_id}` continues.")
        raise
    from supervise.store.records.numbered import find_session
    from supervise.store.records.policies import current_policy
    from supervise.store.records.sessions import complete

    with store.session() as session:
        policy, _ = current_policy(session)
        complete(session, find_session(session, record_id), policy=policy, now=now(),
                 actor=store.actor)
    out.message(f"Session {record_id} completed. Not signed yet.")
    out.data(str(record_id))


def _group(w: Walk, template: Template) -> None:
    """A group record says what the group agreed on confidentiality and who takes forward an
    immediate concern, whatever its template asks."""
    from supervise.domain.session_file import GROUP_KEYS
    from supervise.store.records.people import find_person
    from supervise.store.records.sessions import save_answer

    kind = w.saved(lambda s, r: r.kind)
    if kind != "group":
        return
    hint = "give group_confidentiality and concern_lead in an answers file."
    for key, what in GROUP_KEYS.items():
        if template.section(key) is not None or key in w.answered:
            continue
        question = f"For this group: {what}:"
        value = ""
        while not value.strip():
            value = prompts.name(question, w.names, hint=hint) if key == "concern_lead" \
                else prompts.note(question, hint=hint)
        w.saved(lambda s, r, k=key, v=value: save_answer(
            s, r, k, find_person(s, v).name if k == "concern_lead" else v, now()),
            part=f"answer {key}")


def _field(w: Walk, section) -> None:
    from supervise.store.records.sessions import save_answer

    if section.id in w.answered:
        shown = w.answered[section.id]
        out.message(f"{section.title}: (answered) "
                    f"{'(left blank)' if shown is None else _short(shown)}")
        return
    out.message("")
    value = ask(section, section.default, w.names)
    # a blank is saved too, so a resumed session does not ask it again
    w.saved(lambda s, r: save_answer(s, r, section.id, value, now()),
            part=f"answer {section.id}")


def _short(value: Any) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 70 else text[:67] + "..."


def _action_review(w: Walk, section) -> None:
    from supervise.store.records.session_parts import reviews_in, supervisees_of
    from supervise.store.records.sessions import open_actions_for, review_action

    def pending(session, record):
        done = {r.action_id for r in reviews_in(session, record)}
        return [(a.id, a.text, a.due_on) for a in open_actions_for(
            session, supervisees_of(session, record), on=record.held_on,
            excluding=record.id) if a.id not in done]

    items = w.saved(pending)
    out.message(f"\n{section.title}: {len(items)} open action(s) to review.")
    for action_id, text, due in items:
        outcome = prompts.choice(f"[{action_id}] {text} (due {due})", OUTCOMES,
                                 hint="use [[action_review]] in an answers file.")
        note = prompts.text("Note (optional):", hint="use [[action_review]].")
        w.saved(lambda s, r, a=action_id, o=outcome, n=note: review_action(
            s, _action(s, a), outcome=o, note=n, now=now(), actor=w.store.actor, record=r),
            part=f"review of action {action_id}")


def _action(session, action_id: int):
    from supervise.store.records.sessions import find_action

    return find_action(session, action_id)


def _cases(w: Walk, section) -> None:
    from supervise.store.records.sessions import case_state

    saved = w.saved(lambda s, r: case_state(s, r))
    out.message(f"\n{section.title}" + (f" ({len(saved)} recorded)" if saved else ""))
    for position, family, answers in saved:  # a case left half-way is finished first
        if any(f.id not in answers for f in section.fields):
            out.message(f"Case {position} ({family} family) continues.")
            _case_fields(w, section, position, answers)
    count = len(saved)
    question = "Another family or child?" if count else "Discuss a family or child?"
    while prompts.confirm(question, hint="use [[cases]] in an answers file.", default=not count):
        count += 1
        _one_case(w, section, count)
        question = "Another family or child?"


def _text(question: str, hint: str) -> str:
    while True:
        value = prompts.text(question, hint=hint).strip()
        if value:
            return value
        out.message("  This one is needed.")


def _child(w: Walk, hint: str) -> dict[str, Any]:
    """A child as the register knows them: picked when the name is shared, else new."""
    from supervise.domain.dates import parse_date
    from supervise.store.records.children import same_name

    name = _text("Child's full name:", hint)
    with w.store.session() as session:
        known = [(c.id, c.dob, c.local_ref, c.status) for c in same_name(session, name)]
    if known:
        labels = [f"{name}, born {dob or 'unknown'}, ref {ref or 'none'} ({status})"
                  for _, dob, ref, status in known]
        picked = prompts.choice("Which child?", [*labels, "Another child of that name"],
                                hint=hint, default=labels[0])
        if picked in labels:
            chosen = known[labels.index(picked)]
            return {"id": chosen[0], "name": name, "status": chosen[3]}
    while True:
        raw = prompts.text("Date of birth (YYYY-MM-DD, blank if unknown):", hint=hint).strip()
        try:
            dob = parse_date(raw, "the date of birth") if raw else None
        except SuperviseError as error:
            out.message(f"  {rendered(error)}")
            continue
        if dob and dob > now().date():
            out.message("  That date is in the future.")
            continue
        return {"name": name, "dob": dob.isoformat() if dob else None}


def _one_case(w: Walk, section, position: int) -> None:
    from supervise.store.records.sessions import save_case

    hint = "use [[cases]] in an answers file."
    family = _text("Family name:", hint)
    children = [_child(w, hint)]
    while prompts.confirm("Another child in this family?", hint=hint):
        children.append(_child(w, hint))
    current = next((c["status"] for c in children if c.get("status")), "none")
    status = prompts.choice("Child's status now:", STATUS_CHOICES, hint=hint, default=current)
    w.saved(lambda s, r: save_case(
        s, r, position=position, family=family, children=children, status=status, answers={},
        now=now(), actor=w.store.actor), part=f"case {position}")
    _case_fields(w, section, position, {})


def _case_fields(w: Walk, section, position: int, answers: dict) -> None:
    from supervise.store.records.sessions import save_case_answers

    for field in section.fields:
        if field.id in answers:
            continue
        answers[field.id] = ask(field, field.default, w.names)  # blanks saved as None
        w.saved(lambda s, r: save_case_answers(s, r, position, answers, now()),
                part=f"case {position} {field.id}")
    if prompts.confirm("Record a decision for the child's file?",
                       hint="use [cases.decision] in an answers file."):
        _decision(w, position)


def _decision(w: Walk, position: int) -> None:
    from supervise.store.records.policies import current_policy
    from supervise.store.records.sessions import save_decision_for

    with w.store.session() as session:
        policy, _ = current_policy(session)
    template = catalog().get(policy.decision_template, kind="decision")
    answers: dict[str, Any] = {}
    for field in template.sections:
        if field.type not in FIELD_TYPES:
            continue
        value = ask(field, field.default, w.names)
        if value is not None:
            answers[field.id] = value
            w.saved(lambda s, r: save_decision_for(
                s, r, position, template, answers, now()), part=f"case {position} decision")


def _actions(w: Walk, section) -> None:
    from supervise.store.records.people import find_person
    from supervise.store.records.sessions import add_action

    held = w.saved(lambda s, r: r.held_on)
    out.message(f"\n{section.title}")
    hint = "use [[actions]] in an answers file."
    while prompts.confirm("Add an action?", hint=hint):
        text = _text("Action:", hint)
        while True:
            owner = prompts.name("By whom:", w.names, hint=hint)
            try:
                with w.store.session() as session:
                    owner = find_person(session, owner).name
                break
            except SuperviseError as error:
                out.message(f"  {rendered(error)}")
        due = _date("By when:", held + timedelta(days=14), hint)
        while due < held:
            out.message(f"  That is before the session ({held}).")
            due = _date("By when:", held + timedelta(days=14), hint)
        w.saved(lambda s, r, t=text, o=owner, d=due: add_action(
            s, r, text=t, owner=find_person(s, o), due=d, case=None, now=now()),
            part="action")


def _next_meeting(w: Walk, section) -> None:
    from supervise.store.records.sessions import next_meeting_suggestion, set_next_meeting

    suggested, why, already = w.saved(next_meeting_suggestion)
    if already:
        out.message(f"{section.title}: (answered) {suggested}")
        return
    while True:
        chosen = _date(f"{section.title} ({why} suggests {suggested}):", suggested,
                       "give next_meeting in an answers file.")
        if w.saved(lambda s, r, d=chosen: set_next_meeting(s, r, d, now()),
                   part="next meeting"):
            return
        out.message("  The next meeting must be after this one.")
