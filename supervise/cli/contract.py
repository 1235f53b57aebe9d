"""`supervise contract …`: the supervision agreement, the first record of every relationship."""

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from supervise.cli import prompts
from supervise.cli.context import AppState, catalog, open_store
from supervise.cli.export import add_export_command
from supervise.cli.options import JsonOpt, command_group, store_command
from supervise.cli.output import out
from supervise.cli.signing import add_signing_commands, show_evidence
from supervise.clock import now

if TYPE_CHECKING:  # imported when used: `supervise --help` stays fast
    from supervise.domain.answers import Problems
    from supervise.domain.contract_file import ContractGiven

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


def _given(answers: Path | None, **flags: Any) -> "tuple[ContractGiven, Problems]":
    """The answers file and flags, checked; the file's problems are kept (not raised) until its
    [answers] have been checked against the template too, so all are listed at once."""
    from supervise.domain.answers import Problems, read_answers_text
    from supervise.domain.contract_file import ContractGiven, check_contract_file
    from supervise.domain.dates import parse_date
    from supervise.domain.frequency import parse_frequency
    from supervise.store.catalog import read_text

    given, problems = ContractGiven(), Problems()
    if answers is not None:
        data = read_answers_text(read_text(answers, "answers file"), answers.suffix)
        given = check_contract_file(data, problems)
    for key, value in flags.items():
        if value is None:
            continue
        if key == "frequency":
            value = parse_frequency(value)
        elif key in ("start", "review"):
            value = parse_date(value, "the review date" if key == "review" else "the start date")
        given = replace(given, **{key: value})
    return given, problems


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
    import json

    from supervise.cli.questions import answer_all, parse_answer_flags
    from supervise.domain.answers import check_answers
    from supervise.domain.frequency import parse_frequency
    from supervise.domain.policy import schedule_anchor
    from supervise.store.records.contracts import ContractTerms, check_terms, make_contract
    from supervise.store.records.numbered import find_contract
    from supervise.store.records.people import find_person, list_people, person_name
    from supervise.store.records.policies import current_policy, policy_in_force

    given, problems = _given(answers_file, **flags)
    origin = f"The answers file {answers_file}" if answers_file else "This contract"
    moment = now()
    with open_store(state) as store:
        with store.session() as session:  # short reads: no lock is held while asking
            people = list_people(session, include_left=False)
            old = find_contract(session, replacing) if replacing else None
            if old is not None:
                given.supervisee = person_name(session, old.supervisee_id)
                given.supervisor = given.supervisor or person_name(session, old.supervisor_id)
        names = [p.name for p in people]
        supervisee_name = given.supervisee or prompts.name(
            "Supervisee:", names, hint="give --supervisee NAME.")
        supervisor_name = given.supervisor or prompts.name(
            "Supervisor:", [p.name for p in people if p.is_supervisor], default=store.actor,
            hint="give --supervisor NAME.")
        with store.session() as session:
            policy, _ = current_policy(session)
            supervisee = find_person(session, supervisee_name)
            supervisor = find_person(session, supervisor_name)
            kind = old.kind if old and not given.kind else policy.kind(given.kind).name
            start = given.start or moment.date()
            anchor = schedule_anchor(supervisee.newly_qualified_on, supervisee.start_date)
            if given.frequency:
                freq, schedule, why = given.frequency, None, "as given"
            elif old is not None and old.schedule is None:
                freq, schedule, why = parse_frequency(old.frequency), None, "as before"
            else:
                freq, schedule, why = policy.frequency_for(kind, supervisee.role, anchor, start)
            template_id = given.template or (
                _template_of(session, old) if old and old.kind == kind
                else policy.kind(kind).contract_template)
            chosen = catalog().get(template_id or "ms-contract", kind="contract")
            terms = ContractTerms(
                supervisee=supervisee, supervisor=supervisor, kind=kind, frequency=freq,
                schedule=schedule, schedule_from=anchor, start=start,
                review=given.review or policy.review_on(start),
                duration=given.duration or (old.duration_minutes if old else None)
                or policy.kind(kind).duration,
                venue=given.venue or (old.venue if old else None), template=chosen, answers={})
            check_terms(session, terms, policy, moment.date(), replacing=old)
            previous = json.loads(old.answers) if old else {}
        given_answers = {**given.answers, **parse_answer_flags(chosen, answer_flags)}
        check_answers(chosen, given_answers, problems, require=False)
        problems.raise_if_any(origin)
        out.message(f"{'Reviewing contract ' + str(old.id) if old else 'Contract'}: "
                    f"{supervisee.name}, supervised by {supervisor.name}; {kind}; "
                    f"{freq.words()} ({why}); from {start}; template {chosen.id} "
                    f"v{chosen.version}.")
        terms.answers = answer_all(chosen, given_answers, defaults=previous, origin=origin,
                                   names=names)
        with store.session() as session:
            terms.supervisee = session.merge(terms.supervisee)
            terms.supervisor = session.merge(terms.supervisor)
            old = find_contract(session, replacing) if replacing else None
            policy, policy_version = policy_in_force(session, now=moment, actor=store.actor)
            for section in chosen.sections:  # people named in answers must be in the store
                if section.type == "person" and section.id in terms.answers:
                    terms.answers[section.id] = find_person(
                        session, terms.answers[section.id]).name
            contract = make_contract(session, terms, policy=policy,
                                     policy_version=policy_version, now=moment,
                                     actor=store.actor, replacing=old)
    verb = f"Contract {contract.id} supersedes contract {old.id}" if old else \
        f"Recorded contract {contract.id}"
    out.message(f"{verb}: review by {contract.review_on}. Not signed yet: both parties sign it "
                f"{_signing_point(policy.sign_before_session)}.")
    out.data(str(contract.id))


