"""`supervise session …`: recording supervision, in the meeting or from an answers file."""

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from supervise.cli.context import AppState, catalog, open_store
from supervise.cli.options import JsonOpt, command_group, store_command
from supervise.cli.output import out
from supervise.cli.oversight.export import add_export_command
from supervise.cli.records.signing import add_signing_commands, show_evidence
from supervise.domain.rows import SessionRow
from supervise.domain.wording import family_words

app = command_group("Supervision sessions: recorded in the meeting, answer by answer.")

STATUSES = ("draft", "completed", "partly signed", "signed")
IdArg = Annotated[str, typer.Argument(metavar="ID", help="The session's number.")]
NameOpt = Optional[str]
LIST_COLUMNS = [("id", "Id"), ("held_on", "Held"), ("time", "Time"), ("kind", "Kind"),
                ("supervisor", "Supervisor"), ("supervisees", "Supervisees"),
                ("template", "Template"), ("status", "Status"), ("late", "Late entry")]
SHOW_FIELDS = [
    ("id", "Session"), ("held_on", "Held on"), ("time", "Start time"),
    ("duration_minutes", "Minutes"), ("kind", "Kind"), ("supervisor", "Supervisor"),
    ("supervisees", "Supervisees"), ("status", "Status"), ("late", "Late entry"),
    ("recorded_at", "Recorded at"), ("completed_at", "Completed at"),
    ("next_meeting", "Next meeting"), ("template", "Template"),
    ("template_version", "Version"), ("contract", "Contract"),
    ("functions", "Functions covered"), ("digest", "Digest"),
]


def _flags_into(data: dict[str, Any], **flags: Any) -> dict[str, Any]:
    merged = dict(data)
    for key, value in flags.items():
        if value not in (None, []):
            merged[key] = value
    return merged


@app.command("new")
@store_command
def new(
    state: AppState,
    supervisee: Annotated[Optional[list[str]], typer.Option(
        "--supervisee", metavar="NAME", help="Who is supervised; repeat for a group.")] = None,
    supervisor: Annotated[NameOpt, typer.Option(
        "--supervisor", metavar="NAME", help="Who supervises (default: the contract's).")]
        = None,
    kind: Annotated[Optional[str], typer.Option(
        "--kind", metavar="K", help="one-to-one, group, ad-hoc or external.")] = None,
    template: Annotated[Optional[str], typer.Option(
        "--template", metavar="ID", help="The agenda (default: the contract's).")] = None,
    on: Annotated[Optional[str], typer.Option(
        "--date", metavar="DATE", help="When it was held (default: today).")] = None,
    time: Annotated[Optional[str], typer.Option(
        "--time", metavar="HH:MM", help="When it started.")] = None,
    duration: Annotated[Optional[int], typer.Option(
        "--duration", metavar="MINUTES", help="How long it lasted.")] = None,
    answers: Annotated[Optional[Path], typer.Option(
        "--answers", metavar="FILE", help="Record the whole session from a TOML or JSON "
        "answers file, with no prompt (see `supervise template skeleton ID`).")] = None,
) -> None:
    """Record a session: walk the agenda, saving every answer as it is given."""
    flags = dict(supervisees=supervisee, supervisor=supervisor, kind=kind, template=template,
                 date=on, time=time, duration=duration)
    if answers is None:
        from supervise.cli.records.session_walk import walk_new

        walk_new(state, flags)
        return
    _record_file(state, answers, flags)


def _record_file(state: AppState, path: Path, flags: dict[str, Any]) -> None:
    from supervise.app.sessions import read_answers_file, record_from_answers

    data = _flags_into(read_answers_file(path), **flags)
    templates = catalog()
    with open_store(state) as store:
        record_id, template_id = record_from_answers(store, templates, data,
                                                     origin=f"The answers file {path}")
    out.message(f"Recorded session {record_id} ({template_id}), completed. Not signed yet.")
    out.data(str(record_id))


def _with_late(row: SessionRow) -> dict[str, Any]:
    """The row as a table shows it: a late entry says so in words."""
    return {**row, "late": "LATE ENTRY" if row["late_entry"] else ""}


