"""A decision record laid out like the individual child, young person or family pro-forma: who
it is about, its questions, the actions the session agreed for the case, what was said at the
session's signing, signatures."""

from supervise.domain.document import Grid, Heading, Remark
from supervise.domain.policy.templates import FIELD_TYPES
from supervise.domain.printouts.page import Page
from supervise.domain.printouts.session import children_status_rows
from supervise.domain.wording import child_born, uk_date


def decision_page(p: Page) -> None:
    header, template = p.header, p.facts.template
    p.doc.subtitle = "Individual child, young person or family record"
    children, held = header["children"], header["held_on"]
    p.add(Grid((
        ("Name of child / young person / family", ", ".join(c["name"] for c in children)
         + f" ({header['family']} family)"),
        ("Date of birth (age at the supervision)",
         "\n".join(child_born(c, held) for c in children)),
        *(children_status_rows(children, None)
          if children and all("status" in c for c in children) else ()),
        ("Supervision date", uk_date(held)),
        ("Supervisee", "\n".join(p.titled(p.name(i)) for i in header["supervisees"])),
        ("Supervisor / manager", p.titled(p.name(header["supervisor"]))),
        ("Made in", f"Session S{header['session']}, case discussion {header['case']}"))))
    p.marks(None)
    p.answers([s for s in template.sections if s.type in FIELD_TYPES])
    actions = p.facts.actions
    p.add(Heading("Actions agreed in the session for this case"))
    if actions:
        p.add(Grid(tuple((f"A{a.id}", p.safe(a.text), p.owner(a),
                          uk_date(a.due)) for a in actions),
                   header=("No.", "Action", "By whom", "By when"), widths=(2, 10, 4, 4)),
              Remark(f"The actions are part of the record of session S{header['session']}."))
    else:
        p.add(Remark("No actions were agreed for this case."))
    # A disagreement signed on the session belongs on the child's file with the decision.
    p.comments(p.facts.session_signatures, of=f" of session S{header['session']}", safe=True)
    p.evidence()
