"""`supervise retention …`: how long records are kept, legal holds, and destroying what is due."""

from typing import Annotated, Optional

import typer

from supervise.cli.context import AppState, open_store
from supervise.cli.options import (
    AsOfOpt,
    ChildFileOpt,
    CsvOpt,
    JsonOpt,
    as_of_date,
    command_group,
    store_command,
)
from supervise.cli.output import out
from supervise.clock import now

app = command_group("Retention: how long records are kept, legal holds, destroying what is due.")

REPORT_COLUMNS = [("record", "Record"), ("date", "Date"), ("about", "About"), ("rule", "Rule"),
                  ("keep_until", "Keep until"), ("status", "Status"), ("reason", "Why")]
HOLD_COLUMNS = [("id", "Hold"), ("subject", "On"), ("reason", "Why"), ("placed_by", "By"),
                ("placed_at", "When (UTC)"), ("released_at", "Released")]


@app.command("report")
@store_command
def report(
    state: AppState,
    all_: Annotated[bool, typer.Option(
        "--all", help="Also list records still within their retention.")] = False,
    as_of: AsOfOpt = None,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """What is due for destruction, held, to review by hand, or due soon, and why, by the
    policy's retention rules. `retention purge` destroys exactly the rows marked destroy."""
    from supervise.app.retention import report as retention_report
    from supervise.domain.policy.retention import LISTED, ROW_KEYS

    day = as_of_date(as_of, now())
    with open_store(state) as store:
        found = retention_report(store, day)
    shown = [row.as_dict() for row in found if all_ or row.status in LISTED]
    out.table(shown, REPORT_COLUMNS, as_json=json_, as_csv=ROW_KEYS if csv_ else None,
              empty="Nothing is due for destruction or review.")
    counts = {status: sum(1 for r in found if r.status == status) for status in LISTED}
    out.message(", ".join(f"{n} {status}" for status, n in counts.items())
                + f" ({len(found)} records checked on {day})")


@app.command("hold")
@store_command
def hold(
    state: AppState,
    reason: Annotated[str, typer.Option(
        "--reason", metavar="TEXT", help="Why: the review, inquiry or request, and its "
        "reference.")],
    child: Annotated[Optional[str], typer.Option(
        "--child", metavar="NAME", help="Hold every record about this child.")] = None,
    child_file: ChildFileOpt = None,
    person: Annotated[Optional[str], typer.Option(
        "--person", metavar="NAME", help="Hold every record of this member of staff "
        "(as supervisee or supervisor).")] = None,
    whole_store: Annotated[bool, typer.Option(
        "--store-wide", help="Hold every record in the store.")] = False,
) -> None:
    """Place a legal hold: nothing it covers is destroyed until it is released."""
    from supervise.app.retention import place_hold
    from supervise.domain.text import clean_line
    from supervise.errors import UsageError

    if sum((child is not None, child_file is not None, person is not None, whole_store)) != 1:
        raise UsageError("Say what to hold: one of --child NAME, --child-file FILE, --person "
                         "NAME or --store-wide.")
    if child_file is not None:
        from supervise.cli.context import read_name_file

        child = read_name_file(child_file, "child's name")
    why = clean_line(reason, "--reason")
    with open_store(state) as store:
        hold_id, name = place_hold(store, reason=why, child=child, person=person)
    out.data(str(hold_id))
    out.message(f"Hold {hold_id} placed on {name}. Release it with `supervise retention "
                f"release {hold_id} --reason TEXT` when the matter is closed.")


@app.command("holds")
@store_command
def holds(
    state: AppState,
    all_: Annotated[bool, typer.Option("--all", help="Also list released holds.")] = False,
    json_: JsonOpt = False,
) -> None:
    """List legal holds in force (with --all, released ones too)."""
    from supervise.app.retention import holds as hold_rows

    with open_store(state) as store:
        shown = hold_rows(store, include_released=all_)
    out.table(shown, HOLD_COLUMNS, as_json=json_, empty="No holds in force.")


@app.command("release")
@store_command
def release(
    state: AppState,
    hold_id: Annotated[int, typer.Argument(metavar="ID", help="The hold's number.")],
    reason: Annotated[str, typer.Option(
        "--reason", metavar="TEXT", help="Why it can be released (e.g. the review closed).")],
) -> None:
    """Release a legal hold. Records it kept become due again by their rules."""
    from supervise.app.retention import release_hold
    from supervise.domain.text import clean_line

    why = clean_line(reason, "--reason")
    with open_store(state) as store:
        subject = release_hold(store, hold_id, reason=why)
    out.message(f"Hold {hold_id} on {subject} released.")


@app.command("purge")
@store_command
def purge(
    state: AppState,
    yes: Annotated[bool, typer.Option(
        "--yes", help="Destroy without asking (for scripts).")] = False,
) -> None:
    """Destroy the records `retention report` marks destroy: whole records with every part
    and signature, by secure delete. Never anything under a hold. Each destruction is an
    audit event naming the record and the rule, without its content."""
    from supervise.app.retention import purge as destroy
    from supervise.app.retention import report as retention_report
    from supervise.cli import prompts
    from supervise.domain.policy.retention import HELD, to_destroy
    from supervise.domain.text import counted

    with open_store(state) as store:
        found = retention_report(store)
        doomed = to_destroy(found)
        for row in found:
            if row.status == HELD:
                out.message(f"Kept: {row.unit.label} ({row.unit.about}) is {row.reason}.")
        if not doomed:
            out.message("Nothing is due for destruction.")
            return
        for row in doomed:
            out.message(f"Due: {row.unit.label} ({row.unit.about}), {row.rule}, kept until "
                        f"{row.keep_until}.")
        what = counted(len(doomed), "record")
        if not yes and not prompts.confirm(
                f"Destroy these {what}? This cannot be undone.",
                hint="give --yes to destroy without asking."):
            out.message("Nothing was destroyed.")
            return
        done = destroy(store, expected={row.unit.key for row in doomed})
    out.message(f"Destroyed {what}: " + ", ".join(f"{n} {kind}" for kind, n in
                                                   done.destroyed.items())
                + f". {done.held} held record(s) kept. Older backups (and the store's "
                  "backups folder) still hold them: delete those by your backup rules.")
    if not done.log_emptied:
        out.warning("Another process has the store open: the write-ahead log still holds old "
                    "copies of destroyed pages until it closes.")
