"""What every command shares: the global options, secrets and opening the store."""

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supervise.cli import prompts
from supervise.cli.hints import rendered
from supervise.cli.output import out
from supervise.errors import UnlockError, UsageError

if TYPE_CHECKING:
    from supervise.app.policy import Catalog
    from supervise.app.store_access import Store

MIN_PASSPHRASE = 8
SESSION_ENV = "SUPERVISE_SESSION"  # the key of the session `supervise unlock` began
SYNC_FOLDERS = ("dropbox", "onedrive", "google drive", "googledrive", "icloud",
                "mobile documents", "nextcloud", "owncloud", "box sync")


def default_store_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("supervise", appauthor=False) / "store.db"


def templates_dir() -> Path:
    """The user's own templates (SUPERVISE_TEMPLATES, else a folder beside the default store)."""
    from platformdirs import user_data_path

    chosen = os.environ.get("SUPERVISE_TEMPLATES")
    return Path(chosen).expanduser() if chosen else user_data_path(
        "supervise", appauthor=False) / "templates"


def catalog() -> "Catalog":
    """The template catalogue: the user's templates folder first, then the shipped ones."""
    from supervise.app.policy import catalog as template_catalog

    return template_catalog(templates_dir())


@dataclass(frozen=True)
class AppState:
    store: Path | None = None
    passphrase_file: Path | None = None
    user: str | None = None
    # Typed at the prompt before the command's heavy imports (`ask_passphrase_first`).
    typed_passphrase: str | None = field(default=None, repr=False)

    def overridden(self, **values: Any) -> "AppState":
        return replace(self, **{k: v for k, v in values.items() if v is not None})

    @property
    def store_path(self) -> Path:
        return (self.store or default_store_path()).expanduser()


def _private_text(path: Path, what: str, *, first_line: bool = False) -> str:
    """A file holding a secret or a name: read whole (or its first line), with a warning if
    other users can read it too."""
    try:
        mode = path.stat().st_mode
        with path.open(encoding="utf-8") as handle:
            text = handle.readline() if first_line else handle.read()
    except FileNotFoundError:
        raise UsageError(f"The {what} file {path} does not exist: check the path.") from None
    except (OSError, UnicodeDecodeError):
        raise UsageError(f"The {what} file {path} cannot be read as UTF-8 text.") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        out.warning(f"{path} can be read by other users: `chmod 600 {path}`.")
    return text


def read_secret_file(path: Path, what: str) -> str:
    text = _private_text(path, what)
    secret = text[:-1] if text.endswith("\n") else text
    secret = secret[:-1] if secret.endswith("\r") else secret
    if not secret:
        raise UsageError(f"The {what} file {path} is empty.")
    return secret


def store_passphrase(state: AppState) -> str:
    """The passphrase that unlocks the store: file, then environment, then a hidden prompt."""
    if state.typed_passphrase is not None:
        return state.typed_passphrase
    if state.passphrase_file is not None:
        return read_secret_file(state.passphrase_file, "passphrase")
    from_env = os.environ.get("SUPERVISE_PASSPHRASE")
    if from_env:
        return from_env
    if not prompts.can_ask():
        raise UnlockError(
            "No passphrase: run in a terminal, or set SUPERVISE_PASSPHRASE, or give "
            "--passphrase-file PATH (or SUPERVISE_PASSPHRASE_FILE)."
        )
    return prompts.secret("Store passphrase:", hint="set SUPERVISE_PASSPHRASE.")


def ask_passphrase_first(state: AppState) -> AppState:
    """On a terminal, ask for the store passphrase as soon as the store's files check out,
    before the command loads the database machinery (the prompt appears at once). Given by file
    or environment, or where opening would fail anyway, nothing is asked here."""
    from supervise.app.unlocking import ready_for_passphrase

    if state.passphrase_file is not None or os.environ.get("SUPERVISE_PASSPHRASE") or \
            not prompts.can_ask():
        return state
    if not ready_for_passphrase(state.store_path, user=state.user,
                                session_key=os.environ.get(SESSION_ENV) or None):
        return state
    return replace(state, typed_passphrase=store_passphrase(state))


SIGNER_ENV = "SUPERVISE_SIGNER_PASSPHRASE"


def signer_passphrase(name: str, file: Path | None, *, env: str = SIGNER_ENV,
                      flag: str = "--signer-passphrase-file PATH",
                      question: str = "{name}'s signing passphrase:") -> str:
    """A signer's own passphrase (SPEC §5): file, then environment, then a hidden prompt."""
    if file is not None:
        return read_secret_file(file, "signing passphrase")
    from_env = os.environ.get(env)
    if from_env:
        return from_env
    return prompts.secret(question.format(name=name), hint=f"set {env} or give {flag}.")


