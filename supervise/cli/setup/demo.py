"""`supervise demo`: a sample organisation to try the tool on. Every name in it is invented."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from supervise.cli.context import default_store_path
from supervise.cli.output import out

SESSION_COLUMNS = [("id", "Id"), ("held_on", "Held"), ("kind", "Kind"),
                   ("supervisor", "Supervisor"), ("supervisees", "Supervisees"),
                   ("template", "Template"), ("status", "Status")]


def demo(
    store: Annotated[Optional[Path], typer.Option(
        "--store", metavar="PATH", help="Where to build the sample store "
        "(default: a 'demo' folder beside the default store).")] = None,
) -> None:
    """Build a sample store (invented people and contracts) and show the tool working on it."""
    from supervise.app.store_files import demo as build_demo
    from supervise.cli.records.contract import LIST_COLUMNS as CONTRACT_COLUMNS
    from supervise.cli.records.person import LIST_COLUMNS

    path = store or default_store_path().parent / "demo" / "store.db"
    sample = build_demo(path)
    out.message(f"Built a sample store for {sample.org} at {path}")
    out.message(f"Passphrase (sample only; never use it for real records): {sample.passphrase}")
    out.message("Its staff, as `supervise person list` shows them:\n")
    out.table(sample.people, LIST_COLUMNS, as_json=False, empty="")
    out.message(f"\nIts contracts, first under {sample.first_policy}, then under "
                f"{sample.second_policy} (`supervise contract list --all`):\n")
    out.table(sample.contracts, CONTRACT_COLUMNS, as_json=False, empty="")
    out.message(f"\n{sample.sessions_held} sessions recorded over the year; the latest "
                f"(`supervise session list`):\n")
    out.table(sample.recent_sessions, SESSION_COLUMNS, as_json=False, empty="")
    out.message(
        f"\nTry it:\n  export SUPERVISE_STORE={path}\n"
        f"  export SUPERVISE_PASSPHRASE={sample.passphrase}\n"
        "  supervise policy show\n  supervise contract show 5\n"
        "  supervise session show 1        # signed, with a signed amendment\n"
        "  supervise audit verify\n  supervise action list --open\n"
        "  supervise template skeleton dsl-agenda\n"
        "  supervise person add 'Jo Bloggs' --role 'Teaching Assistant'"
    )
