"""Walking the agenda in the meeting. Every answer is saved in its own transaction the moment it
is given, so Ctrl-C, a closed terminal or a killed process loses at most the answer being typed;
`session resume` picks up from what is stored."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from supervise.app import drafting
from supervise.cli import prompts
from supervise.cli.context import AppState, catalog, open_store
from supervise.cli.hints import rendered
from supervise.cli.output import out
from supervise.cli.questions import ask
from supervise.clock import now
from supervise.domain.policy.templates import FIELD_TYPES, Section, Template
from supervise.domain.records.session_file import OUTCOMES as REVIEW_OUTCOMES
from supervise.domain.records.session_file import STATUSES
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
            out.paragraph(f"{rendered(error)}", indent="  ")


def _date_from(question: str, default: date, hint: str, session_day: date) -> date:
    """A date on or after the session's, asked again until it is."""
    while True:
        chosen = _date(question, default, hint)
        if chosen >= session_day:
            return chosen
        out.paragraph(f"That is before the session ({session_day}).", indent="  ")


def _optional_int(question: str, default: int | None, hint: str) -> int | None:
    while True:
        raw = prompts.text(question, hint=hint, default=str(default or "")).strip()
        if not raw:
            return None
        if raw.isdigit() and 0 < int(raw) <= 600:
            return int(raw)
        out.paragraph("Give the number of minutes, e.g. 60, or leave it blank.", indent="  ")


def _staff(store: Any, question: str, names: list[str], hint: str, default: str = "") -> str:
    """A member of staff, asked again (with a "did you mean") until the name is one."""
    while True:
        typed = prompts.name(question, names, hint=hint, default=default).strip()
        if not typed:
            continue
        try:
            return drafting.staff_name(store, typed)
        except SuperviseError as error:
            out.paragraph(f"{rendered(error)}", indent="  ")


def walk_new(state: AppState, flags: dict[str, Any]) -> None:
    from supervise.app import sessions
    from supervise.domain.dates import parse_optional_date
    from supervise.domain.names import name_key
    from supervise.domain.records.session_file import TIME_PATTERN
    from supervise.errors import UsageError

    if not prompts.can_ask():
        raise UsageError("No terminal to ask on: record the session from notes with --answers "
                         "FILE (`supervise template skeleton ID` writes one to fill in).")
    today = now().date()
    with open_store(state) as store:
        names = sessions.staff_names(store)
        kind = flags.get("kind") or "one-to-one"
        chosen = list(flags.get("supervisees") or [])
        if not chosen:
            chosen.append(_staff(store, "Supervisee:", names, "give --supervisee NAME."))
        while kind == "group" and (len(chosen) < 2 or prompts.confirm(
                "Another supervisee in the group?", hint="give --supervisee for each.")):
            chosen.append(_staff(store, "Supervisee:", names, "give --supervisee NAME."))
        if len({name_key(n) for n in chosen}) != len(chosen):
            raise UsageError("A supervisee is named twice: name each once.")
        for draft_id, held in sessions.drafts_of(store, chosen):
            out.warning(f"Session {draft_id} (held {held}) is still a draft: "
                        f"`supervise session resume {draft_id}` finishes it.")
        plan = sessions.plan_session(store, chosen, flags.get("template"))
        supervisor_name = flags.get("supervisor") or plan.supervisor
        if supervisor_name is None:
            supervisor_name = _staff(store, "Supervisor:", names, "give --supervisor NAME.",
                                     default=store.actor)
        template = sessions.session_template(catalog(), plan.template_id, kind)
        held_on = parse_optional_date(flags.get("date"), "--date")
        if held_on is not None and held_on > today:  # said now, not after more questions
            raise UsageError(f"{held_on} is in the future: a session is recorded once it is "
                             f"held.")
        while held_on is None:
            held_on = _date("Date held:", today, "give --date YYYY-MM-DD.")
            if held_on > today:
                out.paragraph(f"{held_on} is in the future: a session is recorded once it is "
                              f"held.", indent="  ")
                held_on = None
        start_time = flags.get("time")
        if start_time is not None and not TIME_PATTERN.match(start_time):
            raise SuperviseError(f"The start time {start_time!r} is not HH:MM, e.g. 14:30.")
        while start_time is None:
            typed = prompts.text("Start time (HH:MM, blank if not noted):",
                                 hint="give --time HH:MM.").strip()
            if not typed or TIME_PATTERN.match(typed):
                start_time = typed or None
                break
            out.paragraph(f"{typed!r} is not a time as HH:MM (24-hour), e.g. 15:45.", indent="  ")
        duration = flags.get("duration") or _optional_int(
            "Duration in minutes:", plan.duration, "give --duration MINUTES.")
        record_id = sessions.start_session(
            store, plan, template, kind=kind, supervisor=supervisor_name, supervisees=chosen,
            held_on=held_on, start_time=start_time, duration=duration)
        out.paragraph(f"Session {record_id} started ({template.title}). Every answer is saved "
                      f"as you give it; Ctrl-C stops, `supervise session resume {record_id}` "
                      f"goes on.")
        walk(store, record_id, template)


