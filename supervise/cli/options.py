"""Options shared by commands. `--store`, `--passphrase-file` and `--user` work before the command
(`supervise --store X person list`) and after it (`supervise person list --store X`)."""

import functools
import inspect
import typing
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from supervise.cli.context import AppState, ask_passphrase_first

JsonOpt = Annotated[bool, typer.Option("--json", help="Print a JSON array (only that) on stdout.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV (only that) on stdout.")]
AsOfOpt = Annotated[Optional[str], typer.Option(
    "--as-of", metavar="DATE", help="Judge as on this day, YYYY-MM-DD (default today).")]


def as_of_date(given: str | None, moment: datetime) -> date:
    from supervise.domain.dates import parse_date

    return parse_date(given, "--as-of") if given else moment.date()


def command_group(help_text: str, *, name: str | None = None, cls: Any = None,
                  context_settings: dict[str, Any] | None = None) -> typer.Typer:
    """A Typer app for one command group. Help is rendered plainly: rich's help renderer costs
    ~50 ms of imports on every `--help` (SPEC §9: ≤ 150 ms). Pretty exceptions stay off: rich
    tracebacks print local variables, and a passphrase must never reach a terminal that way."""
    return typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None,
                       add_completion=False, pretty_exceptions_enable=False, name=name,
                       cls=cls, context_settings=context_settings)


def _store_option(flag: str, help_text: str, *, path: bool) -> inspect.Parameter:
    kind = Optional[Path] if path else Optional[str]
    metavar = "PATH" if path else "NAME"
    option = typer.Option(flag, metavar=metavar, help=help_text, show_default=False)
    name = "_" + flag.strip("-").replace("-", "_")
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                             annotation=Annotated[kind, option])


_SHARED = [
    _store_option("--store", "The store file (env SUPERVISE_STORE).", path=True),
    _store_option("--passphrase-file", "Read the store passphrase from this file "
                  "(env SUPERVISE_PASSPHRASE_FILE, or SUPERVISE_PASSPHRASE).", path=True),
    _store_option("--user", "Whose key slot unlocks the store, when it has several "
                  "(env SUPERVISE_USER).", path=False),
]
_CTX = inspect.Parameter("_ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)


def store_command(fn):
    """Give a command the store options; it receives the merged AppState as `state`."""
    hints = typing.get_type_hints(fn, include_extras=True)
    own = [
        p.replace(annotation=hints.get(p.name, p.annotation))
        for p in inspect.signature(fn).parameters.values()
        if p.name != "state"
    ]

    # A command that opens the store with its passphrase is asked for it first of all.
    opens_store = "open_store" in fn.__code__.co_names

    @functools.wraps(fn)
    def wrapper(*args, _ctx: typer.Context, _store=None, _passphrase_file=None, _user=None,
                **kwargs):
        root: AppState = _ctx.find_root().obj or AppState()
        state = root.overridden(store=_store, passphrase_file=_passphrase_file, user=_user)
        if opens_store:
            state = ask_passphrase_first(state)
        return fn(*args, state=state, **kwargs)

    parameters = own + [_CTX, *_SHARED]
    wrapper.__signature__ = inspect.Signature(parameters)
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper


ChildFileOpt = Annotated[Optional[Path], typer.Option(
    "--child-file", metavar="FILE", help="Read the child's name from the first line of this file "
    "instead (other users on this computer can see a command line, not a private file).")]
