"""Walking the agenda in the meeting. Every answer is saved in its own transaction the moment it
is given, so Ctrl-C, a closed terminal or a killed process loses at most the answer being typed;
`session resume` picks up from what is stored."""

from typing import Any

from supervise.app import drafting
from supervise.cli import prompts
from supervise.cli.context import AppState, catalog, open_store
from supervise.cli.output import out
from supervise.cli.questions import ask
from supervise.cli.records.walk_actions import action_review, actions, next_meeting
from supervise.cli.records.walk_asking import Walk, ask_date, ask_minutes, ask_staff, short
from supervise.cli.records.walk_cases import cases
from supervise.cli.records.walk_review import review
from supervise.clock import now
from supervise.domain.policy.templates import FIELD_TYPES, Section, Template
from supervise.errors import DiskFullError, Hint, SuperviseError


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
    held_on = parse_optional_date(flags.get("date"), "--date")  # flags: said before any question
    if held_on is not None and held_on > today:
        raise UsageError(f"{held_on} is in the future: a session is recorded once it is held.")
    if flags.get("time") is not None and not TIME_PATTERN.match(flags["time"]):
        raise SuperviseError(f"The start time {flags['time']!r} is not HH:MM, e.g. 14:30.")
    with open_store(state) as store:
        names = sessions.staff_names(store)
        chosen = list(flags.get("supervisees") or [])
        if not chosen:
            chosen.append(ask_staff(store, "Supervisee:", names, "give --supervisee NAME."))
        plan = sessions.plan_session(store, chosen, flags.get("template"))
        kind = flags.get("kind") or _kind(catalog().get(plan.template_id, kind="session"))
        while kind == "group" and (len(chosen) < 2 or prompts.confirm(
                "Another supervisee in the group?", hint="give --supervisee for each.")):
            chosen.append(ask_staff(store, "Supervisee:", names, "give --supervisee NAME."))
        if len({name_key(n) for n in chosen}) != len(chosen):
            raise UsageError("A supervisee is named twice: name each once.")
        for draft_id, held in sessions.drafts_of(store, chosen):
            out.warning(f"Session {draft_id} (held {held}) is still a draft: "
                        f"`supervise session resume {draft_id}` finishes it.")
        supervisor_name = flags.get("supervisor") or plan.supervisor
        if supervisor_name is None:
            supervisor_name = ask_staff(store, "Supervisor:", names, "give --supervisor NAME.",
                                        default=store.actor)
        template = sessions.session_template(catalog(), plan.template_id, kind)
        while held_on is None:
            held_on = ask_date("Date held:", today, "give --date YYYY-MM-DD.")
            if held_on > today:
                out.paragraph(f"{held_on} is in the future: a session is recorded once it is "
                              f"held.", indent="  ")
                held_on = None
        start_time = flags.get("time")
        while start_time is None:
            typed = prompts.text("Start time (HH:MM, blank if not noted):",
                                 hint="give --time HH:MM.").strip()
            if not typed or TIME_PATTERN.match(typed):
                start_time = typed or None
                break
            out.paragraph(f"{typed!r} is not a time as HH:MM (24-hour), e.g. 15:45.", indent="  ")
        duration = flags.get("duration") or ask_minutes(
            "Duration in minutes:", plan.duration, "give --duration MINUTES.")
        record_id = sessions.start_session(
            store, plan, template, kind=kind, supervisor=supervisor_name, supervisees=chosen,
            held_on=held_on, start_time=start_time, duration=duration)
        out.paragraph(f"Session {record_id} started ({template.title}). Every answer is saved "
                      f"as you give it; Ctrl-C stops, `supervise session resume {record_id}` "
                      f"goes on.")
        walk(store, record_id, template)


KIND_LABELS = {"one-to-one": "One-to-one", "group": "Group (several supervisees)",
               "ad-hoc": "Ad hoc (not a planned session)",
               "external": "External (with a supervisor from outside)"}


def _kind(template: Template) -> str:
    """The kind of session, asked when the agenda is for more than one (one-to-one first)."""
    kinds = list(template.session_kinds)
    if len(kinds) == 1:
        return kinds[0]
    labels = [KIND_LABELS.get(k, k) for k in kinds]
    picked = prompts.choice("Kind of session:", labels, hint="give --kind KIND.",
                            default=labels[0])
    return kinds[labels.index(picked)]


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
                action_review(w, section)
            elif section.type == "cases":
                cases(w, section)
            elif section.type == "actions":
                actions(w, section, template)
            elif section.type == "next_meeting":
                next_meeting(w, section)
        review(w, template)
    except KeyboardInterrupt:
        out.message(f"\nStopped. Everything answered is saved: `supervise session resume "
                    f"{record_id}` continues.")
        raise
    except DiskFullError:
        raise DiskFullError(f"The disk is full; your store is not damaged; session {record_id} "
                            f"keeps every answer before the last one, which was not saved.",
                            Hint.of("free_space_then_resume", session=record_id)) from None
    try:
        complete_session(store, record_id)
    except DiskFullError:
        raise DiskFullError(f"The disk is full; your store is not damaged; session {record_id} "
                            f"keeps every answer but is still a draft.",
                            Hint.of("free_space_then_resume", session=record_id)) from None
    out.message(f"Session {record_id} completed. Not signed yet.")
    out.data(str(record_id))


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
                      f"{'(left blank)' if shown is None else short(shown)}")
        return
    value = None
    if section.applies(w.answered):  # else saved blank, unasked (its yes/no said no)
        out.message("")
        value = ask(section, section.default, w.names)
    # a blank is saved too, so a resumed session does not ask it again
    drafting.record_answer(w.store, w.record_id, section.id, value)
    w.answered[section.id] = value

