"""`supervise overdue`: who is overdue for supervision, and every flag that needs a supervisor's
attention (SPEC §8)."""

from typing import Annotated, Optional

import typer

from supervise.cli.context import AppState, open_store
from supervise.cli.options import AsOfOpt, CsvOpt, JsonOpt, as_of_date, store_command
from supervise.cli.output import out
from supervise.clock import now

COLUMNS = [("supervisee", "Supervisee"), ("supervisor", "Supervisor"),
           ("frequency", "Frequency"), ("last_session", "Last session"), ("due", "Due"),
           ("status_text", "Status"), ("flags", "Flags")]


@store_command
def overdue(
    state: AppState,
    supervisor: Annotated[Optional[str], typer.Option(
        "--supervisor", metavar="NAME", help="Only this supervisor's supervisees.")] = None,
    all_: Annotated[bool, typer.Option(
        "--all", help="Also list those who are up to date with nothing flagged.")] = False,
    as_of: AsOfOpt = None,
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """Who is overdue or due soon for supervision, most overdue first, and what is flagged:
    no contract, contract unsigned or due for review, actions overdue, a record incomplete
    or unsigned, a cancelled meeting not rebooked, supervisor training due."""
    from supervise.app.overdue import overdue as overdue_rows
    from supervise.domain.oversight.overdue import KEYS, summary

    day = as_of_date(as_of, now())
    with open_store(state, read_only=True) as store:
        rows = overdue_rows(store, day, supervisor=supervisor)
    shown = [r.as_dict() for r in rows if all_ or r.needs_attention]
    if not (json_ or csv_):
        shown = [{**row, "status_text": f"overdue {row['days_overdue']} d"
                  if row["status"] == "overdue" else row["status"]} for row in shown]
    out.table(shown, COLUMNS, as_json=json_, as_csv=KEYS if csv_ else None,
              empty="Nobody is overdue and nothing is flagged." if rows else
              "No supervision to check: add contracts with `supervise contract new`.")
    out.message(summary(rows, day))
