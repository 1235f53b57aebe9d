"""`supervise person …`: the staff who supervise and are supervised."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from supervise.cli.context import SIGNER_ENV, AppState, open_store
from supervise.cli.options import JsonOpt, command_group, store_command
from supervise.cli.output import out
from supervise.domain.dates import parse_date, parse_optional_date

app = command_group("Staff: supervisors, supervisees and key holders.")

NameArg = Annotated[str, typer.Argument(help="The person's full name (any case).")]
DateOpt = Optional[str]
SinceOpt = typer.Option("--supervisor-since", metavar="DATE",
                        help="When they became a supervisor (default: their start date, or "
                             "today); the training deadline runs from it.")
LIST_COLUMNS = [("name", "Name"), ("role", "Role"), ("team", "Team"),
                ("supervisor", "Supervisor"), ("start_date", "Started"), ("status", "Status")]
SHOW_FIELDS = [
    ("name", "Name"), ("role", "Role"), ("team", "Team"), ("start_date", "Started"),
    ("left_date", "Left"), ("requires_supervision", "Requires supervision"),
    ("supervisor", "Supervisor"), ("supervisor_since", "Supervisor since"),
    ("supervisor_trained_on", "Supervision training"),
    ("newly_qualified_on", "Qualified (newly qualified)"), ("custodian", "Key holder"),
]


@app.command("add")
@store_command
def add(
    state: AppState,
    name: NameArg,
    role: Annotated[str, typer.Option("--role", help="Job title.")],
    team: Annotated[Optional[str], typer.Option("--team", help="Team or school.")] = None,
    start: Annotated[DateOpt, typer.Option("--start", metavar="DATE",
                                           help="Start date, YYYY-MM-DD.")] = None,
    supervisor: Annotated[bool, typer.Option("--supervisor",
                                             help="They supervise others.")] = False,
    trained: Annotated[DateOpt, typer.Option(
        "--trained", metavar="DATE", help="Date of their supervision training.")] = None,
    since: Annotated[DateOpt, SinceOpt] = None,
    newly_qualified: Annotated[DateOpt, typer.Option(
        "--newly-qualified", metavar="DATE",
        help="Qualification date, for the newly-qualified schedule.")] = None,
    no_supervision: Annotated[bool, typer.Option(
        "--no-supervision", help="They do not require supervision (e.g. a governor).")] = False,
) -> None:
    """Record a member of staff."""
    from supervise.app.people import add_person

    values = dict(
        start_date=parse_optional_date(start, "--start"),
        supervisor_trained_on=parse_optional_date(trained, "--trained"),
        supervisor_since=parse_optional_date(since, "--supervisor-since"),
        newly_qualified_on=parse_optional_date(newly_qualified, "--newly-qualified"),
    )
    with open_store(state) as store:
        person = add_person(store, name=name, role=role, team=team, is_supervisor=supervisor,
                            requires_supervision=not no_supervision, **values)
    out.message(f"Added {person['name']} ({person['role']}).")


@app.command("list")
@store_command
def list_(
    state: AppState,
    json_: JsonOpt = False,
    all_: Annotated[bool, typer.Option("--all", help="Include people who have left.")] = False,
) -> None:
    """List staff (those still in post unless --all)."""
    from supervise.app.staff import list_people

    with open_store(state, read_only=True) as store:
        rows = list_people(store, include_left=all_)
    out.table(rows, LIST_COLUMNS, as_json=json_,
              empty="Nobody recorded yet: add staff with `supervise person add`.")


@app.command("show")
@store_command
def show(state: AppState, name: NameArg, json_: JsonOpt = False) -> None:
    """Show one person."""
    from supervise.app.people import show_person

    with open_store(state, read_only=True) as store:
        row = show_person(store, name)
    out.record(row, SHOW_FIELDS, as_json=json_)


@app.command("edit")
@store_command
def edit(
    state: AppState,
    name: NameArg,
    new_name: Annotated[Optional[str], typer.Option("--name", help="Correct the name.")] = None,
    role: Annotated[Optional[str], typer.Option("--role")] = None,
    team: Annotated[Optional[str], typer.Option("--team")] = None,
    start: Annotated[DateOpt, typer.Option("--start", metavar="DATE")] = None,
    supervisor: Annotated[Optional[bool], typer.Option(
        "--supervisor/--not-supervisor", show_default=False)] = None,
    trained: Annotated[DateOpt, typer.Option("--trained", metavar="DATE")] = None,
    since: Annotated[DateOpt, SinceOpt] = None,
    newly_qualified: Annotated[DateOpt, typer.Option("--newly-qualified", metavar="DATE")] = None,
    requires_supervision: Annotated[Optional[bool], typer.Option(
        "--requires-supervision/--no-supervision", show_default=False)] = None,
) -> None:
    """Change a person's details; only the options given change."""
    from supervise.app.people import edit_person

    changes = {
        "name": new_name, "role": role, "team": team,
        "start_date": parse_optional_date(start, "--start"),
        "is_supervisor": supervisor,
        "supervisor_trained_on": parse_optional_date(trained, "--trained"),
        "supervisor_since": parse_optional_date(since, "--supervisor-since"),
        "newly_qualified_on": parse_optional_date(newly_qualified, "--newly-qualified"),
        "requires_supervision": requires_supervision,
    }
    changes = {field: value for field, value in changes.items() if value is not None}
    if not changes:
        raise typer.BadParameter("nothing to change: give at least one option, e.g. --role.")
    with open_store(state) as store:
        person, changed = edit_person(store, name, changes)
    out.message(f"Updated {person}: {', '.join(changed)}." if changed
                else f"{person} already had those details; nothing changed.")


