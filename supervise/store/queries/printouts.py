"""Records laid out like the pro-formas (SPEC §7): details table, the agenda in template order,
case discussions, the actions table, the signature block and the amendments.

Each printout is drawn from the record's signed content (`Choice.content`), so what a reader sees
is what the digest and the signatures cover; a part the export leaves out is replaced by a remark
saying why, with its digest."""

from datetime import datetime
from typing import Any

from sqlmodel import Session

from supervise.domain.canonical import part_digest
from supervise.domain.document import (
    Answer,
    Block,
    Document,
    Grid,
    Heading,
    Remark,
    answer_text,
    moment_text,
    short_digest,
)
from supervise.domain.extract import shown_unless_named
from supervise.domain.templates import FIELD_TYPES
from supervise.store.db.tables import Amendment, Decision, SessionRecord
from supervise.store.queries.extract_cuts import Choice, Cut, amendment_choice
from supervise.store.records.amendments import amendment_row, amendments_of
from supervise.store.records.people import person_name
from supervise.store.records.session_parts import actions_raised
from supervise.store.records.signatures import signing_summary
from supervise.store.records.template_snapshots import snapshot

KIND_WORDS = {"one-to-one": "One-to-one supervision", "group": "Group supervision",
              "ad-hoc": "Ad hoc supervision", "external": "External supervision"}
GROUP_LABELS = {"group_confidentiality": "Confidentiality boundaries agreed by the group",
                "concern_lead": "Who takes forward an immediate safeguarding concern"}
TITLES = {"contract": "Supervision Contract", "session": "Supervision Record",
          "decision": "Supervision Decision Record"}


def omitted_remark(what: str, reason: str, digest: str) -> Remark:
    return Remark(f"{what} is omitted from this export: {reason}. Its digest is "
                  f"{short_digest(digest)}.")


class Printout:
    """One record's document, built block by block."""

    def __init__(self, session: Session, record_type: str, record: Any, choice: Choice,
                 *, organisation: str, author: str, now: datetime, reference: str,
                 cut: Cut) -> None:
        self.session, self.record_type, self.record, self.choice = (session, record_type,
                                                                    record, choice)
        self.cut = cut
        self.hidden = sorted(choice.outside | cut.outside)
        self.summary = signing_summary(session, record_type, record)
        self.amended: list[tuple[Amendment, Choice]] = [
            (a, amendment_choice(session, a, record, choice, cut))
            for a in amendments_of(session, record_type, record.id)]
        self.parts = choice.content.parts
        self.doc = Document(organisation=organisation, title=TITLES[record_type],
                            reference=reference, digest=choice.content.digest, author=author,
                            created=now)
        self.names: dict[int, str] = {}

    def name(self, person_id: int | None) -> str:
        if person_id is None:
            return ""
        if person_id not in self.names:
            self.names[person_id] = person_name(self.session, person_id)
        return self.names[person_id]

    def safe(self, text: str) -> str:
        """Text read beside the signed parts (an earlier action's wording): shown unless it
        names a child outside the export."""
        return shown_unless_named(text, self.hidden)

    def add(self, *blocks: Block) -> None:
        self.doc.blocks.extend(blocks)

    def indexed(self, key: str) -> dict[Any, int]:
        return {part[key]: i for i, part in enumerate(self.parts) if key in part}

    def part_or_remark(self, index: int, what: str) -> bool:
        """True when the part is included; else a remark stands in its place."""
        reason = self.choice.omitted.get(index)
        if reason is None:
            return True
        self.add(omitted_remark(what, reason, part_digest(self.parts[index])))
        return False

    def answers(self, sections: list[Any]) -> None:
        at = self.indexed("section")
        for section in sections:
            if section.id not in at:
                self.add(Answer(section.title, None))
            elif self.part_or_remark(at[section.id], f"The answer to '{section.title}'"):
                self.add(Answer(section.title, answer_text(self.parts[at[section.id]]["answer"])))

    def evidence(self) -> None:
        signature_block(self, self.summary)
        if self.amended:
            self.add(Heading("Amendments"))
        for amendment, choice in self.amended:
            self.amendment(amendment, choice)

    def amendment(self, amendment: Amendment, choice: Choice) -> None:
        self.add(Heading(f"Amendment {amendment.number}", 3))
        if 0 in choice.omitted:
            self.add(omitted_remark(f"Amendment {amendment.number}", choice.omitted[0],
                                    choice.content.digest))
            return
        corrects = "a note on the whole record"
        if amendment.section:
            question = amendment_row(self.session, amendment, self.record)["question"]
            corrects = (question or amendment.section) + (
                f" (case discussion {amendment.case_position})" if amendment.case_position
                else "")
        part = choice.content.parts[0]
        self.add(Grid((("Corrects", corrects), ("By", self.name(amendment.author_id)),
                       ("Recorded at", moment_text(amendment.created_at)),
                       ("Reason", part["reason"]),
                       ("Digest", short_digest(choice.content.digest)))))
        if amendment.section:
            self.add(Answer("Was", answer_text(part["previous"])))
        self.add(Answer("Now", answer_text(part["text"])))
        signature_block(self, signing_summary(self.session, "amendment", amendment), level=4)


