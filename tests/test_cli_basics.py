"""The command surface: help everywhere, version, one exit point, one-line errors."""

import pytest

from supervise import __version__
from supervise.cli.main import build_app


def all_command_paths():
    from typer.main import get_command

    def walk(command, path):
        yield path
        if hasattr(command, "list_commands"):
            for name in command.list_commands(None):
                yield from walk(command.get_command(None, name), [*path, name])

    return list(walk(get_command(build_app()), []))


COMMANDS = all_command_paths()


def test_the_command_surface_of_this_issue_exists():
    names = {" ".join(path) for path in COMMANDS}
    assert names >= {
        "init", "demo", "key passwd", "key add-user", "key remove-user", "key recover",
        "key rotate", "person add", "person list", "person show", "person edit", "person leave",
        "policy show", "policy set", "template list", "template show", "template validate",
        "template skeleton", "contract new", "contract list", "contract show",
        "contract review", "contract end", "contract export", "session export",
        "decision export", "export review", "export person", "verify", "overdue",
        "report compliance", "report balance", "report drift", "report children",
    }


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "root")
def test_every_command_has_help(cli, path):
    result = cli(*path, "--help")
    assert result.code == 0, result.err
    assert "Usage: supervise" in result.out
    summary = result.out.split("\n\n")[1].strip()
    assert len(summary) > 10, f"{' '.join(path)} has no description"


@pytest.mark.parametrize("path", [p for p in COMMANDS
                                  if len(p) == 2 or p in (["init"], ["overdue"])],
                         ids=" ".join)
def test_store_options_are_accepted_after_the_command(cli, path):
    result = cli(*path, "--help")
    assert result.code == 0, result.err
    if path[0] == "template":  # templates are files: no store, so no store options
        assert "--store" not in result.out and "--passphrase-file" not in result.out
    elif path == ["demo"]:  # builds a new store at --store; nobody unlocks it
        assert "--store" in result.out and "--user" not in result.out
    else:
        assert "--store" in result.out and "--user" in result.out
        assert "--passphrase-file" in result.out


def test_version(cli):
    for args in (["--version"], ["--version", "person"]):
        result = cli(*args)
        assert (result.code, result.out) == (0, f"supervise {__version__}\n")


def test_usage_errors_exit_2_with_one_line(cli, store):
    result = cli("person", "add", "No Role Given")
    assert result.code == 2
    assert result.err.startswith("Error: ") and result.err.count("\n") == 1
    assert "--role" in result.err and "supervise person add --help" in result.err
    assert cli("no-such-command").code == 2


def test_unexpected_errors_are_one_line_without_traceback_unless_debug(cli, store, monkeypatch):
    import supervise.app.staff as staff

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail from deep inside")

    monkeypatch.setattr(staff, "people_rows", broken)
    result = cli("person", "list")
    assert result.code == 1
    assert result.err == ("Error: Unexpected RuntimeError. Run again with --debug to see "
                          "details, and report it.\n")
    with pytest.raises(RuntimeError):
        cli("person", "list", "--debug")


def test_without_a_terminal_nothing_is_asked_and_the_hint_names_the_fix(cli, store):
    result = cli("person", "list", passphrase=None)
    assert result.code == 3
    assert "SUPERVISE_PASSPHRASE" in result.err and "--passphrase-file" in result.err
    init = cli("init", "--org", "Org", "--kdf", "owasp-minimum", store=store.parent / "n.db")
    assert init.code == 2 and "--user" in init.err


def test_store_flag_beats_the_environment_in_either_position(cli, store, tmp_path):
    elsewhere = tmp_path / "elsewhere.db"  # what SUPERVISE_STORE says; it does not exist
    assert cli("person", "list", store=elsewhere).code == 1
    assert cli("--store", str(store), "person", "list", store=elsewhere).code == 0
    assert cli("person", "list", "--store", str(store), store=elsewhere).code == 0
    after = cli("--store", str(elsewhere), "person", "list", "--store", str(store))
    assert after.code == 0  # the option nearest the command wins


def test_only_the_named_command_is_loaded_and_help_lists_all_in_their_own_words():
    import subprocess
    import sys

    from typer._click.utils import make_default_short_help
    from typer.main import get_command

    from supervise.cli.lazy import LAZY, load

    for name, (_, _, help_text) in LAZY.items():  # the root's words are the command's own
        command = load(name)
        assert command.get_short_help_str(1000) == make_default_short_help(help_text, 1000), name
    root = get_command(build_app())
    assert root.list_commands(None)[:3] == ["init", "demo", "verify"]
    probe = ("import sys; from supervise.cli.main import main; main({args}); "
             "print(sorted(m for m in sys.modules if m.startswith('supervise.cli.')))")
    loaded = {}
    for args in (["--help"], ["person", "--help"], ["overdue", "--help"]):
        done = subprocess.run([sys.executable, "-c", probe.format(args=args)],
                              capture_output=True, text=True, check=True)
        loaded[args[0]] = done.stdout.strip().splitlines()[-1]
    modules = {name: module for name, (module, _, _) in LAZY.items()}
    assert not any(f"'{m}'" in loaded["--help"] for m in modules.values())  # help loads none
    assert f"'{modules['person']}'" in loaded["person"]
    assert f"'{modules['child']}'" not in loaded["person"]
    assert f"'{modules['overdue']}'" in loaded["overdue"]
    assert f"'{modules['person']}'" not in loaded["overdue"]
