"""One line of text as users type it (names, roles, teams, the organisation): cleaned the same way
everywhere, refused with a message that says what to change."""

import unicodedata

from supervise.errors import UsageError

MAX_LINE = 200
_INVISIBLE = ("Cc", "Cf", "Cs", "Co")  # control, format (zero-width), surrogate, private use


def clean_line(raw: str, what: str) -> str:
    """NFC, whitespace (tabs, pasted vertical tabs) collapsed to single spaces; no other control
    or invisible characters; at most MAX_LINE characters."""
    text = " ".join(unicodedata.normalize("NFC", raw).split())
    if not text:
        raise UsageError(f"The {what} is empty: write it out.")
    if len(text) > MAX_LINE:
        raise UsageError(f"The {what} is longer than {MAX_LINE} characters: shorten it.")
    if any(unicodedata.category(ch) in _INVISIBLE for ch in text):
        raise UsageError(f"The {what} contains control characters: retype it.")
    return text