@dataclass
class Walk:
    """One walk through a session: its store, and what it read once (the draft's kind and date,
    the staff names offered for type-ahead, the answers already saved). Every answer is saved
    by one use case call, in its own transaction (the autosave)."""

    store: Any
    record_id: int
    draft: drafting.Draft

    @property
    def names(self) -> list[str]:
        return self.draft.names

    @property
    def answered(self) -> dict[str, Any]:
        return self.draft.answered


def walk(store: Any, record_id: int, template: Template) -> None:
    """Ask every question not yet answered, saving each answer at once; then complete."""
    from supervise.app.sessions import complete_session

    w = Walk(store, record_id, drafting.open_draft(store, record_id))
    try:
        _group(w, template)
        band = None
        for index, section in enumerate(template.sections, 1):
            band = section.band or band
            if section.type not in FIELD_TYPES or section.id not in w.answered:
                if section.band:
                    out.paragraph(f"\n== {section.band} ==")
                out.paragraph(progress(template, index, band))
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
        _review(w, template)
    except KeyboardInterrupt:
        out.message(f"\nStopped. Everything answered is saved: `supervise session resume "
                    f"{record_id}` continues.")
        raise
    complete_session(store, record_id)
    out.message(f"Session {record_id} completed. Not signed yet.")
    out.data(str(record_id))


COMPLETE = "Complete the session"
ANSWER_MISSING = "Answer what is still needed"
CHANGE = "Go back and change an answer"
STOP = "Stop here (it stays a draft; resume goes on)"


def _fits(text: str, width: int = 72) -> str:
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def _label(section: Section) -> str:
    return f"{section.number}. {section.title}" if section.number else section.title


def _review(w: Walk, template: Template) -> None:
    """The whole record before it is completed: every answer, what is still required, and a
    way back to any answer. Returns when the user completes it; Stop raises KeyboardInterrupt
    (the draft is kept, as at Ctrl-C)."""
    hint = "record the session from an answers file (--answers) to skip the review."
    fields = [s for s in template.sections if s.type in FIELD_TYPES]
    while True:
        answered = drafting.open_draft(w.store, w.record_id).answered
        out.paragraph("\n== Review before completing ==")
        for section in fields:
            value = answered.get(section.id)
            shown = "(blank)" if value in (None, "", []) else _short(value)
            out.paragraph(f"{_label(section)}: {shown}", indent="  ")
        cases = drafting.cases_so_far(w.store, w.record_id)
        if cases:
            out.paragraph("Cases: " + ", ".join(f"{p}. {f} family" for p, f, _ in cases),
                          indent="  ")
        missing = drafting.missing_answers(w.store, w.record_id)
        if missing:
            out.paragraph("Still needed before it can be completed: "
                          + "; ".join(m.said() for m in missing))
        options = [ANSWER_MISSING if missing else COMPLETE, CHANGE, STOP]
        picked = prompts.choice("What now?", options, hint=hint, default=options[0])
        if picked == COMPLETE:
            return
        if picked == STOP:
            raise KeyboardInterrupt
        if picked == ANSWER_MISSING:
            _answer_missing(w, template, missing)
            continue
        labels = [_fits(_label(s)) for s in fields]  # one line each in the list
        section = fields[labels.index(prompts.choice("Which answer?", labels, hint=hint))]
        current = answered.get(section.id)
        value = ask(section, current if current not in (None, "", []) else section.default,
                    w.names)
        drafting.record_answer(w.store, w.record_id, section.id, value)