@app.command("leave")
@store_command
def leave(
    state: AppState,
    name: NameArg,
    date: Annotated[str, typer.Option("--date", metavar="DATE", help="Last day, YYYY-MM-DD.")],
) -> None:
    """Record that a person has left. Their records are kept."""
    from supervise.app.people import leave as person_leaves

    left = parse_date(date, "--date")
    with open_store(state) as store:
        person = person_leaves(store, name, left)
    out.message(f"{person} left on {left.isoformat()}; their records are kept.")


@app.command("enrol")
@store_command
def enrol(
    state: AppState,
    name: NameArg,
    signer_file: Annotated[Optional[Path], typer.Option(
        "--signer-passphrase-file", metavar="PATH", help="Read their new signing passphrase "
        "from this file (env SUPERVISE_SIGNER_PASSPHRASE).")] = None,
    old_file: Annotated[Optional[Path], typer.Option(
        "--old-signer-passphrase-file", metavar="PATH", help="To replace their key: read "
        "their current signing passphrase from this file (env "
        "SUPERVISE_OLD_SIGNER_PASSPHRASE).")] = None,
    forgotten: Annotated[bool, typer.Option(
        "--forgotten", help="Replace their key without its passphrase (they forgot it); the "
        "audit trail records the reset.")] = False,
) -> None:
    """Give someone who holds no key to the store a personal signing key, opened by a
    passphrase they choose and type themselves. Key holders sign with their store passphrase.
    Replacing a key needs the current passphrase, or --forgotten."""
    from supervise.app.keys import check_signing_passphrase, enrolment
    from supervise.app.keys import enrol as enrol_key
    from supervise.cli.context import new_passphrase, signer_passphrase
    from supervise.domain.records.signing import short_fingerprint

    with open_store(state) as store:
        person = enrolment(store, name)
        if person.has_key and not forgotten:
            check_signing_passphrase(store, person.name, signer_passphrase(
                person.name, old_file, env="SUPERVISE_OLD_SIGNER_PASSPHRASE",
                flag="--old-signer-passphrase-file PATH, or --forgotten",
                question="{name} already has a signing key. Their current signing "
                         "passphrase:"))
        passphrase = new_passphrase(f"{person.name}'s signing key", file=signer_file,
                                    env=SIGNER_ENV,
                                    flag="--signer-passphrase-file")
        fingerprint = enrol_key(store, name, passphrase, reset=forgotten)
    out.message(f"Enrolled {person.name}: signing key {short_fingerprint(fingerprint)}. "
                f"They sign with `--as \"{person.name}\"` and their own passphrase.")

