"""`supervise demo`: a sample organisation to try the tool on. Every name in it is invented."""

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from supervise.cli.context import default_store_path, now
from supervise.cli.output import out

DEMO_PASSPHRASE = "demo-only-passphrase"
DEMO_ORG = "Riverside Learning Trust (sample)"
DEMO_USER = "Alex Morgan"

# name, role, team, start, supervisor, trained, newly qualified
DEMO_PEOPLE = [
    ("Priya Shah", "Deputy Designated Safeguarding Lead", "Riverside Primary",
     date(2019, 9, 1), True, date(2021, 3, 15), None),
    ("Tom Okafor", "Class Teacher", "Riverside Primary", date(2022, 9, 1), False, None, None),
    ("Grace Lee", "EYFS Lead", "Riverside Nursery", date(2020, 1, 6), False, None, None),
    ("Daniel Brooks", "Pastoral Manager", "Riverside Secondary", date(2018, 4, 16), True,
     date(2022, 11, 2), None),
    ("Hannah Novak", "Family Support Worker", "Riverside Secondary", date(2026, 9, 1), False,
     None, date(2026, 7, 10)),
    ("Sam Rivera", "SENCo", "Riverside Primary", date(2021, 9, 1), False, None, None),
    ("Ruth Adeyemi", "Attendance Officer", "Riverside Secondary", date(2017, 9, 1), False,
     None, None),
]


def demo(
    store: Annotated[Optional[Path], typer.Option(
        "--store", metavar="PATH", help="Where to build the sample store "
        "(default: a 'demo' folder beside the default store).")] = None,
) -> None:
    """Build a sample store (invented people) and show the tool working on it."""
    from supervise.cli.person import LIST_COLUMNS
    from supervise.store.catalog import shipped_policy
    from supervise.store.keyfile import KDF_PROFILES
    from supervise.store.people import (
        add_person,
        edit_person,
        find_person,
        leave_person,
        list_people,
        person_row,
    )
    from supervise.store.store import create_store

    path = store or default_store_path().parent / "demo" / "store.db"
    moment = now()
    built, _ = create_store(path, org=DEMO_ORG, policy=shipped_policy("school-trust"),
                            user=DEMO_USER,
                            role="Designated Safeguarding Lead", passphrase=DEMO_PASSPHRASE,
                            kdf=KDF_PROFILES["strong"], now=moment, demo=True)
    with built, built.session() as session:
        edit_person(session, find_person(session, DEMO_USER), now=moment, actor=DEMO_USER,
                    changes={"team": "Trust central team", "start_date": date(2016, 9, 1),
                             "supervisor_trained_on": date(2017, 1, 20)})
        for name, role, team, start, supervises, trained, qualified in DEMO_PEOPLE:
            add_person(session, now=moment, actor=DEMO_USER, name=name, role=role, team=team,
                       start_date=start, is_supervisor=supervises,
                       supervisor_trained_on=trained, newly_qualified_on=qualified)
        leave_person(session, find_person(session, "Ruth Adeyemi"), now=moment,
                     actor=DEMO_USER, left=date(2026, 7, 31))
        rows = [person_row(p) for p in list_people(session, include_left=False)]
    out.message(f"Built a sample store for {DEMO_ORG} at {path}")
    out.message(f"Passphrase (sample only; never use it for real records): {DEMO_PASSPHRASE}")
    out.message("Its staff, as `supervise person list` shows them:\n")
    out.table(rows, LIST_COLUMNS, as_json=False, empty="")
    out.message(
        f"\nTry it:\n  export SUPERVISE_STORE={path}\n"
        f"  export SUPERVISE_PASSPHRASE={DEMO_PASSPHRASE}\n"
        "  supervise person list --all\n  supervise person show 'Hannah Novak'\n"
        "  supervise person add 'Jo Bloggs' --role 'Teaching Assistant'"
    )