def new_passphrase(whose: str, *, file: Path | None, env: str, flag: str) -> str:
    """A passphrase being set: file, then environment, then asked twice on a terminal."""
    if file is not None:
        chosen = read_secret_file(file, "passphrase")
    elif os.environ.get(env):
        chosen = os.environ[env]
    else:  # on a terminal a short or mistyped passphrase is asked again
        hint = f"set {env} or give {flag} PATH."
        while True:
            chosen = prompts.secret(f"New passphrase for {whose}:", hint=hint)
            if len(chosen) < MIN_PASSPHRASE:
                out.paragraph(f"A passphrase needs at least {MIN_PASSPHRASE} characters; three "
                              f"random words make a good one. Try again.", indent="  ")
            elif prompts.secret("Type it again:", hint=hint) != chosen:
                out.paragraph("The two passphrases differ. Try again.", indent="  ")
            else:
                return chosen
    if len(chosen) < MIN_PASSPHRASE:
        raise UsageError(
            f"A passphrase needs at least {MIN_PASSPHRASE} characters; three random words "
            "make a good one."
        )
    return chosen


def warn_if_synced(path: Path) -> None:
    lowered = str(path.resolve()).casefold()
    if any(folder in lowered for folder in SYNC_FOLDERS):
        out.warning(
            f"{path} is inside a sync folder: sync tools can copy a half-written store and lose "
            "records. Keep the store outside it and use `supervise backup`."
        )


@contextmanager
def open_store(state: AppState, *, read_only: bool = False) -> "Iterator[Store]":
    """The store unlocked (the passphrase is asked for only once its files check out), closed
    when the block ends. `read_only`: a command that only reads, never held up by a writer."""
    from supervise.app.store_access import opened

    loading = out.preload()

    def passphrase() -> str:
        given = store_passphrase(state)
        loading.start()  # asked (or read) first: nothing competes with the prompt
        return given

    try:
        with opened(state.store_path, passphrase=passphrase, user=state.user,
                    session_key=os.environ.get(SESSION_ENV) or None,
                    session_ended=lambda ended: out.warning(rendered(ended)),
                    read_only=read_only) as store:
            if loading.ident is not None:
                loading.join()  # before the command: it may fork (audit verify's workers)
            if store.rotation_pending:
                out.warning("A key rotation was cut short: your recovery key still opens the "
                            "store. Finish it with `supervise key rotate`, and write down the "
                            "new recovery key it shows.")
            if store.behind:  # it still opens: evidence must stay readable (anchor.py)
                more = f" (and {len(store.behind) - 1} more)" if len(store.behind) > 1 else ""
                out.warning(f"The store does not hold everything {store.actor} last saw of "
                            f"it: {store.behind[0]}{more}. Keep it as it is for investigation "
                            "and run `supervise audit verify`.")
            yield store
    finally:
        if loading.ident is not None:
            loading.join()


CHILD_FILE = "--child-file FILE (its first line is the name, kept out of the process list)"


def read_name_file(path: Path, what: str) -> str:
    """The first line of `path`: a name kept out of the command line, where every local user
    can read it (`ps`). Like a passphrase file, it should be readable only by its owner."""
    first = _private_text(path, what, first_line=True)
    name = first.rstrip("\r\n")
    if not name.strip():
        raise UsageError(f"The {what} file {path} has no name on its first line.")
    return name


def ask_name(question: str, *, hint: str) -> str:
    """A name typed at a prompt, asked again until it is one clean line (names.clean_name)."""
    from supervise.domain.names import clean_name

    while True:
        typed = prompts.text(question, hint=hint)
        try:
            return clean_name(typed)
        except UsageError as refused:
            out.paragraph(f"{refused.message} Try again.", indent="  ")


def child_name(given: str | None, file: Path | None) -> str:
    """The child's name: given on the command line, else read from --child-file, else asked
    (never echoed into the process list by us); with no terminal, the hint names the file."""
    if given is not None and file is not None:
        raise UsageError("Name the child once: either NAME or --child-file FILE.")
    if given is not None:
        return given
    if file is not None:
        return read_name_file(file, "child's name")
    if not prompts.can_ask():
        raise UsageError(f"Which child? Give their name, or {CHILD_FILE}, or run in a terminal "
                         "to be asked.")
    return ask_name("Child's full name:", hint=f"give {CHILD_FILE}.")
