"""A session record laid out like the pro-formas: details, the agenda in the template's order with
the case discussions (Part A, Part B, decision), the actions table and the reviews of earlier
actions, then signatures and amendments."""

from collections.abc import Callable
from typing import Any

from supervise.domain.document import Answer, Grid, Heading, Remark, answer_text, moment_text
from supervise.domain.policy.templates import FIELD_TYPES, Field, Section
from supervise.domain.printouts.page import Page
from supervise.domain.records.session_file import status_words

KIND_WORDS = {"one-to-one": "One-to-one supervision", "group": "Group supervision",
              "ad-hoc": "Ad hoc supervision", "external": "External supervision"}
GROUP_LABELS = {"group_confidentiality": "Confidentiality boundaries agreed by the group",
                "concern_lead": "Who takes forward an immediate safeguarding concern"}
PART_TITLES = {"A": "Part A: for completion by the worker",
               "B": "Part B: supervision discussion, for completion by the supervisor"}


def session_page(p: Page) -> None:
    header, template = p.header, p.facts.template
    p.doc.subtitle = template.title
    supervisees = [p.name(i) for i in header["supervisees"]]
    rows = [("Type of session", KIND_WORDS.get(header["kind"], header["kind"])),
            ("Date", header["held_on"].isoformat()), ("Start time", header["start_time"] or ""),
            ("Duration", f"{header['duration_minutes']} minutes"
             if header["duration_minutes"] else ""),
            ("Name of supervisor", p.name(header["supervisor"])),
            ("Name of supervisee" + ("s" if len(supervisees) > 1 else ""), ", ".join(supervisees)),
            ("Contract", f"C{header['contract']}" if header["contract"] else "none"),
            ("Recorded at", moment_text(header["recorded_at"])),
            ("Completed at", moment_text(header["completed_at"])),
            ("Status", p.facts.status),
            ("Template", f"{template.title} (version {template.version})")]
    p.add(Grid(tuple(rows)))
    if header["kind"] == "group":
        p.add(Remark(f"This was a group supervision session with {len(supervisees)} "
                     f"supervisees."))
    if header["late_entry"]:
        p.add(Remark(f"Late entry: the meeting was on {header['held_on'].isoformat()} and this "
                     f"record was written at {moment_text(header['recorded_at'])}."))
    for key, index in p.indexed("group").items():
        if p.part_or_remark(index, GROUP_LABELS[key]):
            value = p.parts[index]["answer"]
            p.add(Answer(GROUP_LABELS[key], answer_text(
                p.name(value) if key == "concern_lead" and isinstance(value, int) else value)))
    # Reviews, cases and actions exist only where the template has their section
    # (domain/session_file.py refuses them otherwise), so the template's order draws them all.
    for section in template.sections:
        if section.type in FIELD_TYPES:
            p.answers([section])
        else:
            _DRAW[section.type](p, section)
    p.evidence()


def _reviews(p: Page, section: Section) -> None:
    p.add(Heading(section.title))
    rows = []
    for index, part in enumerate(p.parts):
        if "review_of" not in part or not p.part_or_remark(index, f"A review of action "
                                                                  f"A{part['review_of']}"):
            continue
        action = p.facts.reviewed[part["review_of"]]
        still_due = part["outcome"] in ("carried", "rescheduled")
        rows.append((f"A{action.id}", p.safe(action.text), p.owner(action),
                     f"S{action.session}", part["outcome"], part["note"] or "",
                     answer_text(part["due"]) or "" if still_due else ""))
    if rows:
        p.add(Grid(tuple(rows), header=("No.", "Action", "By whom", "Agreed in", "Outcome",
                                        "Note", "Now due"), widths=(2, 7, 4, 3, 3, 6, 4)))
    elif not any("review_of" in part for part in p.parts):
        p.add(Remark("No earlier actions were reviewed."))


def _cases(p: Page, section: Section) -> None:
    p.add(Heading(section.title))
    found = False
    for index, part in enumerate(p.parts):
        if "status" not in part or "case" not in part:
            continue
        found = True
        if p.part_or_remark(index, f"Case discussion {part['case']}"):
            _case(p, part, section.fields)
    if not found:
        p.add(Remark("No case discussions were recorded."))


def _case(p: Page, part: dict[str, Any], fields: tuple[Field, ...]) -> None:
    p.add(Heading(f"Case discussion {part['case']}: {part['family']} family", 3))
    children = part["children"]
    p.add(Grid((("Family name", part["family"] or ""),
                ("Children's names", ", ".join(c["name"] for c in children)),
                ("Dates of birth", ", ".join(answer_text(c["dob"]) or "not known"
                                             for c in children)),
                *children_status_rows(children, part["status"]))))
    answers = part["answers"]
    titled = {f.id: f for f in fields}
    order = [f.id for f in fields if f.id in answers] + [k for k in answers if k not in titled]
    current_part = None
    for key in order:
        value, field = answers[key], titled.get(key)
        if field is not None and field.part and field.part != current_part:
            current_part = field.part
            p.add(Heading(PART_TITLES.get(field.part, f"Part {field.part}"), 4))
        p.add(Answer(field.title if field else key, answer_text(value)))
    if part["decision"]:
        decision = p.facts.decisions[part["case"]]
        p.add(Heading(f"Decision record D{decision.id}", 4))
        for section in decision.template.sections:
            if section.id in part["decision"]:
                p.add(Answer(section.title, answer_text(part["decision"][section.id])))


def children_status_rows(children: list[dict[str, Any]],
                         case_status: str | None) -> tuple[tuple[str, str], ...]:
    """Each child's own status and since when (and local references), in records that keep
    them; the one status of the case in older records."""
    if not children or not all("status" in c for c in children):
        return (("Current status", case_status or ""),)
    rows = [("Status of each child", "; ".join(
        f"{c['name']}: {status_words(c['status'], c.get('since'))}" for c in children))]
    refs = [f"{c['name']}: {c['ref']}" for c in children if c.get("ref")]
    if refs:
        rows.append(("Local references", "; ".join(refs)))
    return tuple(rows)


def _owner(p: Page, part: dict[str, Any]) -> str:
    """Who an action is for: a member of staff by name, or a named contact and their role."""
    contact = part.get("contact")
    if contact:
        return f"{contact['name']} ({contact['role']})" if contact.get("role") \
            else contact["name"]
    return p.name(part["owner"])


def _about(part: dict[str, Any], titles: dict[str, str]) -> str:
    if part.get("case"):
        return f"case {part['case']}"
    if part.get("item"):
        return titles.get(part["item"], part["item"])
    return ""


def _actions(p: Page, section: Section) -> None:
    p.add(Heading(section.title))
    titles = {s.id: s.title for s in p.facts.template.sections}
    rows = []
    for index, part in enumerate(p.parts):
        if "action" in part and p.part_or_remark(index, f"Action A{part['action']}"):
            rows.append((f"A{part['action']}", part["text"], _owner(p, part),
                         answer_text(part["due"]) or "", _about(part, titles)))
    if rows:
        p.add(Grid(tuple(rows), header=("No.", "Agreed action", "By whom", "By when", "About"),
                   widths=(2, 10, 4, 3, 3)))
    elif not any("action" in part for part in p.parts):
        p.add(Remark("No actions were agreed."))


def _next_meeting(p: Page, section: Section) -> None:
    p.add(Answer(section.title, answer_text(p.header["next_meeting"])))


_DRAW: dict[str, Callable[[Page, Section], None]] = {
    "action_review": _reviews, "cases": _cases, "actions": _actions,
    "next_meeting": _next_meeting}
