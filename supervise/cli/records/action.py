"""`supervise action …`: actions agreed in supervision, and every review of them."""

from typing import Annotated, Optional

import typer

from supervise.cli.context import AppState, open_store
from supervise.cli.options import JsonOpt, command_group, store_command
from supervise.cli.output import out

app = command_group("Actions agreed in supervision: who, by when, and every review.")

IdArg = Annotated[str, typer.Argument(metavar="ID", help="The action's number.")]
LIST_COLUMNS = [("id", "Id"), ("text", "Action"), ("owner", "By whom"), ("due", "By when"),
                ("status", "Status"), ("overdue_text", "Overdue"), ("session", "Session")]


@app.command("list")
@store_command
def list_(
    state: AppState,
    open_: Annotated[bool, typer.Option("--open", help="Only open actions.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open actions past due.")]
        = False,
    owner: Annotated[Optional[str], typer.Option("--owner", metavar="NAME")] = None,
    json_: JsonOpt = False,
) -> None:
    """List actions."""
    from supervise.app.records import list_actions

    with open_store(state, read_only=True) as store:
        rows = list_actions(store, owner)
    rows = [r for r in rows if (not (open_ or overdue) or r["status"] == "open")
            and (not overdue or r["overdue"])]
    shown = [{**row, "overdue_text": "OVERDUE" if row["overdue"] else ""} for row in rows]
    out.table(shown, LIST_COLUMNS, as_json=json_, empty="No actions match.")


@app.command("done")
@store_command
def done(
    state: AppState,
    action_id: IdArg,
    note: Annotated[str, typer.Option("--note", help="What was done.")] = "",
) -> None:
    """Mark an action done (between sessions); the review is kept."""
    from supervise.app.records import action_done

    with open_store(state) as store:
        number = action_done(store, action_id, note)
    out.message(f"Action {number} done.")


@app.command("update")
@store_command
def update(
    state: AppState,
    action_id: IdArg,
    due: Annotated[str, typer.Option("--due", metavar="DATE", help="The new due date.")],
    note: Annotated[str, typer.Option("--note", help="Why it moved.")] = "",
) -> None:
    """Move an action's due date; the old date is kept in its history."""
    from supervise.app.records import move_action
    from supervise.domain.dates import parse_date

    new_due = parse_date(due, "--due")
    with open_store(state) as store:
        number = move_action(store, action_id, new_due, note)
    out.message(f"Action {number} is now due {new_due}.")
