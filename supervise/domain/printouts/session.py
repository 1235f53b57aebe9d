"""A session record laid out like the pro-formas: details, the agenda in the template's order with
the case discussions (Part A, Part B, decision), the actions table and the reviews of earlier
actions, then signatures and amendments."""

from collections.abc import Callable
from typing import Any

from supervise.domain.document import Answer, Grid, Heading, Remark, answer_text, moment_text
from supervise.domain.policy.templates import FIELD_TYPES, Field, Section
from supervise.domain.printouts.page import Page
from supervise.domain.wording import (
    case_label,
    child_born,
    family_words,
    outcome_label,
    session_kind_label,
    start_words,
    status_label,
    status_since,
    uk_date,
)

GROUP_LABELS = {"group_confidentiality": "Confidentiality boundaries agreed by the group",
                "concern_lead": "Who takes forward an immediate safeguarding concern"}
PART_TITLES = {"A": "Part A: for completion by the worker",
               "B": "Part B: supervision discussion, for completion by the supervisor"}
# Signs of Safety's three columns, in the mapping's own order (SPEC §2).
SIGNS_OF_SAFETY = ("worried_about", "working_well", "needs_to_happen")


def session_page(p: Page) -> None:
    header, template = p.header, p.facts.template
    p.doc.subtitle = template.title
    supervisees = [p.titled(p.name(i)) for i in header["supervisees"]]
    held = header["held_on"]
    rows = [("Type of session", session_kind_label(header["kind"])),
            ("Date", uk_date(held)), ("Start time", start_words(held, header["start_time"])),
            ("Duration", f"{header['duration_minutes']} minutes"
             if header["duration_minutes"] else ""),
            ("Name of supervisor", p.titled(p.name(header["supervisor"]))),
            ("Name of supervisee" + ("s" if len(supervisees) > 1 else ""),
             "\n".join(supervisees)),
            ("Contract", f"C{header['contract']}" if header["contract"] else "none"),
            ("Recorded at", moment_text(header["recorded_at"])),
            ("Completed at", moment_text(header["completed_at"])),
            ("Status", p.facts.status[:1].upper() + p.facts.status[1:]),
            ("Template", f"{template.title} (version {template.version})")]
    p.add(Grid(tuple(rows)))
    if header["kind"] == "group":
        p.add(Remark(f"This was a group supervision session with {len(supervisees)} "
                     f"supervisees."))
    if header["late_entry"]:
        p.add(Remark(f"Late entry: the meeting was on {uk_date(held)} and this "
                     f"record was written at {moment_text(header['recorded_at'])}."))
    p.marks(None)
    for key, index in p.indexed("group").items():
        if p.part_or_remark(index, GROUP_LABELS[key]):
            value = p.parts[index]["answer"]
            p.add(Answer(GROUP_LABELS[key], answer_text(
                p.name(value) if key == "concern_lead" and isinstance(value, int) else value)))
    # Reviews, cases and actions exist only where the template has their section
    # (domain/session_file.py refuses them otherwise), so the template's order draws them all.
    # Each agenda item is a numbered heading under its band's, so the outline is the agenda.
    banded = any(section.band for section in template.sections)
    level = 3 if banded else 2
    for section in template.sections:
        if section.band:
            p.add(Heading(section.band, 2))
        title = f"{section.number}. {section.title}" if section.number else section.title
        if section.type in FIELD_TYPES:
            p.answers([section], title=title, level=level)
        else:
            _DRAW[section.type](p, section, title, level)
    p.evidence()


def _reviews(p: Page, section: Section, title: str, level: int) -> None:
    p.add(Heading(title, level))
    rows = []
    for index, part in enumerate(p.parts):
        if "review_of" not in part or not p.part_or_remark(index, f"A review of action "
                                                                  f"A{part['review_of']}"):
            continue
        action = p.facts.reviewed[part["review_of"]]
        due = uk_date(part["due"]) if part["due"] else ""
        if due and part["outcome"] in ("carried", "rescheduled"):
            due = f"now due {due}"
        rows.append((f"A{action.id}", p.safe(action.text), p.owner(action),
                     f"S{action.session}", outcome_label(part["outcome"]), part["note"] or "",
                     due))
    if rows:
        p.add(Grid(tuple(rows), header=("No.", "Action", "By whom", "Agreed in", "Outcome",
                                        "Note", "Due"), widths=(2, 8, 4, 3, 4, 5, 4)))
    elif not any("review_of" in part for part in p.parts):
        p.add(Remark("No earlier actions were reviewed."))


def _cases(p: Page, section: Section, title: str, level: int) -> None:
    p.add(Heading(title, level))
    found = False
    for index, part in enumerate(p.parts):
        if "status" not in part or "case" not in part:
            continue
        found = True
        if p.part_or_remark(index, f"Case discussion {part['case']}"):
            _case(p, part, section.fields, level + 1)
    if not found:
        p.add(Remark("No case discussions were recorded."))


