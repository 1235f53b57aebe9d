"""What an export keeps of each record (SPEC §7) and how the manifest lists it.

A `Cut` says which case discussions an export is about and whether personal-support sections go
with them. For each record it yields the parts left out (with why) and the manifest's entry:
header, every part's digest, included parts in full, signatures with their public keys."""

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from supervise import keycrypto
from supervise.domain.bundles.extract import (
    ANOTHER_CHILD,
    CHILDREN_DETAILS,
    NAMES_ANOTHER_CHILD,
    ONLY_REVIEWS,
    PERSONAL_SUPPORT,
    Trim,
    entry_parts,
    mentioned,
    shown_content,
    trimmed,
)
from supervise.domain.records.canonical import (
    PieceDigest,
    part_digest,
    piece_digester,
    plain,
    record_digest,
    version_of,
)
from supervise.domain.records.signing import Content, fingerprint, signing_word
from supervise.domain.rows import SigningSummary
from supervise.store.db.tables import ActionItem, Amendment, CaseDiscussion, Signature, id_of
from supervise.store.queries.export_reads import Prefetched
from supervise.store.records.content import amendment_content, content_of, session_content
from supervise.store.records.numbered import stored
from supervise.store.records.session_parts import (
    answers_of,
    case_children,
    cases_of,
    reviews_in,
)
from supervise.store.records.signatures import signatures_of, signing_summary, statement_of
from supervise.store.records.template_snapshots import snapshot


@dataclass(frozen=True)
class Cut:
    """What an export keeps: case discussions about these children or families (None: every
    case; `cases=False`: none), personal-support sections only when `support`, and the names of
    children outside the export (`outside`), which no part it keeps may mention. Sessions in
    `reviews_only` are there for their reviews of the children's actions, and keep only those."""

    children: frozenset[int] | None = None
    families: frozenset[int] | None = None
    cases: bool = True
    support: bool = True
    outside: frozenset[str] = frozenset()
    reviews_only: frozenset[int] = frozenset()
    own: int | None = None  # a person's own copy: their actions are theirs, whatever the case

    def keeps(self, family_id: int | None, child_ids: set[int]) -> bool:
        if not self.cases:
            return False
        if self.children is not None and not child_ids & self.children:
            return False
        return self.families is None or family_id in self.families

    @property
    def reason(self) -> str:
        return ANOTHER_CHILD if self.cases else CHILDREN_DETAILS


EVERYTHING = Cut()


@dataclass
class Choice:
    """The parts of one record an export leaves out, and the children it must not name.
    `content` is the record as its printout shows it (sentences left out where `trims` says),
    `signed` as it was signed."""

    content: Content
    labels: list[str]
    omitted: dict[int, str]
    kept_cases: set[int]  # positions of the case discussions it keeps
    outside: set[str]  # names of the children whose discussions it leaves out
    warnings: list[str]
    signed: Content | None = None
    trims: dict[int, Trim] = field(default_factory=dict)
    cases: dict[int, CaseDiscussion] = field(default_factory=dict)  # a session's, by position

    @property
    def sentences_left_out(self) -> int:
        return sum(t.left_out for t in self.trims.values())


def _case_children(session: Session, case: CaseDiscussion,
                   pre: Prefetched | None) -> dict[int, str]:
    children = pre.children.get(id_of(case), []) if pre is not None else \
        case_children(session, case)
    return {id_of(c): c.name for c in children}


def _label(part: dict[str, Any]) -> str:
    for key, word in (("section", "answer"), ("group", "group"), ("action", "action"),
                      ("review_of", "review of action"), ("case", "case")):
        if key in part:
            return f"{word} {part[key]}"
    return "text"


def choose(session: Session, record_type: str, record: Any, cut: Cut,
           pre: Prefetched | None = None) -> Choice:
    """Which parts of a record this export leaves out, and why (`pre`: the rows of a bundle's
    records, read together)."""
    cases: dict[int, CaseDiscussion] = {}
    if record_type == "session":
        read = pre.session_parts(record.id) if pre is not None else (
            answers_of(session, record), cases_of(session, record), reviews_in(session, record))
        cases = {c.position: c for c in read[1]}
        content = session_content(session, record, read=read)
    else:
        content = content_of(session, record_type, record)
    labels = [_label(p) for p in content.parts]
    omitted: dict[int, str] = {}
    kept: set[int] = set()
    outside: set[str] = set()
    if record_type in ("contract", "session", "decision"):
        template = snapshot(session, record.template_digest)
        for index, part in enumerate(content.parts):
            section = template.section(part.get("section", "")) if "section" in part else None
            if section is not None and not cut.support and section.personal:
                omitted[index] = PERSONAL_SUPPORT
    if record_type == "session":
        children_of: dict[int, dict[int, str]] = {}  # a case's children, read once
        for index, part in enumerate(content.parts):
            case = None
            if "case" in part and "action" not in part:
                case = cases[part["case"]]
            elif "action" in part or "review_of" in part:
                action = stored(session, ActionItem, part.get("action") or part.get("review_of"))
                case = session.get(CaseDiscussion, action.case_id) if action.case_id else None
                if cut.own is not None and action.owner_id == cut.own:
                    continue  # their own action (its wording is still checked for names)
            if case is None:
                continue
            if id_of(case) not in children_of:
                children_of[id_of(case)] = _case_children(session, case, pre)
            children = children_of[id_of(case)]
            if cut.keeps(case.family_id, set(children)):
                if "action" not in part and "review_of" not in part:
                    kept.add(case.position)
            else:
                omitted[index] = cut.reason
                outside.update(children.values())
    if record_type == "session" and record.id in cut.reviews_only:
        for index, part in enumerate(content.parts):
            if "review_of" not in part:
                omitted.setdefault(index, ONLY_REVIEWS)
    names = sorted(outside | cut.outside)
    warnings = []
    trims: dict[int, Trim] = {}
    for index, part in enumerate(content.parts):
        if index in omitted or not names or not mentioned(part, names):
            continue
        trim = trimmed(part, names, _piece(content)) if version_of(content.header) >= 2 else None
        if trim is not None:
            trims[index] = trim
        elif "case" in part and "action" not in part and part["case"] in kept:
            warnings.append(f"{record_type} {record.id}, case discussion {part['case']} (about "
                            f"a child in this export) names a child outside it")
        else:
            omitted[index] = NAMES_ANOTHER_CHILD
    warnings += comment_warnings(session, record_type, record, names, pre)
    return Choice(shown_content(content, trims), labels, omitted, kept, outside, warnings,
                  content, trims, cases)


