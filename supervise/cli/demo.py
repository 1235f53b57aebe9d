"""`supervise demo`: a sample organisation to try the tool on. Every name in it is invented."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from supervise.cli.context import default_store_path
from supervise.cli.output import out
from supervise.clock import now


def demo(
    store: Annotated[Optional[Path], typer.Option(
        "--store", metavar="PATH", help="Where to build the sample store "
        "(default: a 'demo' folder beside the default store).")] = None,
) -> None:
    """Build a sample store (invented people and contracts) and show the tool working on it."""
    from supervise.cli.contract import LIST_COLUMNS as CONTRACT_COLUMNS
    from supervise.cli.person import LIST_COLUMNS
    from supervise.demo import trust as sample
    from supervise.demo.history import at
    from supervise.demo.signing import SampleSigner
    from supervise.store.catalog import shipped_policy
    from supervise.store.db.opening import create_store
    from supervise.store.keys.key_file import KDF_PROFILES
    from supervise.store.queries.session_rows import list_sessions, session_row
    from supervise.store.records.contracts import contract_row, list_contracts
    from supervise.store.records.people import list_people, person_row

    path = store or default_store_path().parent / "demo" / "store.db"
    moment = now()
    built, _ = create_store(path, org=sample.ORG, policy=shipped_policy(sample.FIRST_POLICY),
                            user=sample.USER, role="Designated Safeguarding Lead",
                            passphrase=sample.PASSPHRASE, kdf=KDF_PROFILES["strong"],
                            now=at(sample.START), demo=True)
    with built, built.session() as session:
        sample.build_sample(session, SampleSigner(sample.USER, built.opened.private_key))
        held = len(list_sessions(session))
        recent = [session_row(session, r) for r in list_sessions(session)][-6:]
        people = [person_row(p) for p in list_people(session, include_left=False)]
        contracts = [contract_row(session, c, moment.date())
                     for c in list_contracts(session, today=moment.date(), include_closed=True)]
    out.message(f"Built a sample store for {sample.ORG} at {path}")
    out.message(f"Passphrase (sample only; never use it for real records): {sample.PASSPHRASE}")
    out.message("Its staff, as `supervise person list` shows them:\n")
    out.table(people, LIST_COLUMNS, as_json=False, empty="")
    out.message(f"\nIts contracts, first under {sample.FIRST_POLICY}, then under "
                f"{sample.SECOND_POLICY} (`supervise contract list --all`):\n")
    out.table(contracts, CONTRACT_COLUMNS, as_json=False, empty="")
    out.message(f"\n{held} sessions recorded over the year; the latest "
                f"(`supervise session list`):\n")
    out.table(recent, [("id", "Id"), ("held_on", "Held"), ("kind", "Kind"),
                       ("supervisor", "Supervisor"), ("supervisees", "Supervisees"),
                       ("template", "Template"), ("status", "Status")], as_json=False,
              empty="")
    out.message(
        f"\nTry it:\n  export SUPERVISE_STORE={path}\n"
        f"  export SUPERVISE_PASSPHRASE={sample.PASSPHRASE}\n"
        "  supervise policy show\n  supervise contract show 5\n"
        "  supervise session show 1        # signed, with a signed amendment\n"
        "  supervise audit verify\n  supervise action list --open\n"
        "  supervise template skeleton dsl-agenda\n"
        "  supervise person add 'Jo Bloggs' --role 'Teaching Assistant'"
    )
