"""`supervise contract …`: the supervision agreement, the first record of every relationship."""

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from supervise.cli import prompts
from supervise.cli.context import AppState, catalog, open_store
from supervise.cli.hints import rendered
from supervise.cli.options import JsonOpt, command_group, store_command
from supervise.cli.output import out
from supervise.cli.oversight.export import add_export_command
from supervise.cli.records.signing import add_signing_commands, show_evidence
from supervise.cli.records.walk_asking import ask_date
from supervise.clock import now
from supervise.domain.text import clean_line
from supervise.errors import SuperviseError

app = command_group("Supervision contracts: agreed, signed, reviewed every year.")

IdArg = Annotated[str, typer.Argument(metavar="ID", help="The contract's number.")]
LIST_COLUMNS = [("id", "Id"), ("supervisee", "Supervisee"), ("supervisor", "Supervisor"),
                ("kind", "Kind"), ("frequency", "Frequency"), ("start", "Start"),
                ("review", "Review by"), ("policy", "Policy"), ("status", "Status"),
                ("signed", "Signed")]
SHOW_FIELDS = [
    ("id", "Contract"), ("supervisee", "Supervisee"), ("supervisor", "Supervisor"),
    ("kind", "Kind"), ("frequency", "Frequency"), ("schedule", "Schedule"),
    ("schedule_from", "Schedule from"), ("duration_minutes", "Expected minutes"),
    ("venue", "Venue"), ("start", "Start"), ("review", "Review by"), ("status", "Status"),
    ("supersedes", "Supersedes"), ("superseded_by", "Superseded by"), ("ended_on", "Ended"),
    ("end_reason", "Why ended"), ("template", "Template"), ("template_version", "Version"),
    ("policy", "Policy"), ("policy_version", "Policy version"), ("signed", "Signed by both"),
    ("digest", "Digest"),
]

AnswersOpt = Annotated[Optional[Path], typer.Option(
    "--answers", metavar="FILE", help="A TOML or JSON answers file (see `supervise template "
    "skeleton ID`); flags override its values.")]
AnswerOpt = Annotated[Optional[list[str]], typer.Option(
    "--answer", metavar="ID=VALUE", help="Answer one of the template's questions; repeat.")]
FrequencyOpt = Annotated[Optional[str], typer.Option(
    "--frequency", metavar="F", help="1w 2w 4w 6w 1m 2m 3m 6m 12m termly (default: the "
    "policy's).")]
ReviewOpt = Annotated[Optional[str], typer.Option(
    "--review-date", metavar="DATE", help="When it is next reviewed (default: start + the "
    "policy's interval).")]
DurationOpt = Annotated[Optional[int], typer.Option(
    "--duration", metavar="MINUTES", help="Expected length of a session.")]
VenueOpt = Annotated[Optional[str], typer.Option("--venue", help="Where sessions are held.")]
TemplateOpt = Annotated[Optional[str], typer.Option(
    "--template", metavar="ID", help="The contract template (default: the policy's for the "
    "kind).")]


@app.command("new")
@store_command
def new(
    state: AppState,
    supervisee: Annotated[Optional[str], typer.Option(
        "--supervisee", metavar="NAME", help="Who is supervised.")] = None,
    supervisor: Annotated[Optional[str], typer.Option(
        "--supervisor", metavar="NAME", help="Who supervises.")] = None,
    kind: Annotated[Optional[str], typer.Option(
        "--kind", metavar="K", help="The kind of contract, from the policy (see `supervise "
        "policy show`).")] = None,
    frequency: FrequencyOpt = None,
    start: Annotated[Optional[str], typer.Option(
        "--start", metavar="DATE", help="When it starts (default: today).")] = None,
    review: ReviewOpt = None,
    duration: DurationOpt = None,
    venue: VenueOpt = None,
    template: TemplateOpt = None,
    answers: AnswersOpt = None,
    answer: AnswerOpt = None,
) -> None:
    """Agree a supervision contract: its terms, then the template's questions."""
    _record(state, answers, answer or [], replacing=None, supervisee=supervisee,
            supervisor=supervisor, kind=kind, frequency=frequency, start=start, review=review,
            duration=duration, venue=venue, template=template)


@app.command("review")
@store_command
def review_(
    state: AppState,
    contract_id: IdArg,
    on: Annotated[Optional[str], typer.Option(
        "--date", metavar="DATE", help="When the reviewed contract starts (default: today).")]
        = None,
    supervisor: Annotated[Optional[str], typer.Option(
        "--supervisor", metavar="NAME", help="A new supervisor.")] = None,
    kind: Annotated[Optional[str], typer.Option(
        "--kind", metavar="K", help="A new kind, e.g. after the policy changed.")] = None,
    frequency: FrequencyOpt = None,
    review: ReviewOpt = None,
    duration: DurationOpt = None,
    venue: VenueOpt = None,
    template: TemplateOpt = None,
    answers: AnswersOpt = None,
    answer: AnswerOpt = None,
) -> None:
    """Review a contract: a new version that supersedes it (the old one is kept, readable)."""
    _record(state, answers, answer or [], replacing=contract_id, supervisor=supervisor,
            kind=kind, frequency=frequency, start=on, review=review, duration=duration,
            venue=venue, template=template)


