"""The actions of the walk: last time's actions reviewed, new ones agreed (owned by staff or a
named contact), and the date of the next meeting."""

from datetime import timedelta

from supervise.app import drafting
from supervise.cli import prompts
from supervise.cli.output import fits, out
from supervise.cli.records.walk_asking import Walk, ask_date, ask_date_from, ask_needed, short
from supervise.domain.policy.templates import Section, Template
from supervise.domain.records.session_file import OUTCOMES as REVIEW_OUTCOMES
from supervise.domain.wording import case_label, uk_date
from supervise.errors import SuperviseError

OUTCOMES = list(REVIEW_OUTCOMES)



SHOWN_ANSWERS = 8  # of last time's notes, one line each: the whole record is a command away


def last_time(w: Walk) -> None:
    """Last time's notes, to review before its actions: what was said, the cases and their
    decisions, one line each, and how to read the whole record."""
    before = drafting.previous_meeting(w.store, w.record_id)
    if before is None:
        out.paragraph("This is the first session recorded with them: no notes to review.")
        return
    out.paragraph(f"Last time: session {before['id']}, {uk_date(before['held_on'])}, "
                  f"{before['supervisor']} with {', '.join(before['supervisees'])}.")
    said = [a for a in before["answers"] if a["answer"] not in (None, "", [])]
    for answer in said[:SHOWN_ANSWERS]:
        out.message(fits(f"  {answer['question']}: {short(answer['answer'])}", 78))
    for case in before["cases"]:
        decided = (case["decision"] or {}).get("decision")
        out.message(fits(f"  {case_label(case['case'], case['family'])}"
                         + (f". Decision: {short(decided)}" if decided else ""), 78))
    more = len(said) - SHOWN_ANSWERS
    out.paragraph((f"  ({more} more answers.) " if more > 0 else "  ")
                  + f"The whole record: `supervise session show {before['id']}`.")


def action_review(w: Walk, section: Section) -> None:
    items = drafting.actions_to_review(w.store, w.record_id)
    out.paragraph(f"\n{section.title}")
    last_time(w)
    out.paragraph(f"{len(items)} open action(s) to review.")
    for action_id, text, due in items:
        outcome = prompts.choice(f"[{action_id}] {text} (due {uk_date(due)})", OUTCOMES,
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


GENERAL = "None in particular"


def _items(w: Walk, template: Template) -> dict[str, tuple[int | None, str | None]]:
    """What an action can come from, as the policy's Item column: a case of this session, or
    an agenda item; each label to its (case position, item id)."""
    offered: dict[str, tuple[int | None, str | None]] = {GENERAL: (None, None)}
    for position, family, _ in drafting.cases_so_far(w.store, w.record_id):
        offered[case_label(position, family)] = (position, None)
    for item in template.sections:
        if item.type not in ("actions", "next_meeting", "cases"):
            offered[fits(f"{item.number}. {item.title}" if item.number else item.title)] = \
                (None, item.id)
    return offered


def actions(w: Walk, section: Section, template: Template) -> None:
    held = w.draft.held_on
    out.paragraph(f"\n{section.title}")
    hint = "use [[actions]] in an answers file."
    while prompts.confirm("Add an action?", hint=hint):
        offered = _items(w, template)  # the policy's columns: Item, Notes, Agreed Action, ...
        case, item = offered[prompts.choice("Item (what it comes from):", list(offered),
                                            hint="give case or item in that [[actions]].",
                                            default=GENERAL)]
        notes = prompts.text("Notes of the discussion (optional):", hint=hint).strip()
        text = ask_needed("Agreed action:", hint)
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
                               owner_role=owner_role, case=case, item=item,
                               notes=notes or None)


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

