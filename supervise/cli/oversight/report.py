"""`supervise report …`: compliance with the policy's frequency, the balance of supervision's
functions, drifting actions, and children on plans not discussed lately."""

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from supervise.cli.context import AppState, open_store
from supervise.cli.options import (
    AsOfOpt,
    CsvOpt,
    JsonOpt,
    as_of_date,
    command_group,
    store_command,
)
from supervise.cli.output import out
from supervise.clock import now
from supervise.errors import UsageError

app = command_group("Reports: compliance, balance of functions, drift, children unseen.")

TALLY = [("due", "Due"), ("held", "Held"), ("on_time", "On time"),
         ("on_time_percent", "% on time"), ("cancelled", "Cancelled"),
         ("cancelled_by_supervisor", "by supervisor"),
         ("cancelled_by_supervisee", "by supervisee"), ("late_entries", "Late entries"),
         ("unsigned", "Unsigned")]
MONTHLY_KEYS = ["group", "name", "month", *(key for key, _ in TALLY)]
DateOpt = Optional[str]


def _period(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """Default: the twelve whole months to the end of the last one, or from --from to --to."""
    from supervise.domain.dates import parse_date
    from supervise.domain.policy.frequency import add_months

    last = parse_date(end, "--to") if end else today
    first = parse_date(start, "--from") if start else add_months(last.replace(day=1), -11)
    if first > last:
        raise UsageError(f"--from {first} is after --to {last}: swap them.")
    return first, last


@app.command("compliance")
@store_command
def compliance(
    state: AppState,
    start: Annotated[DateOpt, typer.Option("--from", metavar="DATE",
                                           help="First day (default: 11 months before the "
                                                "start of --to's month).")] = None,
    end: Annotated[DateOpt, typer.Option("--to", metavar="DATE",
                                         help="Last day (default today).")] = None,
    json_: JsonOpt = False,
    csv_: Annotated[bool, typer.Option("--csv", help="The monthly return as CSV: one row per "
                                       "group and month.")] = False,
    docx: Annotated[Optional[Path], typer.Option(
        "--docx", metavar="FILE", help="Also write the report as DOCX, with a chart of the "
                                       "monthly series.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the --docx file.")] = False,
) -> None:
    """Sessions held against sessions due, and how many were on time, with cancellations (and
    who cancelled), late entries and unsigned records: the organisation, each team, each
    supervisor."""
    from supervise.app.reports import compliance as compliance_rows
    from supervise.domain.oversight.compliance import monthly_rows

    first, last = _period(start, end, now().date())
    if docx is not None and docx.suffix.lower() != ".docx":
        raise UsageError(f"{docx} does not end in .docx: give --docx FILE.docx.")
    with open_store(state, read_only=docx is None) as store:
        rows = compliance_rows(store, first, last, docx=docx, force=force)
    if docx is not None:
        out.message(f"Wrote {docx}.")
    if csv_:
        out.csv(monthly_rows(rows), MONTHLY_KEYS)
    else:
        out.table(rows, [("group", "Group"), ("name", "Name"), *TALLY], as_json=json_,
                  empty="")
    total = rows[0]
    percent = "no sessions were due" if total["on_time_percent"] is None \
        else f"{total['on_time_percent']:g}% of {total['due']} due were on time"
    out.message(f"{first} to {last}: {total['held']} held; {percent}.")


@app.command("balance")
@store_command
def balance(
    state: AppState,
    supervisee: Annotated[Optional[str], typer.Option("--supervisee", metavar="NAME")] = None,
    sessions: Annotated[Optional[int], typer.Option(
        "--sessions", min=1, metavar="N", help="Each supervisee's last N sessions (default 6).")]
        = None,
    months: Annotated[Optional[int], typer.Option(
        "--months", min=1, metavar="N", help="Instead: the sessions of the last N months.")]
        = None,
    as_of: AsOfOpt = None,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """How often each function (management, development, support, mediation, voice of the
    child) was covered, per supervisee; flags one absent three sessions running."""
    from supervise.app.reports import balance as balance_rows
    from supervise.domain.policy.templates import FUNCTIONS

    if sessions and months:
        raise UsageError("Give --sessions or --months, not both.")
    day = as_of_date(as_of, now())
    with open_store(state, read_only=True) as store:
        rows = balance_rows(store, day, supervisee=supervisee,
                            sessions=sessions or (None if months else 6), months=months)
    columns = [("supervisee", "Supervisee"), ("supervisor", "Supervisor"),
               ("sessions", "Sessions"), *((f, f.capitalize()) for f in FUNCTIONS),
               ("flags", "Flags")]
    out.table(rows, columns, as_json=json_, as_csv=[k for k, _ in columns] if csv_ else None,
              empty="No completed sessions to weigh.")
    flagged = sum(bool(r["flags"]) for r in rows)
    if rows:
        out.message(f"{flagged} of {len(rows)} supervisees have a function absent three "
                    f"sessions running.")


@app.command("drift")
@store_command
def drift(state: AppState, as_of: AsOfOpt = None, json_: JsonOpt = False,
          csv_: CsvOpt = False) -> None:
    """Actions carried forward twice or more, or more than 28 days overdue, by owner."""
    from supervise.app.reports import drift as drift_rows

    day = as_of_date(as_of, now())
    with open_store(state, read_only=True) as store:
        rows = drift_rows(store, day)
    columns = [("owner", "Owner"), ("action", "Action"), ("text", "What"),
               ("raised_on", "Agreed"), ("due", "Due"), ("days_overdue", "Days overdue"),
               ("carried", "Carried"), ("reasons", "Drifting because")]
    out.table(rows, columns, as_json=json_, as_csv=[k for k, _ in columns] if csv_ else None,
              empty="No action is drifting.")
    if rows:
        owners = len({r["owner"] for r in rows})
        out.message(f"{len(rows)} drifting actions, {owners} owners.")


@app.command("children")
@store_command
def children(state: AppState, as_of: AsOfOpt = None, json_: JsonOpt = False,
             csv_: CsvOpt = False) -> None:
    """Children on a Child Protection Plan or looked after who have not been discussed in
    supervision for longer than the policy's interval, with their last discussion."""
    from supervise.app.reports import unseen_children

    day = as_of_date(as_of, now())
    with open_store(state, read_only=True) as store:
        rows, interval = unseen_children(store, day)
    columns = [("child", "Child"), ("family", "Family"), ("status", "Status"),
               ("last_discussed", "Last discussed"), ("session", "Session"),
               ("supervisor", "Supervisor"), ("due", "Due"), ("days_overdue", "Days overdue")]
    out.table(rows, columns, as_json=json_, as_csv=[k for k, _ in columns] if csv_ else None,
              empty=f"Every child on a plan or looked after was discussed within "
                    f"{interval.words()}.")
    if rows:
        out.message(f"{len(rows)} children not discussed within {interval.words()}.")
