"""`supervise export …`: records leave the store as DOCX in a folder that anyone can check
(`supervise verify DIR`, or standard tools as its README says), and `export` commands on
contracts, sessions and decision records for a single record."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from supervise.cli.context import AppState, open_store
from supervise.cli.options import command_group, store_command
from supervise.cli.output import out
from supervise.clock import now
from supervise.errors import SuperviseError, UsageError

app = command_group("Export records as DOCX with a signed manifest, for a review or a person.")

NOT_ENCRYPTED = ("This export is NOT encrypted: keep it on encrypted storage, share it only by "
                 "a secure route, and delete it when it is no longer needed.")
OutDir = Annotated[Path, typer.Option("--out", metavar="DIR",
                                      help="A new or empty folder to write the export to.")]
FromOpt = Annotated[Optional[str], typer.Option("--from", metavar="DATE",
                                                help="Records on or after this date.")]
YesOpt = Annotated[bool, typer.Option(
    "--yes", help="Export even where a child outside it is named in a part that cannot be "
    "left out (their own discussion, a signed comment); you are warned first.")]
ToOpt = Annotated[Optional[str], typer.Option("--to", metavar="DATE",
                                              help="Records on or before this date.")]


@app.command("review")
@store_command
def review(
    state: AppState,
    out_dir: OutDir,
    child: Annotated[Optional[str], typer.Option("--child", metavar="NAME",
                                                 help="Everything about this child.")] = None,
    dob: Annotated[Optional[str], typer.Option(
        "--dob", metavar="DATE", help="The child's date of birth, when several children "
        "share the name.")] = None,
    family: Annotated[Optional[str], typer.Option("--family", metavar="NAME",
                                                  help="Everything about this family.")] = None,
    supervisee: Annotated[Optional[str], typer.Option(
        "--supervisee", metavar="NAME", help="Everything about this person's supervision.")]
        = None,
    start: FromOpt = None,
    end: ToOpt = None,
    full: Annotated[bool, typer.Option(
        "--full", help="Include the personal-support sections (left out by default).")]
        = False,
    yes: YesOpt = False,
) -> None:
    """A review bundle: one DOCX per record, an index with the chronology, a signed manifest
    and a README on how to check it."""
    from supervise.domain.dates import parse_optional_date

    _export(state, out_dir, dict(
        child=child, family=family, supervisee=supervisee, full=full,
        dob=parse_optional_date(dob, "--dob"), start=parse_optional_date(start, "--from"),
        end=parse_optional_date(end, "--to")), yes)


@app.command("person")
@store_command
def person(
    state: AppState,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The staff member.")],
    out_dir: OutDir,
    start: FromOpt = None,
    end: ToOpt = None,
    yes: YesOpt = False,
) -> None:
    """A staff member's own supervision records (a subject access copy), with every child's
    details left out, checked the same way."""
    from supervise.domain.dates import parse_optional_date

    _export(state, out_dir, dict(person=name, start=parse_optional_date(start, "--from"),
                                 end=parse_optional_date(end, "--to")), yes)


def _export(state: AppState, out_dir: Path, filters: dict, yes: bool) -> None:
    from supervise.domain.bundle_index import index_document
    from supervise.domain.chronology import gaps
    from supervise.domain.text import counted
    from supervise.export.bundle import check_folder, write_bundle
    from supervise.keycrypto import ed25519_sign, unb64
    from supervise.store.queries.export_records import (
        exporter,
        manifest_head,
        record_export,
        record_files,
    )
    from supervise.store.queries.export_scope import resolve
    from supervise.store.records.people import find_person

    with open_store(state) as store:
        moment = now()
        if store.opened is None:
            raise SuperviseError("An export is signed by the person who makes it: unlock the "
                                 "store with your own passphrase, not the recovery key.")
        check_folder(out_dir)
        with store.session() as session:
            scope = resolve(session, **filters)
            if not scope.records:
                raise SuperviseError(f"No completed records about {scope.description} in that "
                                     f"period; nothing was exported. Widen --from / --to, or "
                                     f"check the name with `supervise child list` or "
                                     f"`supervise person list`.")
            me = find_person(session, store.actor)
            who, private = exporter(session, me, store.opened.private_key, now=moment,
                                    actor=store.actor)
            with out.progress(len(scope.records), "Reading records") as step:
                files, warnings = record_files(session, scope, author=me.name, now=moment,
                                               progress=step)
            manifest = manifest_head(session, scope, files, who=who, now=moment,
                                     store_id=store.store_id)
        found = gaps(scope.events, start=scope.start, end=scope.end or moment.date(),
                     due_after=scope.due_after)
        index = index_document(manifest, files, scope.events, found, created=moment)
        _confirm_named(warnings, yes)
        with out.progress(len(files) + 1, "Writing the export") as step:
            written = write_bundle(out_dir, files, index, manifest,
                                   sign=lambda data: ed25519_sign(private, data),
                                   exporter_public=unb64(who["public_key"]), progress=step)
        amendments = sum(len(f.entries) - 1 for f in files)
        with store.session() as session:
            record_export(session, scope, manifest_sha256=written.manifest_sha256,
                          files=len(written.files), records=len(files), now=moment,
                          actor=store.actor)
    omitted = sum(1 for f in files for e in f.entries for p in e["parts"] if not p["included"])
    out.message(f"Exported {counted(len(files), 'record')} and "
                f"{counted(amendments, 'amendment')} about {scope.description} to {out_dir}: "
                f"{counted(omitted, 'part')} left out and marked, "
                f"{counted(len(found), 'gap')} in the chronology"
                + (f", {counted(scope.drafts, 'draft')} not included" if scope.drafts else "")
                + ".")
    out.message(NOT_ENCRYPTED)
    out.message(f"Check it with `supervise verify {out_dir}`. Manifest SHA-256 "
                f"{written.manifest_sha256} (in the audit trail).")


def _confirm_named(warnings: list[str], yes: bool) -> None:
    """A child outside the export named where it cannot be left out (in the subject's own
    discussion, in a signed comment): the exporter decides, before anything is written."""
    from supervise.cli import prompts

    for warning in warnings:
        out.warning(warning)
    if not warnings or yes:
        return
    if not prompts.can_ask():
        raise UsageError("Nothing was exported: read the warnings above, then give --yes to "
                         "export with those names in it, or narrow the export.")
    if not prompts.confirm("Export with those names in it?", hint="give --yes."):
        raise SuperviseError("Nothing was exported.")


def add_export_command(group: typer.Typer, record_type: str) -> None:
    """`contract|session|decision export ID [--out FILE.docx]`: one record, whole, as DOCX."""
    noun = {"contract": "contract", "session": "session record",
            "decision": "decision record"}[record_type]

    @group.command("export", help=f"Write a {noun} as DOCX, laid out like the pro-forma, "
                   "with its signatures and amendments.")
    @store_command
    def export(
        state: AppState,
        record_id: Annotated[str, typer.Argument(metavar="ID", help=f"The {noun}'s number.")],
        out_file: Annotated[Optional[Path], typer.Option(
            "--out", metavar="FILE.docx", help="Where to write it (default: its date, type "
            "and number in this folder).")] = None,
        force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")]
            = False,
    ) -> None:
        _export_one(state, record_type, record_id, out_file, force)


def _export_one(state: AppState, record_type: str, given: str, out_file: Path | None,
                force: bool) -> None:
    from supervise.export.bundle import write_single
    from supervise.store.queries.export_records import file_name, printout, record_single_export
    from supervise.store.records.content import draft_session_of
    from supervise.store.records.numbered import find_record
    from supervise.store.records.people import find_person

    with open_store(state) as store, store.session() as session:
        moment = now()
        record = find_record(session, record_type, given)
        draft = draft_session_of(session, record_type, record)
        if draft is not None:
            raise SuperviseError(f"Session {draft.id} is a draft: finish it with `supervise "
                                 f"session resume {draft.id}` before exporting it.")
        me = find_person(session, store.actor)
        document = printout(session, record_type, record, author=me.name, now=moment).doc
        target = out_file or Path(file_name(session, record_type, record))
        if target.suffix.lower() != ".docx":
            raise SuperviseError(f"{target} does not end in .docx: give --out FILE.docx.")
        sha256 = write_single(target, document, force=force)
        record_single_export(session, record_type, record, sha256=sha256,
                             digest=document.digest, now=moment, actor=store.actor)
    out.message(f"Wrote {document.reference} to {target} (digest {document.digest[:16]}).")
    out.message(NOT_ENCRYPTED)
