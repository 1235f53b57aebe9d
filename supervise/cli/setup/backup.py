"""`supervise backup --to FILE`, `supervise restore FILE` and `supervise doctor` (SPEC §6)."""

from pathlib import Path
from typing import Annotated

import typer

from supervise.cli.context import AppState, open_store, store_passphrase
from supervise.cli.options import JsonOpt, store_command
from supervise.cli.output import out


@store_command
def backup(
    state: AppState,
    to: Annotated[Path, typer.Option(
        "--to", metavar="FILE", help="The backup file to write (a new file; never overwritten). "
        "Keep it off this laptop.")],
) -> None:
    """Write an encrypted, consistent copy of the store, and its key file, to one file. It
    can be taken while the store is in use; the same passphrases and recovery key open it."""
    from supervise.app.store_files import backup as write_backup

    with open_store(state) as store:
        made = write_backup(store, to.expanduser())
    out.data(str(made.path))
    out.message(f"Backup written: {made.size:,} bytes, {made.events:,} audit events, SHA-256 "
                f"{made.sha256[:16]}. Restore it with `supervise restore {made.path.name}`.")


@store_command
def restore(
    state: AppState,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A file made by `backup --to`.")],
) -> None:
    """Replace the store with a backup. The backup is unpacked and checked first (its
    passphrase, every page, the audit trail); nothing is replaced unless it passes, and the
    store it replaces is kept in the store's backups folder."""
    from supervise.app.store_files import restore as restore_backup

    restored = restore_backup(state.store_path, file.expanduser(),
                              passphrase=lambda: store_passphrase(state), user=state.user)
    kept = (f" The store it replaced is kept as {restored.kept}." if restored.kept else "")
    out.message(f"Restored the backup taken {restored.taken_at[:16].replace('T', ' ')} UTC; "
                f"it passed every check.{kept} The recovery key in use when the backup was "
                "taken opens it.")


@store_command
def doctor(state: AppState, json_: JsonOpt = False) -> None:
    """Check the store: its file, its key file, every encrypted page, SQLite's integrity
    check, the audit trail and every signature. Says in plain words what is wrong and what
    to do; exit 4 if anything is."""
    from supervise.app.audit import doctor as run_doctor
    from supervise.cli.hints import spelled
    from supervise.cli.progress_line import progress_line
    from supervise.errors import VerificationError

    with progress_line() as progress:
        checkup = run_doctor(state.store_path, passphrase=lambda: store_passphrase(state),
                             user=state.user, progress=progress)
    rows = [finding.row(spelled) for finding in checkup.findings]
    if json_:
        out.json(rows)
    else:
        for row in rows:
            mark = "ok" if row["ok"] else "PROBLEM"
            out.data(f"{mark:<7}  {row['check']}: {row['detail']}")
            if row["advice"]:
                out.data(f"{'':<7}  -> {row['advice']}")
    if not checkup.healthy:
        bad = [f for f in checkup.findings if not f.ok]
        raise VerificationError(f"The store has a problem ({', '.join(f.check for f in bad)}):",
                                bad[0].advice)
    out.message("The store is healthy.")

