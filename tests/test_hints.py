"""A hint raised below the CLI reaches the user's one line even through a list of problems or a
doctor's finding: the CLI's catalogue words it there, and the text is what it always was."""

from supervise.cli.hints import rendered, spelled
from supervise.domain.answers import AnswersError, Problems
from supervise.domain.names import unknown_name
from supervise.errors import Hint, StoreFileError, UsageError
from supervise.store.integrity.doctor import ChecksFailed, Checkup


def test_a_problem_list_words_each_problems_hint_and_its_message_names_no_command():
    problems = Problems()
    problems.add("supervisor", unknown_name("Zed", []))
    problems.add("duration", "must be the expected length in minutes, e.g. 60")
    problems.add("action_review[1].action", "must be an action's number",
                 Hint.of("see_action_list_bare"))
    problems.add("by", UsageError("", Hint.of("give_by_party", by="me")))
    try:
        problems.raise_if_any("answers.toml")
    except AnswersError as error:
        assert rendered(error) == (
            "answers.toml has 4 problems, nothing was stored: supervisor: No person named 'Zed'. "
            "See `supervise person list`.; duration: must be the expected length in minutes, "
            "e.g. 60; action_review[1].action: must be an action's number (see `action list`); "
            "by: --by must be supervisor or supervisee, not 'me'.")
        assert "supervise" not in error.message and "--" not in error.message
    else:
        raise AssertionError("no AnswersError")
    assert AnswersError("x", ["a: b"]).hints == [None]


def test_a_doctors_finding_words_its_detail_and_advice_and_a_failed_check_says_both():
    checkup = Checkup([])
    checkup.add("store file", False, StoreFileError("/s.db is empty, not a supervise store:",
                                                    Hint.of("check_store_or_restore")),
                Hint.of("restore_newest_backup"))
    checkup.add("backups", True, "no backup recorded")
    first, second = (finding.row(spelled) for finding in checkup.findings)
    assert first == {"check": "store file", "ok": False,
                     "detail": "/s.db is empty, not a supervise store: check --store, or "
                               "restore your store from a backup.",
                     "advice": "Restore the newest good backup with `supervise restore FILE` "
                               "(it keeps this store aside); keep this file as it is until then."}
    assert second["advice"] == ""
    failed = ChecksFailed("Nothing was replaced", checkup.findings[:1],
                          Hint.of("another_or_newer_backup"))
    assert rendered(failed) == ("Nothing was replaced (store file: /s.db is empty, not a "
                                "supervise store: check --store, or restore your store from a "
                                "backup.): use another backup, or upgrade supervise if it says "
                                "newer.")