def signature_block(printout: Printout, summary: dict[str, Any], level: int = 2) -> None:
    printout.add(Heading("Signatures", level))
    if not summary["signatures"]:
        printout.add(Remark("Not signed."))
    else:
        printout.add(Grid(tuple((s["name"], s["role"], s["date"], s["method"], s["key"],
                                 s["comment"] or "") for s in summary["signatures"]),
                          header=("Name", "Role", "Date", "Method", "Key", "Comment"),
                          widths=(8, 6, 7, 9, 7, 10)))
    if summary["awaiting"]:
        printout.add(Remark(f"Awaiting the signature of {', '.join(summary['awaiting'])}."))


def contract_printout(p: Printout, status: str) -> Document:
    contract = p.record
    template = snapshot(p.session, contract.template_digest)
    p.doc.subtitle = template.title
    rows = [("Supervisee", p.name(contract.supervisee_id)),
            ("Supervisor", p.name(contract.supervisor_id)), ("Kind", contract.kind),
            ("Frequency", contract.frequency + (f" ({contract.schedule} schedule)"
                                                if contract.schedule else "")),
            ("Start", contract.start_on.isoformat()), ("Review by", contract.review_on.isoformat()),
            ("Expected duration", f"{contract.duration_minutes} minutes"
             if contract.duration_minutes else ""), ("Venue", contract.venue or ""),
            ("Status", status), ("Template", f"{template.title} (version {template.version})")]
    if contract.supersedes_id:
        rows.append(("Replaces", f"contract C{contract.supersedes_id}"))
    p.add(Grid(tuple(rows)))
    p.answers([s for s in template.sections if s.type in FIELD_TYPES])
    p.evidence()
    return p.doc


def decision_printout(p: Printout) -> Document:
    decision: Decision = p.record
    header = p.choice.content.header
    template = snapshot(p.session, decision.template_digest)
    record = p.session.get(SessionRecord, header["session"])
    p.doc.subtitle = "Individual child, young person or family record"
    children = header["children"]
    p.add(Grid((
        ("Name of child / young person / family", ", ".join(c["name"] for c in children)
         + f" ({header['family']} family)"),
        ("Date of birth", ", ".join(answer_text(c["dob"]) or "not known" for c in children)),
        ("Supervision date", header["held_on"].isoformat()),
        ("Supervisee", ", ".join(p.name(i) for i in header["supervisees"])),
        ("Supervisor / manager", p.name(header["supervisor"])),
        ("Made in", f"session S{record.id}, case discussion {header['case']}"))))
    p.answers([s for s in template.sections if s.type in FIELD_TYPES])
    actions = [a for a in actions_raised(p.session, record) if a.case_id == decision.case_id]
    p.add(Heading("Actions agreed in the session for this case"))
    if actions:
        p.add(Grid(tuple((f"A{a.id}", p.safe(a.text), p.name(a.owner_id),
                          (a.agreed_due_on or a.due_on).isoformat()) for a in actions),
                   header=("No.", "Action", "By whom", "By when"), widths=(2, 10, 4, 3)),
              Remark(f"The actions are part of the record of session S{record.id}."))
    else:
        p.add(Remark("No actions were agreed for this case."))
    p.evidence()
    return p.doc
