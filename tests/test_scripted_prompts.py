"""Interactive flows driven through the prompt seam with a scripted prompter."""

import pytest

from supervise.cli import prompts
from supervise.store.db.opening import StorePaths
from tests.conftest import RECOVERY_KEY
from tests.helpers import PASSPHRASE, USER, ScriptedPrompter, UnexpectedPrompt


def test_init_asks_only_for_what_was_not_given(cli, tmp_path):
    script = ScriptedPrompter(
        ("Organisation name", "Hillside Academy"),
        ("Your full name", "Robin Asked"),
        ("New passphrase for Robin Asked", PASSPHRASE),
        ("Type it again", PASSPHRASE),
    )
    target = tmp_path / "asked" / "store.db"
    with prompts.use(script):
        result = cli("init", "--kdf", "owasp-minimum", store=target, passphrase=None)
    assert result.code == 0, result.err
    assert script.finished()
    assert RECOVERY_KEY.fullmatch(result.out.strip())
    assert "Hillside Academy" in result.err


def test_a_mismatched_or_short_passphrase_is_asked_again(cli, tmp_path):
    script = ScriptedPrompter(("New passphrase", PASSPHRASE), ("again", PASSPHRASE + "x"),
                              ("New passphrase", "short"),
                              ("New passphrase", PASSPHRASE), ("again", KeyboardInterrupt()))
    target = tmp_path / "mismatch" / "store.db"
    with prompts.use(script):
        result = cli("init", "--org", "O", "--user", USER, "--kdf", "owasp-minimum",
                     store=target, passphrase=None)
    assert result.code == 130
    assert "differ. Try again" in result.err and "at least 8 characters" in result.err
    assert not target.exists() and not StorePaths(target).keys.exists()
    again = ScriptedPrompter(("New passphrase", "short"), ("New passphrase", PASSPHRASE),
                             ("again", PASSPHRASE))
    with prompts.use(again):
        made = cli("init", "--org", "O", "--user", USER, "--kdf", "owasp-minimum",
                   store=target, passphrase=None)
    assert made.code == 0, made.err
    assert target.exists()


def test_the_store_passphrase_is_asked_only_after_the_files_are_checked(cli, tmp_path):
    with prompts.use(ScriptedPrompter()):  # any prompt at all fails the test
        result = cli("person", "list", store=tmp_path / "missing.db", passphrase=None)
    assert result.code == 1 and "No store" in result.err


def test_the_recovery_key_is_asked_only_after_the_file_is_checked(cli, tmp_path):
    with prompts.use(ScriptedPrompter()):  # any prompt at all fails the test
        result = cli("key", "recover", store=tmp_path / "missing.db", passphrase=None)
    assert result.code == 1 and "No store" in result.err


def test_asked_passphrase_unlocks(cli, store):
    script = ScriptedPrompter(("Store passphrase", PASSPHRASE))
    with prompts.use(script):
        result = cli("person", "list", passphrase=None)
    assert result.code == 0 and USER in result.out and script.finished()


def test_declining_confirmation_aborts_and_keeps_the_key(cli, store):
    cli("person", "add", "Second Holder", "--role", "Deputy DSL")
    cli("key", "add-user", "Second Holder", env={"SUPERVISE_NEW_PASSPHRASE": "second-pass"})
    with prompts.use(ScriptedPrompter(("Remove Second Holder", False))):
        result = cli("key", "remove-user", "Second Holder", "--user", USER)
    assert (result.code, result.err) == (1, "Error: Cancelled; nothing was changed.\n")
    assert cli("person", "list", "--user", "Second Holder", passphrase="second-pass").code == 0


def test_ctrl_c_at_a_prompt_exits_130_with_one_line(cli, store):
    with prompts.use(ScriptedPrompter(("Store passphrase", KeyboardInterrupt()))):
        result = cli("person", "list", passphrase=None)
    assert (result.code, result.err) == (130, "Error: Interrupted.\n")


def test_the_fake_fails_on_an_unexpected_prompt():
    fake = ScriptedPrompter(("Organisation", "x"))
    with pytest.raises(UnexpectedPrompt):
        fake.secret("Store passphrase:")
    with pytest.raises(UnexpectedPrompt):
        ScriptedPrompter().text("anything")
