"""What a record's printout is drawn from, as the store gathers it in one read: the signed content
and the parts an export leaves out, the template it was answered against, the names of the people
it mentions (fetched first), its signatures and amendments, and the few facts read beside the
signed parts (an earlier action's wording, a case's decision record)."""

from dataclasses import dataclass, field
from datetime import date

from supervise.domain.policy.templates import Template
from supervise.domain.records.signing import Content
from supervise.domain.rows import SignatureRow, SigningSummary


@dataclass(frozen=True)
class ActionFacts:
    """An action as stored, read beside the signed parts: one reviewed in a session, or one
    agreed for the case a decision record is about."""

    id: int
    text: str
    owner: int | None  # a member of staff, or None for a contact
    session: int
    due: date  # as agreed in the session, or as now due when none was agreed
    contact: str | None = None  # a named contact who owns it, with their role


@dataclass(frozen=True)
class CaseDecision:
    """The decision record made in a case discussion, and the template it was answered against."""

    id: int
    template: Template


@dataclass(frozen=True)
class AmendmentFacts:
    """One amendment of the record: its signed content, whether the export leaves it out, the
    question it corrects as the record asked it, and its signing summary."""

    number: int
    section: str | None
    case: int | None
    author: int
    created_at: str
    content: Content
    omitted: dict[int, str]
    question: str | None
    summary: SigningSummary


@dataclass(frozen=True)
class PrintFacts:
    """A contract, session or decision record as its printout needs it.

    `omitted`: the parts the export leaves out, with why; `hidden`: the names of children outside
    the export, which text read beside the signed parts may not mention; `names`: every person
    the printout names, by id; `summary`: the signing summary (signatures, who is awaited);
    `status`: the signing word; `state`: a contract's state (active, ended, ...); `titles`: each
    named person's job title, by name (signers are named as they signed); `kind_labels`: the
    policy's words for its contract kinds; `session_signatures`: a decision's, the signatures of
    the session it was made in (their comments and disagreements go on the child's file too)."""

    record_type: str
    content: Content
    omitted: dict[int, str]
    hidden: tuple[str, ...]
    template: Template
    names: dict[int, str]
    summary: SigningSummary
    status: str
    state: str | None = None
    amendments: tuple[AmendmentFacts, ...] = ()
    actions: tuple[ActionFacts, ...] = ()  # a decision's: agreed for its case
    reviewed: dict[int, ActionFacts] = field(default_factory=dict)  # a session's, by action id
    decisions: dict[int, CaseDecision] = field(default_factory=dict)  # by case position
    titles: dict[str, str] = field(default_factory=dict)
    kind_labels: dict[str, str] = field(default_factory=dict)
    session_signatures: tuple[SignatureRow, ...] = ()
    sentences_left_out: int = 0  # inside answers otherwise kept (sentence digests)
