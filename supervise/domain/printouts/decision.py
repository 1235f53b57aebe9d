"""A decision record laid out like the individual child, young person or family pro-forma: who
it is about, its questions, the actions the session agreed for the case, signatures."""

from supervise.domain.document import Grid, Heading, Remark, answer_text
from supervise.domain.policy.templates import FIELD_TYPES
from supervise.domain.printouts.page import Page
from supervise.domain.printouts.session import children_status_rows


def decision_page(p: Page) -> None:
    header, template = p.header, p.facts.template
    p.doc.subtitle = "Individual child, young person or family record"
    children = header["children"]
    p.add(Grid((
        ("Name of child / young person / family", ", ".join(c["name"] for c in children)
         + f" ({header['family']} family)"),
        ("Date of birth", ", ".join(answer_text(c["dob"]) or "not known" for c in children)),
        *(children_status_rows(children, None)
          if children and all("status" in c for c in children) else ()),
        ("Supervision date", header["held_on"].isoformat()),
        ("Supervisee", ", ".join(p.name(i) for i in header["supervisees"])),
        ("Supervisor / manager", p.name(header["supervisor"])),
        ("Made in", f"session S{header['session']}, case discussion {header['case']}"))))
    p.answers([s for s in template.sections if s.type in FIELD_TYPES])
    actions = p.facts.actions
    p.add(Heading("Actions agreed in the session for this case"))
    if actions:
        p.add(Grid(tuple((f"A{a.id}", p.safe(a.text), p.owner(a),
                          a.due.isoformat()) for a in actions),
                   header=("No.", "Action", "By whom", "By when"), widths=(2, 10, 4, 3)),
              Remark(f"The actions are part of the record of session S{header['session']}."))
    else:
        p.add(Remark("No actions were agreed for this case."))
    p.evidence()
