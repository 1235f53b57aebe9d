"""One record's printout, built block by block from its `PrintFacts`: the answers in template
order (a part the export leaves out replaced by a remark saying why, with its digest), then the
signature block and the amendments."""

import re
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
    short_digest,
)
from supervise.domain.policy.templates import Section
from supervise.domain.printouts.facts import ActionFacts, AmendmentFacts, PrintFacts
from supervise.domain.records.canonical import part_digest
from supervise.domain.rows import SignatureRow, SigningSummary
from supervise.domain.text import counted
from supervise.domain.wording import (
    local_date,
    moment_words,
    person_with_title,
    signing_role_label,
)

TITLES = {"contract": "Supervision Contract", "session": "Supervision Record",
          "decision": "Supervision Decision Record"}
PREFIX = {"contract": "C", "session": "S", "decision": "D"}
_ROLE_AT_END = re.compile(r"\((supervisor|supervisee|manager)\)$")  # "Sam Taylor (supervisee)"
NOUN = {"contract": "Contract", "session": "Session", "decision": "Decision record"}


def reference(record_type: str, record_id: int) -> str:
    """The footer's record id: `Session S12`."""
    return f"{NOUN[record_type]} {PREFIX[record_type]}{record_id}"


def omitted_remark(what: str, reason: str, digest: str) -> Remark:
    return Remark(f"{what} is omitted from this export: {reason}. Its digest is "
                  f"{short_digest(digest)}.")



def _two_lines(key: str) -> str:
    """`c9b2 22c6 ec27 2bfd` as two lines of two groups: a narrow column, read in pairs."""
    groups = key.split()
    return f"{' '.join(groups[:2])}\n{' '.join(groups[2:])}" if len(groups) == 4 else key

class Page:
    """A record's document under construction, with the facts it is drawn from."""

    def __init__(self, facts: PrintFacts, *, organisation: str, author: str,
                 now: datetime) -> None:
        self.facts = facts
        self.header = facts.content.header
        self.parts = facts.content.parts
        self.doc = Document(organisation=organisation, title=TITLES[facts.record_type],
                            reference=reference(facts.record_type, self.header["id"]),
                            digest=facts.content.digest, author=author, created=now,
                            extract=extract_note(facts))
        self.amended: dict[tuple[str | None, int | None], list[AmendmentFacts]] = {}
        for amendment in facts.amendments:
            self.amended.setdefault((amendment.section, amendment.case), []).append(amendment)

    def name(self, person_id: int | None) -> str:
        return "" if person_id is None else self.facts.names[person_id]

    def titled(self, name: str) -> str:
        """A name with the person's job title under it (attendee and signature tables)."""
        return person_with_title(name, self.facts.titles.get(name))

    def marks(self, section: str | None, case: int | None = None) -> None:
        """Where an amended answer stands, a mark saying so (the amendment itself is below)."""
        for amendment in self.amended.get((section, case), []):
            self.add(Remark(f"Amended {local_date(amendment.created_at)} by "
                            f"{self.name(amendment.author)}: see Amendment {amendment.number} "
                            f"under Amendments."))

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

    def answers(self, sections: list[Section], *, title: str | None = None,
                level: int = 0) -> None:
        """Each section's answer; `level`: as a heading (an agenda item), titled `title`."""
        at = self.indexed("section")
        for section in sections:
            shown = title or section.title
            if section.id not in at:
                self.add(Answer(shown, None, level))
                continue
            if level and at[section.id] in self.facts.omitted:  # the outline keeps it
                self.add(Heading(shown, level))
            if self.part_or_remark(at[section.id], f"The answer to '{section.title}'"):
                self.add(Answer(shown, answer_text(self.parts[at[section.id]]["answer"],
                                                      section.type), level))
            self.marks(section.id)

    def evidence(self) -> None:
        self.comments(self.facts.summary["signatures"])
        self.signatures(self.facts.summary)
        if self.facts.amendments:
            self.add(Heading("Amendments"))
        for amendment in self.facts.amendments:
            self.amendment(amendment)

    def comments(self, signatures: list[SignatureRow] | tuple[SignatureRow, ...], *,
                 level: int = 2, of: str = "", safe: bool = False) -> None:
        """A signer's comment or disagreement, in full, in its own section above the
        signatures: who, in which role, when."""
        said = [s for s in signatures if s["comment"]]
        if not said:
            return
        self.add(Heading("Comments and disagreements at signing" + of, level))
        for s in said:
            text = s["comment"] or ""
            self.add(Answer(f"{self.titled(s['name']).replace(chr(10), ', ')} "
                            f"({signing_role_label(s['role'])}), signed "
                            f"{moment_words(s['signed_at'])}",
                            self.safe(text) if safe else text))

    def signatures(self, summary: SigningSummary, level: int = 2) -> None:
        self.add(Heading("Signatures", level))
        if not summary["signatures"]:
            self.add(Remark("Not signed."))
        else:
            self.add(Grid(tuple((self.titled(s["name"]), signing_role_label(s["role"]),
                                 local_date(s["signed_at"]), s["method"], _two_lines(s["key"]),
                                 "Yes (above)" if s["comment"] else "")
                                for s in summary["signatures"]),
                          header=("Name", "Signed as", "Date", "Method", "Key", "Comment"),
                          widths=(11, 5, 6, 8, 5, 3)))
        if summary["awaiting"]:
            awaited = (_ROLE_AT_END.sub(lambda m: f"({signing_role_label(m[1])})", who)
                       for who in summary["awaiting"])
            self.add(Remark(f"Awaiting the signature of {', '.join(awaited)}."))

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
                       ("Recorded at", moment_words(amendment.created_at)),
                       ("Reason", part["reason"]),
                       ("Digest", short_digest(amendment.content.digest)))))
        if amendment.section:
            self.add(Answer("Was", answer_text(part["previous"])))
        self.add(Answer("Now", answer_text(part["text"])))
        self.comments(amendment.summary["signatures"], level=4)
        self.signatures(amendment.summary, level=4)


def extract_note(facts: PrintFacts) -> str | None:
    """What every page of an extract says: that it is one, and how many parts it leaves out."""
    left_out = len(facts.omitted) + sum(len(a.omitted) for a in facts.amendments)
    sentences = facts.sentences_left_out
    if not left_out and not sentences:
        return None
    what = " and ".join(counted(n, word) for n, word in ((left_out, "part"),
                                                          (sentences, "sentence")) if n)
    return f"Extract, not the full record: {what} left out, each marked where it stands"
