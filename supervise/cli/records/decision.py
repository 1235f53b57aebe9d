"""`supervise decision …`: decision records for the child's file, made in case discussions."""

from typing import Annotated, Optional

import typer

from supervise.cli.context import AppState, open_store
from supervise.cli.options import ChildFileOpt, JsonOpt, command_group, store_command
from supervise.cli.output import out
from supervise.cli.oversight.export import add_export_command
from supervise.cli.records.signing import add_signing_commands, show_evidence
from supervise.errors import UsageError

app = command_group("Decision records for the child's file, made in case discussions.")

LIST_COLUMNS = [("id", "Id"), ("held_on", "Session date"), ("session", "Session"),
                ("family", "Family"), ("children_text", "Children"),
                ("supervisor", "Supervisor"), ("decision_text", "Decision")]


@app.command("list")
@store_command
def list_(
    state: AppState,
    child: Annotated[Optional[str], typer.Option("--child", metavar="NAME")] = None,
    child_file: ChildFileOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List decision records (about one child with --child or --child-file)."""
    from supervise.app.records import list_decisions
    from supervise.cli.context import read_name_file

    if child_file is not None:
        if child is not None:
            raise UsageError("Name the child once: either --child NAME or --child-file FILE.")
        child = read_name_file(child_file, "child's name")

    with open_store(state, read_only=True) as store:
        rows = list_decisions(store, child)
    shown = [{**row, "children_text": ", ".join(c["name"] for c in row["children"]),
              "decision_text": str(row["answers"].get("decision", ""))[:60]} for row in rows]
    out.table(shown, LIST_COLUMNS, as_json=json_, empty="No decision records match.")


@app.command("show")
@store_command
def show(state: AppState,
         decision_id: Annotated[str, typer.Argument(metavar="ID")],
         json_: JsonOpt = False) -> None:
    """Show a decision record."""
    from supervise.app.records import show_decision
    from supervise.domain.records.session_file import child_words

    with open_store(state, read_only=True) as store:
        row = show_decision(store, decision_id)
    if json_:
        out.json(row)
        return
    out.data(f"Decision record {row['id']} (session {row['session']}, {row['held_on']})")
    out.data(f"Family: {row['family']}; children: "
             + ", ".join(child_words(c) for c in row["children"]))
    out.data(f"Supervisor: {row['supervisor']}; supervisee: {', '.join(row['supervisees'])}")
    for item in row["questions"]:
        out.answer(item["question"], item["answer"], blank="(none)")
    show_evidence(row)


add_signing_commands(app, "decision")
add_export_command(app, "decision")
