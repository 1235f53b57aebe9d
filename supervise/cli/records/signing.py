"""`sign` and `amend` for contracts, sessions and decision records: one implementation, added to
each command group, and the signature block and amendments that every `show` prints."""

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from supervise.cli import prompts
from supervise.cli.context import SIGNER_ENV, AppState, open_store, signer_passphrase
from supervise.cli.options import store_command
from supervise.cli.output import fits, out
from supervise.domain.rows import Evidence, SigningSummary
from supervise.domain.wording import case_label
from supervise.errors import SuperviseError, UsageError

NOUNS = {"contract": "contract", "session": "session", "decision": "decision record"}
SIGNING_ATTEMPTS = 3


def add_signing_commands(app: typer.Typer, record_type: str) -> None:
    noun = NOUNS[record_type]

    @app.command("sign", help=f"Sign a {noun} (or, with --amendment, one of its amendments). "
                 "Once signed it never changes; corrections are amendments.")
    @store_command
    def sign(
        state: AppState,
        record_id: Annotated[str, typer.Argument(metavar="ID", help=f"The {noun}'s number.")],
        as_name: Annotated[str, typer.Option("--as", metavar="NAME", help="Who signs.")],
        role: Annotated[Optional[str], typer.Option(
            "--role", metavar="ROLE", help="supervisor, supervisee or manager (default: their "
            "part in the record; a manager countersigning gives --role manager).")] = None,
        comment: Annotated[Optional[str], typer.Option(
            "--comment", help="A comment that is part of what they sign (a supervisee may say "
            "here what they disagree with).")] = None,
        typed: Annotated[bool, typer.Option(
            "--typed", help="They have no signing key: they type their full name, witnessed "
            "and countersigned by you.")] = False,
        typed_name: Annotated[Optional[str], typer.Option(
            "--typed-name", metavar="NAME", help="The full name as they typed it (with "
            "--typed, where there is no terminal).")] = None,
        signer_file: Annotated[Optional[Path], typer.Option(
            "--signer-passphrase-file", metavar="PATH", help="Read the signer's own "
            "passphrase from this file (env SUPERVISE_SIGNER_PASSPHRASE).")] = None,
        amendment: Annotated[Optional[int], typer.Option(
            "--amendment", metavar="N", help="Sign its amendment N instead.")] = None,
        yes: Annotated[bool, typer.Option("--yes", help="Do not ask to confirm.")] = False,
    ) -> None:
        _sign(state, record_type, record_id, as_name=as_name, role=role, comment=comment,
              typed=typed, typed_name=typed_name, signer_file=signer_file,
              amendment=amendment, yes=yes)

    @app.command("amend", help=f"Correct a completed {noun}: a linked amendment with author, "
                 "time, reason and the changed text. The original stays as it was.")
    @store_command
    def amend(
        state: AppState,
        record_id: Annotated[str, typer.Argument(metavar="ID", help=f"The {noun}'s number.")],
        section: Annotated[Optional[str], typer.Option(
            "--section", metavar="ID", help="The question it corrects (default: a note on "
            "the whole record).")] = None,
        case: Annotated[Optional[int], typer.Option(
            "--case", metavar="N", help="In a session: the case discussion whose question "
            "it corrects.")] = None,
        text: Annotated[Optional[str], typer.Option("--text", help="The corrected text.")]
            = None,
        text_file: Annotated[Optional[Path], typer.Option(
            "--text-file", metavar="PATH", help="Read the corrected text from a file.")] = None,
        reason: Annotated[Optional[str], typer.Option("--reason", help="Why it is amended.")]
            = None,
    ) -> None:
        _amend(state, record_type, record_id, section=section, case=case, text=text,
               text_file=text_file, reason=reason)


def _sign(state: AppState, record_type: str, given: str, *, as_name: str, role: str | None,
          comment: str | None, typed: bool, typed_name: str | None, signer_file: Path | None,
          amendment: int | None, yes: bool) -> None:
    from supervise.app.signing import WrongSignerPassphrase, plan_signature, sign

    with open_store(state) as store:
        plan = plan_signature(store, record_type, given, amendment, signer=as_name, role=role,
                              typed=typed)
        what, signer, role = plan.what, plan.signer, plan.role
        asking = prompts.can_ask() and not yes
        if asking:  # the signer reads what they sign before anything else is asked
            out.paragraph(f"{signer} is asked to sign {what} as {role}:")
            for line in plan.summary:
                out.paragraph(out.cell(line), indent="  ")
            out.paragraph(f"Read it whole with `supervise {record_type} show {plan.record_id}`; "
                          f"its digest is {plan.digest[:12]}.", indent="  ")
        if comment is None and role == "supervisee" and asking:
            comment = prompts.note("Comment, part of what you sign (anything you disagree with); "
                                   "leave empty for none:", hint="give --comment.")
        if typed:
            _typed_name_matches(signer, typed_name)
        if asking and not prompts.confirm(
                f"Sign {what} (digest {plan.digest[:12]}) as {role}: {signer}?",
                hint="give --yes."):
            raise SuperviseError("Not signed; nothing was changed.")
        for attempt in range(1, SIGNING_ATTEMPTS + 1):
            passphrase = None if typed or plan.own_key else signer_passphrase(signer,
                                                                               signer_file)
            try:
                summary = sign(store, record_type, given, amendment, signer=signer, role=role,
                               comment=(comment or "").strip() or None, typed=typed,
                               passphrase=passphrase)
                break
            except WrongSignerPassphrase as wrong:
                asked = signer_file is None and not os.environ.get(SIGNER_ENV)
                if not asked or attempt == SIGNING_ATTEMPTS:
                    raise
                out.warning(f"{wrong} Try again ({SIGNING_ATTEMPTS - attempt} more); the "
                            f"comment is kept.")
    how = "typed name, witnessed" if typed else "personal key"
    out.message(f"Signed {what} as {role}: {signer} ({how}).")
    if summary["signed"]:
        out.message(f"{what[0].upper()}{what[1:]} is signed: it never changes now; corrections "
                    f"are amendments.")
    else:
        out.message(f"Still to sign: {', '.join(summary['awaiting'])}.")


