"""A contract laid out like the pro-forma: its terms, the template's questions, signatures."""

from supervise.domain.document import Grid
from supervise.domain.policy.templates import FIELD_TYPES
from supervise.domain.printouts.page import Page
from supervise.domain.wording import contract_kind_label, frequency_label, uk_date


def contract_page(p: Page) -> None:
    header, template = p.header, p.facts.template
    p.doc.subtitle = template.title
    state = p.facts.state or ""
    rows = [("Supervisee", p.titled(p.name(header["supervisee"]))),
            ("Supervisor", p.titled(p.name(header["supervisor"]))),
            ("Kind", contract_kind_label(header["kind"], p.facts.kind_labels)),
            ("Frequency", frequency_label(header["frequency"])
             + (f" ({header['schedule']} schedule)" if header["schedule"] else "")),
            ("Start", uk_date(header["start"])), ("Review by", uk_date(header["review"])),
            ("Expected duration", f"{header['duration_minutes']} minutes"
             if header["duration_minutes"] else ""), ("Venue", header["venue"] or ""),
            ("Status", f"{state[:1].upper()}{state[1:]}; {p.facts.status}"),
            ("Template", f"{template.title} (version {template.version})")]
    if header["supersedes"]:
        rows.append(("Replaces", f"contract C{header['supersedes']}"))
    p.add(Grid(tuple(rows)))
    p.marks(None)
    p.answers([s for s in template.sections if s.type in FIELD_TYPES])
    p.evidence()
