"""The actions of the walk: last time's actions reviewed, new ones agreed (owned by staff or a
named contact), and the date of the next meeting."""

from datetime import timedelta

from supervise.app import drafting
from supervise.cli import prompts
from supervise.cli.output import out
from supervise.cli.records.walk_asking import Walk, ask_date, ask_date_from, ask_needed
from supervise.domain.policy.templates import Section
from supervise.domain.records.session_file import OUTCOMES as REVIEW_OUTCOMES
from supervise.errors import SuperviseError

OUTCOMES = list(REVIEW_OUTCOMES)



def action_review(w: Walk, section: Section) -> None:
    items = drafting.actions_to_review(w.store, w.record_id)
    out.paragraph(f"\n{section.title}: {len(items)} open action(s) to review.")
    for action_id, text, due in items:
        outcome = prompts.choice(f"[{action_id}] {text} (due {due})", OUTCOMES,
                                 hint="use [[action_review]] in an answers file.")
        new_due = None
        if outcome == "carried":  # offered: four weeks on from the later of then and now
            held = w.draft.held_on
            new_due = ask_date_from("Carried forward: new date it is due:",
                                 max(due, held) + timedelta(days=28),
                                 "give due in that [[action_review]].", held)
        note = prompts.text("Note (optional):", hint="use [[action_review]].")
        drafting.record_review(w.store, w.record_id, action_id, outcome=outcome, note=note,
                               due=new_due)


def actions(w: Walk, section: Section) -> None:
    held = w.draft.held_on
    out.paragraph(f"\n{section.title}")
    hint = "use [[actions]] in an answers file."
    while prompts.confirm("Add an action?", hint=hint):
        text = ask_needed("Action:", hint)
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
                    owner_role = ask_needed(f"{owner}'s role or organisation:", hint)
                    break
        due = ask_date_from("By when:", held + timedelta(days=14), hint, held)
        drafting.record_action(w.store, w.record_id, text=text, owner=owner, due=due,
                               owner_role=owner_role)


def next_meeting(w: Walk, section: Section) -> None:
    suggested, why, already = drafting.next_meeting(w.store, w.record_id)
    if already:
        out.paragraph(f"{section.title}: (answered) {suggested}")
        return
    while True:
        chosen = ask_date(f"{section.title} ({why} suggests {suggested}):", suggested,
                       "give next_meeting in an answers file.")
        if drafting.record_next_meeting(w.store, w.record_id, chosen):
            return
        out.paragraph("The next meeting must be after this one.", indent="  ")

