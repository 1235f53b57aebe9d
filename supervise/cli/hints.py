"""The one catalogue of what to type next: each `Hint` key raised below the CLI, as the words,
flags and commands this CLI spells it with (errors.py). A test checks that every key raised
anywhere has its entry here and that no message below the CLI names a flag or a command."""

from supervise.errors import SuperviseError

HINTS: dict[str, str] = {
    # store/, domain/, export/, demo/ (the hints helper adds below this line)
    # app/: people, children, contracts, policy, templates, keys, store files, retention, audit
    # app/: sessions, signing, decisions, actions, exports, reports, overdue
}


def rendered(error: SuperviseError) -> str:
    """The error's message with its hint spelled out: the one line the user reads."""
    if error.hint is None:
        return error.message
    text = HINTS[error.hint.key].format(**error.hint.params)
    return f"{error.message} {text}" if error.message else text