def _piece(content: Content) -> PieceDigest:
    """How the record's sentences are digested (salted from version 3)."""
    return piece_digester(version_of(content.header), content.salt_key)


def comment_warnings(session: Session, record_type: str, record: Any,
                     names: list[str], pre: Prefetched | None = None) -> list[str]:
    """Signature comments are part of what was signed: they cannot be left out without breaking
    the signature, so one that names a child outside the export is a warning."""
    return [f"{record_type} {record.id}: {sig.signer_name}'s signature comment names a child "
            f"outside this export" for sig in _signatures(session, record_type, record.id, pre)
            if sig.comment and names and mentioned(sig.comment, names)]


def _signatures(session: Session, record_type: str, record_id: int,
                pre: Prefetched | None) -> list[Signature]:
    return pre.signatures_of(record_type, record_id) if pre is not None else \
        signatures_of(session, record_type, record_id)


def amendment_choice(session: Session, amendment: Amendment, record: Any, parent: Choice,
                     cut: Cut, pre: Prefetched | None = None) -> Choice:
    """An amendment goes with what it corrects: left out with another child's discussion or a
    personal-support section, or when it names a child outside the export."""
    content = amendment_content(session, amendment)
    reason = None
    if amendment.case_position is not None and amendment.case_position not in parent.kept_cases:
        reason = cut.reason
    elif amendment.case_position is None and amendment.section and not cut.support:
        section = snapshot(session, record.template_digest).section(amendment.section)
        if section is not None and section.personal:
            reason = PERSONAL_SUPPORT
    names = sorted(parent.outside | cut.outside)
    if record.id in cut.reviews_only and amendment.record_type == "session":
        reason = reason or ONLY_REVIEWS
    trims: dict[int, Trim] = {}
    if reason is None and names and mentioned(content.parts, names):
        trim = trimmed(content.parts[0], names, _piece(content)) \
            if version_of(content.header) >= 2 else None
        if trim is None:
            reason = NAMES_ANOTHER_CHILD
        else:
            trims[0] = trim
    return Choice(shown_content(content, trims), ["amendment"], {0: reason} if reason else {},
                  set(), set(), comment_warnings(session, "amendment", amendment, names, pre),
                  content, trims)


def signature_entries(session: Session, record_type: str, record_id: int,
                      stem: str, pre: Prefetched | None = None) -> list[dict[str, Any]]:
    """Every signature of a record as the manifest lists it, with the exact statement it
    signs (`statement_bytes`, written beside the raw signature for `openssl`)."""
    entries = []
    for number, sig in enumerate(_signatures(session, record_type, record_id, pre), start=1):
        public_raw = keycrypto.unb64(sig.public_key)
        key_fingerprint = fingerprint(public_raw)
        name = f"signatures/{stem}-{number}"
        entries.append({
            "signer_id": sig.signer_id, "signer_name": sig.signer_name, "role": sig.role,
            "method": sig.method, "signed_at": sig.signed_at, "comment": sig.comment,
            "witness_id": sig.witness_id, "witness_name": sig.witness_name,
            "digest": sig.digest, "public_key": sig.public_key,
            "fingerprint": key_fingerprint, "signature": sig.signature,
            "key_file": f"keys/{key_fingerprint[:16]}.pem",
            "statement_file": f"{name}.json", "signature_file": f"{name}.sig",
            "statement_bytes": statement_of(sig, key_fingerprint),
            "signature_bytes": keycrypto.unb64(sig.signature),
            "public_raw": public_raw,
        })
    return entries


def manifest_entry(session: Session, record_type: str, record: Any, choice: Choice,
                   file_name: str, summary: SigningSummary | None = None,
                   pre: Prefetched | None = None) -> dict[str, Any]:
    summary = summary or signing_summary(session, record_type, record)
    stem = f"{record_type}-{record.id}"
    signed = choice.signed or choice.content
    # The parts as shown carry the digests they were signed with (from version 2): each
    # sentence is digested once per export, not once for the printout and again here.
    version = version_of(signed.header)
    digests = [part_digest(part, version, signed.salt_key) for part in choice.content.parts]
    return {
        "record": f"{record_type} {record.id}", "type": record_type, "id": record.id,
        "file": file_name,
        "digest": record_digest(signed.header, choice.content.parts, signed.salt_key),
        "status": signing_word(summary, unsigned="not signed"),
        "header": _plain(signed.header),
        "parts": _plain(entry_parts(signed, choice.omitted, choice.labels, choice.trims,
                                    digests)),
        "signatures": signature_entries(session, record_type, record.id, stem, pre),
        "awaiting": summary["awaiting"],
    }


def _plain(value: Any) -> Any:
    """As JSON will carry it (dates as ISO text, tuples as lists), so what verify reads back
    hashes the same."""
    return plain(value)