@app.command("list")
@store_command
def list_(
    state: AppState,
    supervisee: Annotated[NameOpt, typer.Option("--supervisee", metavar="NAME")] = None,
    supervisor: Annotated[NameOpt, typer.Option("--supervisor", metavar="NAME")] = None,
    start: Annotated[Optional[str], typer.Option("--from", metavar="DATE")] = None,
    end: Annotated[Optional[str], typer.Option("--to", metavar="DATE")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", metavar="K")] = None,
    status: Annotated[Optional[str], typer.Option(
        "--status", metavar="S", help="draft, completed (not signed yet), partly signed or "
        "signed.")] = None,
    json_: JsonOpt = False,
) -> None:
    """List sessions, oldest first."""
    from supervise.app.sessions import list_sessions
    from supervise.domain.dates import parse_optional_date
    from supervise.errors import UsageError

    first, last = parse_optional_date(start, "--from"), parse_optional_date(end, "--to")
    if status is not None and status not in STATUSES:
        raise UsageError(f"--status {status!r}: use one of {', '.join(STATUSES)}.")
    with open_store(state, read_only=True) as store:
        rows = list_sessions(store, supervisee=supervisee, supervisor=supervisor, start=first,
                             end=last, kind=kind, status=status)
    shown = rows if json_ else [_with_late(r) for r in rows]
    out.table(shown, LIST_COLUMNS, as_json=json_,
              empty="No sessions match: record one with `supervise session new`.")


@app.command("show")
@store_command
def show(state: AppState, session_id: IdArg, json_: JsonOpt = False) -> None:
    """Show a whole session record."""
    from supervise.app.sessions import show_session
    from supervise.domain.records.session_file import child_words

    with open_store(state, read_only=True) as store:
        detail = show_session(store, session_id)
    if json_:
        out.json(detail)
        return
    out.record(_with_late(detail), SHOW_FIELDS, as_json=False, skip_empty=True)
    labels = {"group_confidentiality": "Group: confidentiality boundaries agreed",
              "concern_lead": "Group: who takes forward an immediate safeguarding concern"}
    for key, value in detail["group"].items():
        out.answer(labels[key], value)
    for item in detail["answers"]:
        if item["answer"] not in (None, "", []):
            out.answer(item["question"], item["answer"])
    for case in detail["cases"]:
        children = ", ".join(child_words(c) for c in case["children"])
        out.data(f"\nCase {case['case']}: {family_words(case['family'])}"
                 + (f": {children}" if children else "")
                 + ("" if all("status" in c for c in case["children"])
                    else f"; status {case['status']}"))
        for item in case["answers"]:
            out.data(f"  {item['question']}: {out.cell(item['answer'])}")
        if case["decision"]:
            out.data(f"  Decision record {case['decision_id']}: "
                     f"{out.cell(case['decision'].get('decision'))}")
    for review in detail["reviews"]:
        out.data(f"\nReviewed action {review['action']}: {review['outcome']}"
                 + (f" ({review['note']})" if review["note"] else ""))
    if detail["actions"]:
        out.data("\nActions agreed")
        for action in detail["actions"]:
            about = f", case {action['case']}" if action.get("case") else \
                f", item {action['item']}" if action.get("item") else ""
            out.data(f"  [{action['id']}] {action['text']} (by {action['owner']}, "
                     f"{action['due']}{about})")
            if action.get("notes"):
                out.data(f"      Notes: {out.cell(action['notes'])}")
    if detail["status"] != "draft":
        show_evidence(detail)


@app.command("resume")
@store_command
def resume(state: AppState, session_id: IdArg) -> None:
    """Continue a draft session where it stopped."""
    from supervise.app.sessions import draft_to_resume
    from supervise.cli.records.session_walk import walk

    with open_store(state) as store:
        draft = draft_to_resume(store, session_id)
        out.paragraph(f"Resuming session {draft.id} ({draft.template.title}, held "
                      f"{draft.held_on}).")
        walk(store, draft.id, draft.template)


@app.command("cancel")
@store_command
def cancel(
    state: AppState,
    supervisee: Annotated[str, typer.Option("--supervisee", metavar="NAME")],
    on: Annotated[str, typer.Option("--date", metavar="DATE",
                                    help="The meeting that was cancelled.")],
    by: Annotated[str, typer.Option("--by", metavar="WHO",
                                    help="supervisor or supervisee: who cancelled.")],
    reason: Annotated[str, typer.Option("--reason", help="Why.")],
    rebooked: Annotated[Optional[str], typer.Option(
        "--rebooked", metavar="DATE", help="The new date, if rebooked.")] = None,
) -> None:
    """Record a cancelled meeting; the party who cancelled owns the rebooking."""
    from supervise.app.sessions import cancel as cancel_meeting
    from supervise.domain.dates import parse_date, parse_optional_date

    meeting_on = parse_date(on, "--date")
    new_date = parse_optional_date(rebooked, "--rebooked")
    with open_store(state) as store:
        cancellation = cancel_meeting(store, supervisee=supervisee, meeting_on=meeting_on,
                                      by=by, reason=reason, rebooked=new_date)
    follow = f"rebooked for {new_date}" if new_date else \
        f"not rebooked yet: the {by} who cancelled rebooks it"
    out.message(f"Recorded cancellation {cancellation} of {meeting_on}; {follow}.")


@app.command("discard")
@store_command
def discard(
    state: AppState,
    session_id: IdArg,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Throw away a draft session (never a completed one); the audit trail keeps that it was."""
    from supervise.app.sessions import discard as discard_draft
    from supervise.app.sessions import session_status
    from supervise.cli import prompts
    from supervise.errors import SuperviseError

    with open_store(state) as store:
        held, status = session_status(store, session_id)
        if status == "draft" and not yes and not prompts.confirm(
                f"Discard draft session {session_id} (held {held}) and everything in it?",
                hint="give --yes."):
            raise SuperviseError("Cancelled; nothing was changed.")
        discard_draft(store, session_id)
    out.message(f"Discarded draft session {session_id}.")


add_signing_commands(app, "session")
add_export_command(app, "session")
