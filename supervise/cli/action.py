"""`supervise action …`: actions agreed in supervision, and every review of them."""

from typing import Annotated, Optional

import typer

from supervise.cli.context import AppState, open_store
from supervise.cli.options import JsonOpt, command_group, store_command
from supervise.cli.output import out
from supervise.clock import now

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
    from supervise.store.queries.session_rows import action_row, list_actions
    from supervise.store.records.people import find_person

    today = now().date()
    with open_store(state) as store, store.session() as session:
        person = find_person(session, owner) if owner else None
        rows = [action_row(session, a, today) for a in list_actions(session, person)]
    rows = [r for r in rows if (not (open_ or overdue) or r["status"] == "open")
            and (not overdue or r["overdue"])]
    for row in rows:
        row["overdue_text"] = "OVERDUE" if row["overdue"] else ""
    out.table(rows, LIST_COLUMNS, as_json=json_, empty="No actions match.")


@app.command("done")
@store_command
def done(
    state: AppState,
    action_id: IdArg,
    note: Annotated[str, typer.Option("--note", help="What was done.")] = "",
) -> None:
    """Mark an action done (between sessions); the review is kept."""
    from supervise.store.records.sessions import find_action, review_action

    with open_store(state) as store, store.session() as session:
        action = find_action(session, action_id)
        review_action(session, action, outcome="done", note=note, now=now(), actor=store.actor)
    out.message(f"Action {action.id} done.")


@app.command("update")
@store_command
def update(
    state: AppState,
    action_id: IdArg,
    due: Annotated[str, typer.Option("--due", metavar="DATE", help="The new due date.")],
    note: Annotated[str, typer.Option("--note", help="Why it moved.")] = "",
) -> None:
    """Move an action's due date; the old date is kept in its history."""
    from supervise.domain.dates import parse_date
    from supervise.store.records.sessions import find_action, review_action

    new_due = parse_date(due, "--due")
    with open_store(state) as store, store.session() as session:
        action = find_action(session, action_id)
        review_action(session, action, outcome="rescheduled", note=note, now=now(),
                      actor=store.actor, due=new_due)
    out.message(f"Action {action.id} is now due {new_due}.")