def _signing_point(before: int) -> str:
    ordinal = {1: "first", 2: "second", 3: "third", 4: "fourth"}.get(before, f"#{before}")
    return f"before the {ordinal} session"


def _template_of(session, contract) -> str:
    from supervise.store.records.template_snapshots import snapshot

    return snapshot(session, contract.template_digest).id


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
    from supervise.store.records.contracts import contract_row, list_contracts
    from supervise.store.records.people import find_person

    today = now().date()
    with open_store(state) as store, store.session() as session:
        person = find_person(session, supervisee) if supervisee else None
        rows = [contract_row(session, c, today)
                for c in list_contracts(session, today=today, supervisee=person,
                                         include_closed=all_)]
    out.table(rows, LIST_COLUMNS, as_json=json_,
              empty="No contracts yet: agree one with `supervise contract new`.")


@app.command("show")
@store_command
def show(state: AppState, contract_id: IdArg, json_: JsonOpt = False) -> None:
    """Show a contract with the questions of the template version it was made with."""
    from supervise.store.records.contracts import contract_answers, contract_row
    from supervise.store.records.numbered import find_contract

    with open_store(state) as store, store.session() as session:
        contract = find_contract(session, contract_id)
        row = contract_row(session, contract, now().date())
        row["answers"] = contract_answers(session, contract)
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
    from supervise.domain.dates import parse_optional_date
    from supervise.store.records.contracts import end_contract
    from supervise.store.records.numbered import find_contract

    moment = now()
    day = parse_optional_date(on, "--date") or moment.date()
    with open_store(state) as store:  # unlocked before anything is typed
        why = reason or prompts.text("Why does it end?", hint="give --reason TEXT.")
        with store.session() as session:
            contract = find_contract(session, contract_id)
            end_contract(session, contract, on=day, reason=why, now=moment,
                         actor=store.actor)
    out.message(f"Contract {contract.id} ended on {day}.")


add_signing_commands(app, "contract")
add_export_command(app, "contract")
