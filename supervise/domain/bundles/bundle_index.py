"""The index document of an export folder (SPEC §7): a cover page, the scope and what was left
out, the contents, and the chronology with its gaps."""

from datetime import datetime
from typing import Any

from supervise.domain.bundles.chronology import Event, Gap, rows
from supervise.domain.document import (
    Document,
    Grid,
    Heading,
    PageBreak,
    RecordFile,
    Remark,
    moment_text,
)
from supervise.domain.wording import local_date, uk_date


def index_document(manifest: dict[str, Any], files: list[RecordFile], events: list[Event],
                   gaps: list[Gap], *, created: datetime) -> Document:
    scope, who, head = manifest["scope"], manifest["exported_by"], manifest["audit_chain_head"]
    period = _period(scope["filters"], files, manifest["exported_at"])
    own = scope.get("kind") == "person"  # a person's own copy is not a review
    doc = Document(organisation=manifest["organisation"],
                   title="Own Copy of Supervision Records" if own else "Review Export",
                   subtitle=scope["description"][:1].upper() + scope["description"][1:] if own
                   else f"Supervision records about {scope['description']}",
                   reference="Index", digest=head["hash"], digest_label="Audit chain head",
                   author=who["name"], created=created)
    entries = [e for f in files for e in f.entries]
    doc.blocks += [
        Grid((("Scope", scope["description"]), ("Period", period),
              ("Records", str(len(files))),
              ("Amendments", str(sum(1 for e in entries if e["type"] == "amendment"))),
              ("Personal-support sections", "included" if scope["personal_support"] == "included"
               else "left out (an export with --full includes them)"),
              ("Drafts left out", str(scope["drafts_left_out"])),
              ("Exported by", who["name"]),
              ("Exported at", moment_text(manifest["exported_at"])),
              ("Exporter's key fingerprint", who["fingerprint"]),
              ("Audit chain head", f"event {head['seq']}, {head['hash']}"))),
        Remark("This export is not encrypted. Keep it on encrypted storage and share it "
               "only by a secure route. Check it with `supervise verify` on this folder, or "
               "with standard tools as README.txt describes."),
        PageBreak(),
        Heading("Scope"),
        Remark((f"Every completed record in {scope['description']} in the period. " if own
                else f"Every completed record about {scope['description']} in the period. ")
               + _omissions(scope)),
        Heading("Contents"),
    ]
    doc.blocks.append(Grid(tuple(
        (f.name, f.document.reference, uk_date(_date(f.name)), f.entries[0]["status"],
         _left_out(f), f.entries[0]["digest"][:12]) for f in sorted(files, key=lambda f: f.name)),
        header=("File", "Record", "Date", "Signatures", "Omitted", "Digest"),
        widths=(8, 5, 4, 4, 3, 5))
        if files else Remark("No records match this scope."))
    table = rows(events, gaps)
    doc.blocks += [Heading("Chronology"), Remark(f"In date order; {scope['gaps']}.")]
    doc.blocks.append(Grid(tuple(
        (str(r["sequence"] or "—"), str(r["date"]), str(r["time"] or ""), str(r["source"]),
         str(r["event"]), str(r["outcome"])) for r in table),
        header=("No.", "Date", "Time", "Source record", "Event", "Outcome"),
        widths=(2, 4, 3, 4, 9, 7), marked=frozenset(i for i, r in enumerate(table) if r["gap"]))
        if table else Remark("Nothing happened in this period."))
    return doc


def _date(name: str) -> str:
    return name[:10]  # a record file's name starts with its date


def _period(filters: dict[str, Any], files: list[RecordFile], exported_at: str) -> str:
    """The dates the export covers: those asked for, else its first record's date and the
    day it was exported."""
    first = min((_date(f.name) for f in files), default=None)
    start = uk_date(filters.get("from") or first) or "its first record"
    end = uk_date(filters["to"]) if filters.get("to") else \
        f"{local_date(exported_at)} (the day of export)"
    return f"{start} to {end}"


def _left_out(made: RecordFile) -> str:
    """How much of a record's file is left out: whole parts, and sentences within parts."""
    parts = sum(1 for e in made.entries for p in e["parts"] if not p["included"])
    said = sum(p.get("sentences_left_out", 0) for e in made.entries for p in e["parts"])
    return f"{parts} + {said} sentence{'s' if said != 1 else ''}" if said else str(parts)


NAMED = ("Where an answer names another child, the sentences that name them are left out and "
         "the rest of the answer kept; in records made before sentence digests, the whole "
         "answer is left out.")


def _omissions(scope: dict[str, Any]) -> str:
    kind = scope["kind"]
    said = {
        "child": "Discussions of other children in the same sessions are left out and "
                 "marked as omitted. " + NAMED,
        "family": "Discussions of other families in the same sessions are left out and "
                  "marked as omitted. " + NAMED,
        "supervisee": "Every case discussion is included.",
        "person": "This is the staff member's own copy: every child's details (case "
                  "discussions, other people's actions about cases) are left out and marked "
                  "as omitted; their own actions are kept. " + NAMED,
    }[kind]
    if scope["personal_support"] == "omitted":
        said += " Sections about the supervisee's personal support and wellbeing are left " \
                "out unless the export is made with --full."
    if scope["drafts_left_out"]:
        said += f" {scope['drafts_left_out']} draft session(s) in scope were not finished " \
                f"and are not included."
    return said + " Each omitted part or sentence keeps its digest, so the records still " \
                  "verify against their signatures."
