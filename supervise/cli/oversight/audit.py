"""`supervise audit …`: the hash-chained audit trail, and checking everything signed."""

from typing import Annotated, Optional

import typer

from supervise.cli.context import AppState, open_store
from supervise.cli.options import JsonOpt, command_group, store_command
from supervise.cli.output import out

app = command_group("The audit trail: who did what and when, and checking it is intact.")

LIST_COLUMNS = [("seq", "#"), ("at", "When (UTC)"), ("actor", "Who"), ("action", "Action"),
                ("record", "Record"), ("digest_short", "Digest")]


@app.command("log")
@store_command
def log(
    state: AppState,
    record: Annotated[Optional[str], typer.Option(
        "--record", metavar="TYPE:ID", help="Only events about one record, e.g. session:12.")]
        = None,
    last: Annotated[Optional[int], typer.Option(
        "--last", metavar="N", help="Only the newest N events.")] = None,
    json_: JsonOpt = False,
) -> None:
    """List the audit trail, oldest first."""
    from supervise.app.audit import audit_log
    from supervise.domain.text import record_number
    from supervise.errors import UsageError

    wanted = None
    if record is not None:
        kind, _, given = record.partition(":")
        kind = kind.strip().lower()
        number = record_number(given, kind[:1].upper())
        if not kind or number is None:
            raise UsageError(f"--record {record!r}: give TYPE:ID, e.g. session:12.")
        wanted = (kind, number)
    if last is not None and last < 1:
        raise UsageError("--last needs a number of events, 1 or more.")
    with open_store(state, read_only=True) as store:
        rows = audit_log(store, record=wanted, last=last)
    shown = rows if json_ else [
        {**r, "record": f"{r['record_type']} {r['record_id']}" if r["record_type"] else "",
         "digest_short": (r["digest"] or "")[:12]} for r in rows]
    out.table(shown, LIST_COLUMNS, as_json=json_, empty="No audit events match.")


@app.command("verify")
@store_command
def verify(state: AppState) -> None:
    """Recompute the audit chain and every signed record's digest and signatures. Exit 4 and
    name each broken record or link if anything does not match."""
    from supervise.app.audit import verify_store
    from supervise.cli.progress_line import progress_line
    from supervise.domain.text import counted
    from supervise.errors import VerificationError

    with open_store(state, read_only=True) as store, progress_line() as progress:
        result = verify_store(store, progress)
    for problem in result.problems:
        out.data(problem)
    summary = ", ".join([counted(result.events, "audit event"),
                         counted(result.records, "signed record"),
                         counted(result.signatures, "signature")])
    if result.problems:
        raise VerificationError(
            f"{counted(len(result.problems), 'problem')} found ({summary} checked). Keep this "
            f"store as it is for investigation, and compare with a backup.")
    out.message(f"All intact: {summary} checked.")