def _typed_name_matches(signer: str, given: str | None) -> None:
    """A typed-name signature is the name exactly as recorded (spaces aside); on a terminal a
    different spelling or case is asked again."""
    from supervise.domain.names import clean_name

    for attempt in range(1, SIGNING_ATTEMPTS + 1):
        typed_as = given if given is not None else prompts.text(
            f"{signer}, type your full name exactly as written here to sign:",
            hint="give --typed-name NAME.")
        try:
            matches = clean_name(typed_as) == signer
        except SuperviseError:
            matches = False
        if matches:
            return
        if given is not None or attempt == SIGNING_ATTEMPTS:
            raise UsageError(f"The typed name does not match {signer} as written; nothing was "
                             f"signed.")
        out.warning(f"That is not {signer} as written (capitals and spelling count). Try "
                    f"again.")


def _amend(state: AppState, record_type: str, given: str, *, section: str | None,
           case: int | None, text: str | None, text_file: Path | None,
           reason: str | None) -> None:
    from supervise.app.records import amend, amendable, amendable_cases, recorded

    if text is None and text_file is not None:
        try:
            text = text_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise UsageError(f"{text_file} cannot be read as UTF-8 text.") from None
    with open_store(state) as store:
        sections = amendable(store, record_type, given, case)
        if section is None and text is None and prompts.can_ask():
            whole = "A note on the whole record"
            # a case's questions are one entry each case, opened by a second list (80×24)
            cases = {} if case is not None else {
                fits(f"A question of {case_label(p, f)}"): p
                for p, f in amendable_cases(store, record_type, given)}
            chosen = prompts.choice("Which question does it correct?",
                                    [whole] + [fits(f"{key}: {title}") for key, (title, _) in
                                               sections.items()] + list(cases),
                                    hint="give --section ID (and --case N).")
            if chosen in cases:
                case = cases[chosen]
                sections = amendable(store, record_type, given, case)
                chosen = prompts.choice(f"Which question of case {case}?",
                                        [fits(f"{key}: {title}") for key, (title, _) in
                                         sections.items()],
                                        hint=f"give --case {case} --section ID.")
            section = None if chosen == whole else chosen.split(":", 1)[0]
        current = recorded(sections, section, record_type) if section else ""
        if text is None:
            text = prompts.note("The corrected text:", default=out.cell(current),
                                hint="give --text or --text-file.")
        if reason is None:
            reason = prompts.text("Why is it amended?", hint="give --reason.")
        number, record_id = amend(store, record_type, given, section=section, case=case,
                                  text=text, reason=reason)
    out.message(f"Recorded amendment {number} to {NOUNS[record_type]} {record_id}. Each party "
                f"signs it: `supervise {record_type} sign {record_id} --amendment {number} "
                f"--as NAME`.")


def show_evidence(evidence: Evidence) -> None:
    """The signature block and the amendments, as every `show` ends."""
    _signature_block(evidence)
    for row in evidence["amendments"]:
        where = f"{row['question']}" + (f", case {row['case']}" if row["case"] else "") \
            if row["section"] else "the whole record"
        out.data(f"\nAmendment {row['number']} ({where}), by {row['author']} at {row['at']}")
        out.data(f"  Reason: {row['reason']}")
        if row["section"]:
            out.data(f"  Was: {out.cell(row['previous']) or '(not answered)'}")
        out.data(f"  Now: {row['text']}")
        _signature_block(row, indent="  ")


def _signature_block(evidence: SigningSummary, indent: str = "") -> None:
    out.data(f"\n{indent}Signatures")
    if not evidence["signatures"]:
        out.data(f"{indent}  Not signed")
    for sig in evidence["signatures"]:
        out.data(f"{indent}  {sig['name']} ({sig['role']}), {sig['date']}, {sig['method']}"
                 + (f", key {sig['key']}" if sig["key"] else ""))
        if sig["comment"]:
            out.data(f"{indent}    Comment: {sig['comment']}")
    if evidence["awaiting"]:
        out.data(f"{indent}  Awaiting: {', '.join(evidence['awaiting'])}")
