"""`supervise export …`: records leave the store as DOCX in a folder that anyone can check
(`supervise verify DIR`, or standard tools as its README says), and `export` commands on
contracts, sessions and decision records for a single record."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from supervise.cli import prompts
from supervise.cli.context import AppState, open_store
from supervise.cli.options import ChildFileOpt, command_group, store_command
from supervise.cli.output import out
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
    child_file: ChildFileOpt = None,
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
    and a README on how to check it. Named by none of --child, --child-file, --family or
    --supervisee, on a terminal it asks for the child's name."""
    from supervise.cli.context import child_name
    from supervise.domain.dates import parse_optional_date

    if child is not None or child_file is not None or not (family or supervisee):
        if child is None and child_file is None and not prompts.can_ask():
            raise UsageError("Say whose records to export: --child NAME, --child-file FILE "
                             "(keeps a child's name out of the process list), --family NAME "
                             "or --supervisee NAME.")
        child = child_name(child, child_file)

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
    from supervise.app.exports import read_bundle, write_export
    from supervise.domain.text import counted

    with open_store(state) as store:
        bundle = read_bundle(store, out_dir, filters, out.progress)
        _confirm_named(bundle.warnings, yes)
        manifest_sha256 = write_export(store, bundle, out_dir, out.progress)
    out.message(f"Exported {counted(len(bundle.files), 'record')} and "
                f"{counted(bundle.amendments, 'amendment')} about {bundle.description} to "
                f"{out_dir}: {counted(bundle.omitted, 'part')} left out and marked, "
                f"{counted(bundle.gaps, 'gap')} in the chronology"
                + (f", {counted(bundle.drafts, 'draft')} not included" if bundle.drafts else "")
                + ".")
    out.message(NOT_ENCRYPTED)
    out.message(f"Check it with `supervise verify {out_dir}`. Manifest SHA-256 "
                f"{manifest_sha256} (in the audit trail).")


def _confirm_named(warnings: list[str], yes: bool) -> None:
    """A child outside the export named where it cannot be left out (in the subject's own
    discussion, in a signed comment): the exporter decides, before anything is written."""
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
    from supervise.app.exports import export_record

    with open_store(state) as store:
        written = export_record(store, record_type, given, out_file, force=force)
    out.message(f"Wrote {written.reference} to {written.target} "
                f"(digest {written.digest[:16]}).")
    out.message(NOT_ENCRYPTED)