def _record(state: AppState, answers_file: Path | None, answer_flags: list[str],
            replacing: str | None, **flags: Any) -> None:
    """A new contract (or a review of `replacing`) from the answers file, flags and prompts."""
    from supervise.app.contracts import parties, propose, read_given, record
    from supervise.cli.questions import answer_all, parse_answer_flags
    from supervise.domain.answers import check_answers

    given, problems = read_given(answers_file, **flags)
    origin = f"The answers file {answers_file}" if answers_file else "This contract"
    with open_store(state) as store:
        named = parties(store, given, replacing)  # short reads: no lock is held while asking
        supervisee = named.supervisee or prompts.name(
            "Supervisee:", named.people, hint="give --supervisee NAME.")
        supervisor = named.supervisor or prompts.name(
            "Supervisor:", named.supervisors, default=named.actor,
            hint="give --supervisor NAME.")
        if answers_file is None and prompts.can_ask() and not (
                named.supervisee and (named.supervisor or replacing)):
            # agreed in the meeting, so asked; flags or an answers file say them or not
            _when_and_where(given, reviewing=replacing is not None)
        terms = propose(store, given, supervisee=supervisee, supervisor=supervisor,
                        replacing=replacing, templates=catalog())
        chosen = terms.template
        given_answers = {**given.answers, **parse_answer_flags(chosen, answer_flags)}
        check_answers(chosen, given_answers, problems, require=False)
        problems.raise_if_any(origin)
        reviewing = f"Reviewing contract {terms.replacing}" if terms.replacing else "Contract"
        out.message(f"{reviewing}: {terms.supervisee}, supervised by {terms.supervisor}; "
                    f"{terms.kind}; {terms.frequency.words()} ({terms.why}); from "
                    f"{terms.start}; template {chosen.id} v{chosen.version}.")
        answers = answer_all(chosen, given_answers, defaults=terms.previous, origin=origin,
                             names=named.people)
        made = record(store, terms, answers)
    verb = f"Contract {made.id} supersedes contract {made.supersedes}" if made.supersedes \
        else f"Recorded contract {made.id}"
    out.message(f"{verb}: review by {made.review_on}. Not signed yet: both parties sign it "
                f"{_signing_point(made.sign_before_session)}.")
    out.data(str(made.id))


def _when_and_where(given: Any, *, reviewing: bool) -> None:
    """The agreed (start) date and the venue, asked when no flag gave them."""
    if given.start is None:
        given.start = ask_date("Agreed on (the date it starts):", now().date(),
                               f"give {'--date' if reviewing else '--start'} YYYY-MM-DD.")
    while given.venue is None:
        typed = prompts.text("Venue (blank to keep the usual or leave it unsaid):" if reviewing
                             else "Venue (blank if not agreed):", hint="give --venue TEXT.")
        if not typed.strip():
            return
        try:
            given.venue = clean_line(typed, "venue")
        except SuperviseError as error:
            out.paragraph(rendered(error), indent="  ")


def _signing_point(before: int) -> str:
    ordinal = {1: "first", 2: "second", 3: "third", 4: "fourth"}.get(before, f"#{before}")
    return f"before the {ordinal} session"


@app.command("list")
@store_command
def list_(
    state: AppState,
    supervisee: Annotated[Optional[str], typer.Option(
        "--supervisee", metavar="NAME", help="Only this person's contracts.")] = None,
    all_: Annotated[bool, typer.Option(
        "--all", help="Include ended and superseded contracts.")] = False,
    json_: JsonOpt = False,
) -> None:
    """List contracts (those not ended or superseded, unless --all)."""
    from supervise.app.contracts import list_contracts

    with open_store(state, read_only=True) as store:
        rows = list_contracts(store, supervisee=supervisee, include_closed=all_)
    out.table(rows, LIST_COLUMNS, as_json=json_,
              empty="No contracts yet: agree one with `supervise contract new`.")


@app.command("show")
@store_command
def show(state: AppState, contract_id: IdArg, json_: JsonOpt = False) -> None:
    """Show a contract with the questions of the template version it was made with."""
    from supervise.app.contracts import show_contract

    with open_store(state, read_only=True) as store:
        row = show_contract(store, contract_id)
    if json_:
        out.json(row)
        return
    out.record(row, SHOW_FIELDS, as_json=False, skip_empty=True)
    for item in row["answers"]:
        out.answer(item["question"], item["answer"])
    show_evidence(row)


@app.command("end")
@store_command
def end(
    state: AppState,
    contract_id: IdArg,
    reason: Annotated[Optional[str], typer.Option(
        "--reason", help="Why it ends, e.g. 'left the trust'.")] = None,
    on: Annotated[Optional[str], typer.Option(
        "--date", metavar="DATE", help="The last day it is in force (default: today).")] = None,
) -> None:
    """End a contract (the record is kept)."""
    from supervise.app.contracts import end_contract
    from supervise.domain.dates import parse_optional_date

    day = parse_optional_date(on, "--date")
    with open_store(state) as store:  # unlocked before anything is typed
        why = reason or prompts.text("Why does it end?", hint="give --reason TEXT.")
        ended, day = end_contract(store, contract_id, on=day, reason=why)
    out.message(f"Contract {ended} ended on {day}.")


add_signing_commands(app, "contract")
add_export_command(app, "contract")
