"""`supervise unlock` and `supervise lock`: type the passphrase once for a meeting, as the
Bitwarden CLI's `bw unlock` does. The session key is printed for the shell's environment
(`eval "$(supervise unlock)"`); the store's keys stay sealed beside it until the session is
idle too long, is older than 12 hours, or `supervise lock` ends it."""

import os
import sys
from typing import Annotated, Optional

import typer

from supervise.cli.context import SESSION_ENV, AppState, store_passphrase
from supervise.cli.options import store_command
from supervise.cli.output import out


@store_command
def unlock(
    state: AppState,
    idle: Annotated[Optional[int], typer.Option(
        "--idle", metavar="MINUTES", help="End the session after this many minutes without a "
        "command (default 15, at most 480).")] = None,
    raw: Annotated[bool, typer.Option(
        "--raw", help="Print only the session key (for a script or another shell).")] = False,
) -> None:
    """Unlock the store once: later commands in this shell ask no passphrase."""
    from supervise.app.store_files import unlock as unlock_store

    made = unlock_store(state.store_path, passphrase=lambda: store_passphrase(state),
                        user=state.user, idle_minutes=idle)
    if raw:
        out.data(made.session_key)
        return
    out.data(f'export {SESSION_ENV}="{made.session_key}"')
    out.paragraph(f"Unlocked for {made.user} until {made.idle_minutes} minutes pass without a "
                  f"command (at most 12 hours).")
    if sys.stdout.isatty():
        out.paragraph(f'To use it, run `eval "$(supervise unlock)"` instead, or set '
                      f"{SESSION_ENV} to the key above in this shell only.")
    out.paragraph("End it with `eval \"$(supervise lock)\"` when the meeting is over.")


@store_command
def lock(state: AppState) -> None:
    """Lock the store: end the session `supervise unlock` began."""
    from supervise.app.store_files import lock as lock_store

    had = lock_store(state.store_path, os.environ.get(SESSION_ENV) or None)
    out.data(f"unset {SESSION_ENV}")
    out.paragraph("Locked: the unlocked session is over; the next command asks for the "
                "passphrase." if had else "The store was not unlocked; nothing to lock.")
