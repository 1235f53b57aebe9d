"""The root command and the one exit point: every error ends here as one line on stderr."""

import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Optional

from supervise import __version__
from supervise.cli.hints import rendered
from supervise.errors import DiskFullError, SuperviseError, disk_full

EXIT_INTERRUPTED = 130


def build_app():
    """The root command: its options here, every subcommand loaded by name (lazy.py)."""
    import typer

    from supervise.cli.context import AppState, default_store_path
    from supervise.cli.lazy import LazyGroup
    from supervise.cli.options import command_group

    app = command_group(
        "Safeguarding supervision records: encrypted, policy-aware, verifiable.",
        name="supervise", cls=LazyGroup,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    def show_version(value: bool) -> None:
        if value:
            print(f"supervise {__version__}")
            raise typer.Exit()

    @app.callback()
    def root(
        ctx: typer.Context,
        store: Annotated[Optional[Path], typer.Option(
            "--store", envvar="SUPERVISE_STORE", metavar="PATH", show_default=False,
            help=f"The store file (default: {default_store_path()}).")] = None,
        passphrase_file: Annotated[Optional[Path], typer.Option(
            "--passphrase-file", envvar="SUPERVISE_PASSPHRASE_FILE", metavar="PATH",
            help="Read the store passphrase from this file (else SUPERVISE_PASSPHRASE, else a "
                 "hidden prompt).")] = None,
        user: Annotated[Optional[str], typer.Option(
            "--user", envvar="SUPERVISE_USER", metavar="NAME",
            help="Whose key slot unlocks the store, when it has several.")] = None,
        debug: Annotated[bool, typer.Option(
            "--debug", help="Show the full traceback of an unexpected error.")] = False,
        version: Annotated[bool, typer.Option(
            "--version", callback=show_version, is_eager=True,
            help="Show the version and exit.")] = False,
    ) -> None:
        ctx.obj = AppState(store=store, passphrase_file=passphrase_file, user=user)

    return app


@lru_cache(maxsize=16)
def _command(default_store: str):
    """The root command, built once per process (and per default store, which its help shows):
    a process that runs several commands, as the tests do, loads each subcommand once."""
    from typer.main import get_command

    return get_command(build_app())


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code (tests call this in-process)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:  # answered before importing anything heavy
        print(f"supervise {__version__}")
        return 0
    debug = "--debug" in args or os.environ.get("SUPERVISE_DEBUG") == "1"
    args = [a for a in args if a != "--debug"]
    os.umask(0o077)
    from typer import Abort, Exit, TyperException

    from supervise.cli.context import default_store_path

    try:
        result = _command(str(default_store_path())).main(
            args=args, prog_name="supervise", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except Exit as done:
        code = done.exit_code
    except SuperviseError as error:
        _error_line(rendered(error))
        return error.exit_code
    except TyperException as error:  # click's usage errors: bad option, missing argument
        code = getattr(error, "exit_code", 2)
        context = getattr(error, "ctx", None)
        where = context.command_path if context else "supervise"
        _error_line(f"{error.format_message()} (see `{where} --help`)")
        return code
    except (KeyboardInterrupt, Abort):
        _error_line("Interrupted.")
        return EXIT_INTERRUPTED
    except Exception as error:  # noqa: BLE001 - the one place that catches everything
        if not debug and _disk_full(error, args):  # no room to write: named so, not "damage"
            full = DiskFullError()
            _error_line(rendered(full))
            return full.exit_code
        if debug:
            raise
        _error_line(f"Unexpected {type(error).__name__}. Run again with --debug to see details, "
                    "and report it.")
        return 1
    if code == EXIT_INTERRUPTED:  # typer turns Ctrl-C into a silent Exit(130)
        _error_line("Interrupted.")
    return code


def _disk_full(error: BaseException, args: list[str]) -> bool:
    """Whether an error no layer named was the disk being full (of the store's disk, for an
    I/O error: --store wherever it is given, else SUPERVISE_STORE, else the default)."""
    if disk_full(error):
        return True
    from supervise.app.disk import full_disk_behind
    from supervise.cli.context import default_store_path

    given = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--store"]
    given += [a.split("=", 1)[1] for a in args if a.startswith("--store=")]
    store = given[-1] if given else os.environ.get("SUPERVISE_STORE") or default_store_path()
    return full_disk_behind(error, Path(store).expanduser())


def _error_line(message: str) -> None:
    sys.stderr.write(f"Error: {' '.join(message.split())}\n")
    sys.stderr.flush()


def run() -> None:
    sys.exit(main())