def _answer_missing(w: Walk, template: Template, missing: list[Any]) -> None:
    """Each required answer still missing, asked where it belongs: a section, a case's
    question, or its decision record's."""
    cases = {position: answers for position, _, answers in
             drafting.cases_so_far(w.store, w.record_id)}
    decision = drafting.decision_template(w.store, catalog())
    for gap in missing:
        out.paragraph(f"Still needed: {gap.said()}")
        if gap.part == "section":
            section = template.section(gap.field)
            assert section is not None
            drafting.record_answer(w.store, w.record_id, gap.field,
                                   ask(section, section.default, w.names))
        elif gap.part == "case":
            cases_section = template.section(gap.section)
            spec = next(f for f in cases_section.fields if f.id == gap.field) \
                if cases_section else None
            if spec is None or gap.case is None:
                continue
            answers = cases[gap.case]
            answers[gap.field] = ask(spec, spec.default, w.names)
            drafting.record_case_answer(w.store, w.record_id, gap.case, gap.field, answers)
        elif gap.case is not None:
            spec = next((f for f in decision.sections if f.id == gap.field), None)
            if spec is None:
                continue
            answers = drafting.decision_so_far(w.store, w.record_id, gap.case)
            answers[gap.field] = ask(spec, spec.default, w.names)
            drafting.record_decision(w.store, w.record_id, gap.case, decision, answers)


def progress(template: Template, index: int, band: str | None) -> str:
    """Where the walk is: the agenda's own item number and part when it has them
    ("Item 7 of 13, Reflection"), else the section's place ("Part 3 of 14")."""
    numbers = [s.number for s in template.sections if s.number]
    section = template.sections[index - 1]
    where = f", {band}" if band else ""
    if section.number and numbers:
        return f"Item {section.number} of {numbers[-1]}{where}"
    return f"Part {index} of {len(template.sections)}{where}"


def _group(w: Walk, template: Template) -> None:
    """A group record says what the group agreed on confidentiality and who takes forward an
    immediate concern, whatever its template asks."""
    from supervise.domain.records.session_file import GROUP_KEYS

    if w.draft.kind != "group":
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
        drafting.record_answer(w.store, w.record_id, key, value,
                               person=key == "concern_lead")


def _field(w: Walk, section: Section) -> None:
    if section.id in w.answered:
        shown = w.answered[section.id]
        out.paragraph(f"{section.title}: (answered) "
                      f"{'(left blank)' if shown is None else _short(shown)}")
        return
    out.message("")
    value = ask(section, section.default, w.names)
    # a blank is saved too, so a resumed session does not ask it again
    drafting.record_answer(w.store, w.record_id, section.id, value)


def _short(value: Any) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 70 else text[:67] + "..."


def _action_review(w: Walk, section: Section) -> None:
    items = drafting.actions_to_review(w.store, w.record_id)
    out.paragraph(f"\n{section.title}: {len(items)} open action(s) to review.")
    for action_id, text, due in items:
        outcome = prompts.choice(f"[{action_id}] {text} (due {due})", OUTCOMES,
                                 hint="use [[action_review]] in an answers file.")
        new_due = None
        if outcome == "carried":  # offered: four weeks on from the later of then and now
            held = w.draft.held_on
            new_due = _date_from("Carried forward: new date it is due:",
                                 max(due, held) + timedelta(days=28),
                                 "give due in that [[action_review]].", held)
        note = prompts.text("Note (optional):", hint="use [[action_review]].")
        drafting.record_review(w.store, w.record_id, action_id, outcome=outcome, note=note,
                               due=new_due)


def _cases(w: Walk, section: Section) -> None:
    saved = drafting.cases_so_far(w.store, w.record_id)
    out.paragraph(f"\n{section.title}" + (f" ({len(saved)} recorded)" if saved else ""))
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
        out.paragraph("This one is needed.", indent="  ")


