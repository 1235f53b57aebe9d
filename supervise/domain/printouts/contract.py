"""A contract laid out like the pro-forma: its terms, the template's questions, signatures."""

from supervise.domain.document import Grid
from supervise.domain.policy.templates import FIELD_TYPES
from supervise.domain.printouts.page import Page


def contract_page(p: Page) -> None:
    header, template = p.header, p.facts.template
    p.doc.subtitle = template.title
    rows = [("Supervisee", p.name(header["supervisee"])),
            ("Supervisor", p.name(header["supervisor"])), ("Kind", header["kind"]),
            ("Frequency", header["frequency"] + (f" ({header['schedule']} schedule)"
                                                 if header["schedule"] else "")),
            ("Start", header["start"].isoformat()), ("Review by", header["review"].isoformat()),
            ("Expected duration", f"{header['duration_minutes']} minutes"
             if header["duration_minutes"] else ""), ("Venue", header["venue"] or ""),
            ("Status", f"{p.facts.state}; {p.facts.status}"),
            ("Template", f"{template.title} (version {template.version})")]
    if header["supersedes"]:
        rows.append(("Replaces", f"contract C{header['supersedes']}"))
    p.add(Grid(tuple(rows)))
    p.answers([s for s in template.sections if s.type in FIELD_TYPES])
    p.evidence()