def _case(p: Page, part: dict[str, Any], fields: tuple[Field, ...], level: int) -> None:
    p.add(Heading(f"Case discussion {part['case']}: {family_words(part['family'])}", level))
    children = part["children"]
    held = p.header["held_on"]
    if children:
        p.add(Grid((("Family name", part["family"] or ""),
                    ("Children (date of birth, age at this session)",
                     "\n".join(child_born(c, held) for c in children)),
                    *children_status_rows(children, part["status"]))))
    else:
        p.add(Remark("No family or child is named in this discussion."))
    answers = part["answers"]
    titled = {f.id: f for f in fields}
    order = [f.id for f in fields if f.id in answers] + [k for k in answers if k not in titled]
    mapping = [titled[k] for k in SIGNS_OF_SAFETY if k in titled]
    current_part = None
    for key in order:
        value, field = answers[key], titled.get(key)
        if field is not None and field.part and field.part != current_part:
            current_part = field.part
            p.add(Heading(PART_TITLES.get(field.part, f"Part {field.part}"), level + 1))
        if len(mapping) == 3 and key in SIGNS_OF_SAFETY:
            if key == next(k for k in order if k in SIGNS_OF_SAFETY):
                _signs_of_safety(p, mapping, answers, part["case"])
            continue
        p.add(Answer(field.title if field else key,
                     answer_text(value, field.type if field else None)))
        p.marks(key, part["case"])
    if part["decision"]:
        decision = p.facts.decisions[part["case"]]
        p.add(Heading(f"Decision record D{decision.id}", level + 1))
        for section in decision.template.sections:
            if section.id in part["decision"]:
                p.add(Answer(section.title, answer_text(part["decision"][section.id],
                                                          section.type)))


def _signs_of_safety(p: Page, mapping: list[Field], answers: dict[str, Any], case: int) -> None:
    """The Signs of Safety mapping as its three columns, side by side."""
    p.add(Grid(((tuple(answer_text(answers.get(f.id)) or "Not answered" for f in mapping)),),
               header=tuple(f.title for f in mapping)))
    for field in mapping:
        p.marks(field.id, case)


def children_status_rows(children: list[dict[str, Any]],
                         case_status: str | None) -> tuple[tuple[str, str], ...]:
    """Each child's own status and since when (and local references), in records that keep
    them; the one status of the case in older records."""
    if not children or not all("status" in c for c in children):
        return (("Current status", status_label(case_status) if case_status else ""),)
    rows = [("Status of each child", "\n".join(
        f"{c['name']}: {status_since(c['status'], c.get('since'))}" for c in children))]
    refs = [f"{c['name']}: {c['ref']}" for c in children if c.get("ref")]
    if refs:
        rows.append(("Local references", "\n".join(refs)))
    return tuple(rows)


def _owner(p: Page, part: dict[str, Any]) -> str:
    """Who an action is for: a member of staff by name, or a named contact and their role."""
    contact = part.get("contact")
    if contact:
        return f"{contact['name']} ({contact['role']})" if contact.get("role") \
            else contact["name"]
    return p.name(part["owner"])


def _about(part: dict[str, Any], titles: dict[str, str],
           families: dict[int, str | None]) -> str:
    if part.get("case"):  # a case left out of an extract is named only by its number
        return case_label(part["case"], families[part["case"]]) \
            if part["case"] in families else f"Case {part['case']}"
    if part.get("item"):
        return titles.get(part["item"], part["item"])
    return ""


def _actions(p: Page, section: Section, title: str, level: int) -> None:
    p.add(Heading(title, level))
    titles = {s.id: s.title for s in p.facts.template.sections}
    families = {part["case"]: part["family"] for index, part in enumerate(p.parts)
                if "status" in part and "case" in part and index not in p.facts.omitted}
    rows, noted = [], False
    for index, part in enumerate(p.parts):
        if "action" in part and p.part_or_remark(index, f"Action A{part['action']}"):
            noted = noted or bool(part.get("notes"))
            rows.append((f"A{part['action']}", _about(part, titles, families),
                         p.safe(part.get("notes") or ""), part["text"], _owner(p, part),
                         uk_date(part["due"]) if part["due"] else ""))
    if rows:  # the policy's table: Item, Notes, Agreed Action, By Whom, By Date
        if noted:
            p.add(Grid(tuple(rows), header=("No.", "Item", "Notes", "Agreed action", "By whom",
                                            "By when"), widths=(2, 4, 5, 6, 3, 3)))
        else:
            p.add(Grid(tuple(r[:2] + r[3:] for r in rows),
                       header=("No.", "Item", "Agreed action", "By whom", "By when"),
                       widths=(2, 4, 9, 4, 4)))
    elif not any("action" in part for part in p.parts):
        p.add(Remark("No actions were agreed."))


def _next_meeting(p: Page, section: Section, title: str, level: int) -> None:
    p.add(Answer(title, answer_text(p.header["next_meeting"]), level))


_DRAW: dict[str, Callable[[Page, Section, str, int], None]] = {
    "action_review": _reviews, "cases": _cases, "actions": _actions,
    "next_meeting": _next_meeting}
