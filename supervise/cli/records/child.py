"""`supervise child …`: the case register (children, their families and status)."""

from typing import Annotated, Optional

import typer

from supervise.cli.context import AppState, child_name, open_store
from supervise.cli.options import ChildFileOpt, JsonOpt, command_group, store_command
from supervise.cli.output import out

app = command_group("The case register: children, their families and their status.")

NameArg = Annotated[str, typer.Argument(help="The child's full name (any case).")]
DobOpt = Annotated[Optional[str], typer.Option("--dob", metavar="DATE",
                                               help="Date of birth, YYYY-MM-DD.")]
RefOpt = Annotated[Optional[str], typer.Option(
    "--ref", metavar="REF", help="Local reference, e.g. the child's CPOMS, LCS or Mosaic id.")]
LIST_COLUMNS = [("name", "Name"), ("dob", "Born"), ("ref", "Ref"), ("family", "Family"),
                ("status", "Status"), ("status_since", "Since")]


@app.command("add")
@store_command
def add(
    state: AppState,
    name: Annotated[Optional[str], typer.Argument(
        help="The child's full name (else --child-file, or asked on a terminal).",
        show_default=False)] = None,
    child_file: ChildFileOpt = None,
    dob: DobOpt = None,
    ref: RefOpt = None,
    family: Annotated[Optional[str], typer.Option(
        "--family", metavar="NAME", help="The family's name, as the case is known.")] = None,
    status: Annotated[str, typer.Option(
        "--status", metavar="S", help="none, early-help, child-in-need, child-protection or "
        "looked-after.")] = "none",
    since: Annotated[Optional[str], typer.Option(
        "--since", metavar="DATE", help="When the status began (e.g. the plan's start); "
        "default today.")] = None,
    new: Annotated[bool, typer.Option(
        "--new", help="A different child from a near match already on the register (a "
        "similar name with the same date of birth or family).")] = False,
) -> None:
    """Add a child to the case register. A near match already on it (a misspelt name with
    the same date of birth or family) is refused unless --new. A name on the command line can
    be seen by other users of this computer while the command runs: --child-file, or the
    prompt, keeps it out."""
    from supervise.app.people import add_child
    from supervise.domain.answers import Problems
    from supervise.domain.dates import parse_optional_date
    from supervise.domain.records.session_file import parse_status
    from supervise.errors import UsageError

    problems = Problems()
    code = parse_status(status, "--status", problems)
    if code is None:
        raise UsageError(problems.items[0])
    born = parse_optional_date(dob, "--dob")
    began = parse_optional_date(since, "--since")
    name = child_name(name, child_file)
    with open_store(state) as store:
        added = add_child(store, name=name, dob=born, ref=ref, family=family, status=code,
                          since=began, new=new)
    out.message(f"Added {added} to the case register.")


@app.command("list")
@store_command
def list_(state: AppState, json_: JsonOpt = False) -> None:
    """List the children on the case register."""
    from supervise.app.people import list_children

    with open_store(state, read_only=True) as store:
        rows = list_children(store)
    out.table(rows, LIST_COLUMNS, as_json=json_,
              empty="No children on the register yet: `supervise child add NAME`.")


@app.command("show")
@store_command
def show(state: AppState,
         name: Annotated[Optional[str], typer.Argument(
             help="The child's full name, any case (else --child-file, or asked on a "
             "terminal).", show_default=False)] = None,
         child_file: ChildFileOpt = None, dob: DobOpt = None, ref: RefOpt = None,
         json_: JsonOpt = False) -> None:
    """Show a child and the sessions that discussed them."""
    from supervise.app.people import show_child
    from supervise.domain.dates import parse_optional_date

    born = parse_optional_date(dob, "--dob")
    name = child_name(name, child_file)
    with open_store(state, read_only=True) as store:
        row = show_child(store, name, dob=born, ref=ref)
    if json_:
        out.json(row)
        return
    out.record(row, [(k, h) for k, h in LIST_COLUMNS], as_json=False, skip_empty=True)
    for held in row["sessions"]:
        out.data(f"Discussed in session {held['id']} on {held['held_on']} ({held['status']})")
