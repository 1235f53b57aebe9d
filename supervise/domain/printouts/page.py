"""One record's printout, built block by block from its `PrintFacts`: the answers in template
order (a part the export leaves out replaced by a remark saying why, with its digest), then the
signature block and the amendments."""

from datetime import datetime
from typing import Any

from supervise.domain.bundles.extract import shown_unless_named
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
from supervise.domain.policy.templates import Section
from supervise.domain.printouts.facts import ActionFacts, AmendmentFacts, PrintFacts
from supervise.domain.records.canonical import part_digest
from supervise.domain.rows import SigningSummary

TITLES = {"contract": "Supervision Contract", "session": "Supervision Record",
          "decision": "Supervision Decision Record"}
PREFIX = {"contract": "C", "session": "S", "decision": "D"}
NOUN = {"contract": "Contract", "session": "Session", "decision": "Decision record"}


def reference(record_type: str, record_id: int) -> str:
    """The footer's record id: `Session S12`."""
    return f"{NOUN[record_type]} {PREFIX[record_type]}{record_id}"


def omitted_remark(what: str, reason: str, digest: str) -> Remark:
    return Remark(f"{what} is omitted from this export: {reason}. Its digest is "
                  f"{short_digest(digest)}.")


class Page:
    """A record's document under construction, with the facts it is drawn from."""

    def __init__(self, facts: PrintFacts, *, organisation: str, author: str,
                 now: datetime) -> None:
        self.facts = facts
        self.header = facts.content.header
        self.parts = facts.content.parts
        self.doc = Document(organisation=organisation, title=TITLES[facts.record_type],
                            reference=reference(facts.record_type, self.header["id"]),
                            digest=facts.content.digest, author=author, created=now)

    def name(self, person_id: int | None) -> str:
        return "" if person_id is None else self.facts.names[person_id]

    def owner(self, action: ActionFacts) -> str:
        """Who an action read beside the signed parts is for: staff by name, or the contact."""
        return action.contact if action.contact else self.name(action.owner)

    def safe(self, text: str) -> str:
        """Text read beside the signed parts (an earlier action's wording): shown unless it
        names a child outside the export."""
        return shown_unless_named(text, list(self.facts.hidden))

    def add(self, *blocks: Block) -> None:
        self.doc.blocks.extend(blocks)

    def indexed(self, key: str) -> dict[Any, int]:
        return {part[key]: i for i, part in enumerate(self.parts) if key in part}

    def part_or_remark(self, index: int, what: str) -> bool:
        """True when the part is included; else a remark stands in its place."""
        reason = self.facts.omitted.get(index)
        if reason is None:
            return True
        self.add(omitted_remark(what, reason, part_digest(self.parts[index])))
        return False

    def answers(self, sections: list[Section]) -> None:
        at = self.indexed("section")
        for section in sections:
            if section.id not in at:
                self.add(Answer(section.title, None))
            elif self.part_or_remark(at[section.id], f"The answer to '{section.title}'"):
                self.add(Answer(section.title, answer_text(self.parts[at[section.id]]["answer"])))

    def evidence(self) -> None:
        self.signatures(self.facts.summary)
        if self.facts.amendments:
            self.add(Heading("Amendments"))
        for amendment in self.facts.amendments:
            self.amendment(amendment)

    def signatures(self, summary: SigningSummary, level: int = 2) -> None:
        self.add(Heading("Signatures", level))
        if not summary["signatures"]:
            self.add(Remark("Not signed."))
        else:
            self.add(Grid(tuple((s["name"], s["role"], s["date"], s["method"], s["key"],
                                 s["comment"] or "") for s in summary["signatures"]),
                          header=("Name", "Role", "Date", "Method", "Key", "Comment"),
                          widths=(8, 6, 7, 9, 7, 10)))
        if summary["awaiting"]:
            self.add(Remark(f"Awaiting the signature of {', '.join(summary['awaiting'])}."))

    def amendment(self, amendment: AmendmentFacts) -> None:
        self.add(Heading(f"Amendment {amendment.number}", 3))
        if 0 in amendment.omitted:
            self.add(omitted_remark(f"Amendment {amendment.number}", amendment.omitted[0],
                                    amendment.content.digest))
            return
        corrects = "a note on the whole record"
        if amendment.section:
            corrects = (amendment.question or amendment.section) + (
                f" (case discussion {amendment.case})" if amendment.case else "")
        part = amendment.content.parts[0]
        self.add(Grid((("Corrects", corrects), ("By", self.name(amendment.author)),
                       ("Recorded at", moment_text(amendment.created_at)),
                       ("Reason", part["reason"]),
                       ("Digest", short_digest(amendment.content.digest)))))
        if amendment.section:
            self.add(Answer("Was", answer_text(part["previous"])))
        self.add(Answer("Now", answer_text(part["text"])))
        self.signatures(amendment.summary, level=4)
