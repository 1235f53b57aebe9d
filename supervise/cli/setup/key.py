"""`supervise key …`: passphrases, key holders, rotation and recovery."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from supervise.cli import prompts
from supervise.cli.context import AppState, new_passphrase, open_store, read_secret_file
from supervise.cli.options import command_group, store_command
from supervise.cli.output import out
from supervise.cli.setup.init import KdfOpt, KdfProfile, recovery_key_notice
from supervise.errors import SuperviseError

app = command_group("Passphrases, key holders, rotation and recovery.")

NEW_ENV = "SUPERVISE_NEW_PASSPHRASE"
NEW_FLAG = "--new-passphrase-file"
NewPassphraseFile = Annotated[Optional[Path], typer.Option(
    NEW_FLAG, metavar="PATH",
    help=f"Read the new passphrase from this file (else env {NEW_ENV}, else asked twice).")]
YesOpt = Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")]


def _confirmed(question: str, yes: bool) -> None:
    if yes:
        return
    if not prompts.confirm(question, hint="add --yes to confirm."):
        raise SuperviseError("Cancelled; nothing was changed.")


@app.command("passwd")
@store_command
def passwd(state: AppState, new_passphrase_file: NewPassphraseFile = None) -> None:
    """Change your passphrase (the one that unlocks your key slot)."""
    from supervise.app.keys import change_passphrase

    with open_store(state) as store:
        chosen = new_passphrase(store.actor, file=new_passphrase_file, env=NEW_ENV,
                                flag=NEW_FLAG)
        holder = change_passphrase(store, chosen)
    out.message(f"Passphrase changed for {holder}.")


@app.command("add-user")
@store_command
def add_user(
    state: AppState,
    name: Annotated[str, typer.Argument(help="A person already recorded (`person add`).")],
    new_passphrase_file: NewPassphraseFile = None,
) -> None:
    """Give another person their own key slot and passphrase to open this store."""
    from supervise.app.keys import add_user as add_key_user

    with open_store(state) as store:
        chosen = new_passphrase(name, file=new_passphrase_file, env=NEW_ENV, flag=NEW_FLAG)
        added = add_key_user(store, name, chosen)
    out.message(f"{added} can now open the store with --user {added!r}.")


@app.command("remove-user")
@store_command
def remove_user(
    state: AppState,
    name: Annotated[str, typer.Argument(help="The key holder to remove.")],
    yes: YesOpt = False,
) -> None:
    """Revoke a person's key slot. Their passphrase no longer opens the store."""
    from supervise.app.keys import remove_user as remove_key_user

    with open_store(state) as store:
        _confirmed(f"Remove {name}'s key to this store?", yes)
        removed = remove_key_user(store, name)
    out.message(
        f"{removed} can no longer open the store. If they may have copied the store or the "
        "recovery key, run `supervise key rotate` too."
    )


@app.command("rotate")
@store_command
def rotate(state: AppState, yes: YesOpt = False) -> None:
    """Re-key the database and print a new recovery key; the old one stops working."""
    from supervise.app.keys import rotate as rotate_key

    with open_store(state) as store:
        if not store.rotation_pending:
            _confirmed("Re-key the store? The old recovery key will stop working.", yes)
        finished = rotate_key(store, recovery_key_notice)
    out.message("The store is re-keyed" + (" (the rotation cut short is finished)" * finished)
                + "; every key holder keeps their passphrase. The old recovery key no longer "
                "opens it.")


@app.command("recover")
@store_command
def recover(
    state: AppState,
    recovery_key_file: Annotated[Optional[Path], typer.Option(
        "--recovery-key-file", metavar="PATH",
        help="Read the recovery key from this file (else a hidden prompt).")] = None,
    new_passphrase_file: NewPassphraseFile = None,
    kdf: KdfOpt = KdfProfile.strong,
) -> None:
    """Set a new passphrase with the recovery key, rebuilding a lost key file."""
    from supervise.app.keys import recover as recover_keys
    from supervise.app.keys import recovery_opened
    from supervise.domain.recovery import parse_recovery_key

    def recovery_key() -> bytes:
        if recovery_key_file is not None:
            return parse_recovery_key(read_secret_file(recovery_key_file, "recovery key"))
        return parse_recovery_key(
            prompts.secret("Recovery key:", hint="give --recovery-key-file PATH."))

    with recovery_opened(state.store_path, recovery_key=recovery_key) as store:
        chosen = new_passphrase(state.user or "the key holder", file=new_passphrase_file,
                                env=NEW_ENV, flag=NEW_FLAG)
        result = recover_keys(store, state.user, chosen, kdf.value)
    how = "rebuilt the key file" if result.rebuilt else "updated the key file"
    out.message(f"Recovered: {result.user} has a new passphrase ({how}).")
    if result.dropped:
        out.message("Add the other key holders again with `supervise key add-user`: "
                    + ", ".join(result.dropped) + ".")