def _child(w: Walk, hint: str, family: str) -> dict[str, Any]:
    """A child as the register knows them: picked when the name is shared, else new."""
    from supervise.domain.dates import parse_date

    name = _text("Child's full name:", hint)
    known = drafting.children_named(w.store, name)
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
            out.paragraph(f"{rendered(error)}", indent="  ")
            continue
        if dob and dob > now().date():
            out.paragraph("That date is in the future.", indent="  ")
            continue
        break
    near = drafting.near_children(w.store, name, dob, family)
    if near:
        labels = [f"{c['name']}, born {c['dob'] or 'unknown'}, {c['family'] or 'no family'} "
                  f"({c['status']})" for c in near]
        new = f"No: {name} is another child"
        picked = prompts.choice(f"Did you mean one already on the register? ({name} looks like "
                                f"{'them' if len(near) > 1 else 'this child'})",
                                [*labels, new], hint="add new = true to that child's entry.",
                                default=labels[0])
        if picked != new:
            match = near[labels.index(picked)]
            return {"id": match["id"], "name": match["name"], "status": match["status"]}
    return {"name": name, "dob": dob.isoformat() if dob else None, "new": True}


def _one_case(w: Walk, section: Section, position: int) -> None:
    hint = "use [[cases]] in an answers file."
    family = _text("Family name:", hint)
    children = [_child(w, hint, family)]
    while prompts.confirm("Another child in this family?", hint=hint):
        children.append(_child(w, hint, family))
    for child in children:  # each child's own status, and since when (a plan's start)
        current = child.get("status") or "none"
        child["own_status"] = prompts.choice(f"{child['name']}'s status now:", STATUS_CHOICES,
                                             hint=hint, default=current)
        if child["own_status"] != "none":
            child["since"] = _date(f"{child['name']}: {child['own_status']} since:",
                                   w.draft.held_on, hint).isoformat()
        ref = prompts.text(f"{child['name']}'s local reference (blank if none):",
                           hint=hint).strip()
        if ref:
            child["ref"] = ref
    drafting.record_case(w.store, w.record_id, position=position, family=family,
                         children=children, status=None)
    _case_fields(w, section, position, {})


def _case_fields(w: Walk, section: Section, position: int, answers: dict[str, Any]) -> None:
    for field in section.fields:
        if field.id in answers:
            continue
        answers[field.id] = ask(field, field.default, w.names)  # blanks saved as None
        drafting.record_case_answer(w.store, w.record_id, position, field.id, answers)
    if prompts.confirm("Record a decision for the child's file?",
                       hint="use [cases.decision] in an answers file."):
        _decision(w, position, answers)


def _decision(w: Walk, position: int, case: dict[str, Any]) -> None:
    """The decision record, each question offered what the case discussion already says under
    the same id (its management decision, say), so nothing is typed twice."""
    template = drafting.decision_template(w.store, catalog())
    answers: dict[str, Any] = {}
    for field in template.sections:
        if field.type not in FIELD_TYPES:
            continue
        said = case.get(field.id)
        value = ask(field, said if isinstance(said, str) and said else field.default, w.names)
        if value is not None:
            answers[field.id] = value
            drafting.record_decision(w.store, w.record_id, position, template, answers)


def _actions(w: Walk, section: Section) -> None:
    held = w.draft.held_on
    out.paragraph(f"\n{section.title}")
    hint = "use [[actions]] in an answers file."
    while prompts.confirm("Add an action?", hint=hint):
        text = _text("Action:", hint)
        owner_role = None
        while True:
            owner = prompts.name("By whom (staff, or anyone else by name):", w.names,
                                 hint=hint).strip()
            if not owner:
                continue
            try:
                owner = drafting.staff_name(w.store, owner)
                break
            except SuperviseError:
                if prompts.confirm(f"{owner} is not on the staff list. Record them as a contact "
                                   f"(e.g. the social worker, a parent)?", hint=hint):
                    owner_role = _text(f"{owner}'s role or organisation:", hint)
                    break
        due = _date_from("By when:", held + timedelta(days=14), hint, held)
        drafting.record_action(w.store, w.record_id, text=text, owner=owner, due=due,
                               owner_role=owner_role)


def _next_meeting(w: Walk, section: Section) -> None:
    suggested, why, already = drafting.next_meeting(w.store, w.record_id)
    if already:
        out.paragraph(f"{section.title}: (answered) {suggested}")
        return
    while True:
        chosen = _date(f"{section.title} ({why} suggests {suggested}):", suggested,
                       "give next_meeting in an answers file.")
        if drafting.record_next_meeting(w.store, w.record_id, chosen):
            return
        out.paragraph("The next meeting must be after this one.", indent="  ")
