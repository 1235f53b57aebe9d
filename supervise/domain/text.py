"""One line of text as users type it (names, roles, teams, the organisation): cleaned the same way
everywhere, refused with a message that says what to change."""

import re
import unicodedata

from supervise.errors import UsageError

MAX_LINE = 200
_INVISIBLE = ("Cc", "Cf", "Cs", "Co")  # control, format (zero-width), surrogate, private use
# Joiners are format characters that names need: ZWNJ in Urdu and Persian spellings, ZWJ inside
# emoji sequences.
_JOINERS = ("\u200c", "\u200d")


def clean_line(raw: str, what: str) -> str:
    """NFC, whitespace (tabs, pasted vertical tabs) collapsed to single spaces; no other control
    or invisible characters; at most MAX_LINE characters."""
    text = " ".join(unicodedata.normalize("NFC", raw).split())
    if not text:
        raise UsageError(f"The {what} is empty: write it out.")
    if len(text) > MAX_LINE:
        raise UsageError(f"The {what} is longer than {MAX_LINE} characters: shorten it.")
    if any(unicodedata.category(ch) in _INVISIBLE and ch not in _JOINERS for ch in text):
        raise UsageError(f"The {what} contains control characters: retype it.")
    return text


# C0 and C1 controls (not tab or newline), DEL, and the bidirectional overrides that can make
# text read differently from what is stored.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Text as it may be printed: each unsafe character shown as [U+000B], so stored evidence is
    never changed, yet nothing typed can move the cursor, clear the screen or hide text."""
    return _UNSAFE.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def json_safe(text: str) -> str:
    """JSON text with the same characters written as \\u escapes (the value is unchanged)."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def record_number(text: str | int, prefix: str) -> int | None:
    """A record's number as users write it: `7`, `C7` or `c 7` for contract 7. None if it is
    not one (or too long to be one)."""
    cleaned = str(text).strip().upper().removeprefix(prefix).strip()
    return int(cleaned) if cleaned.isdigit() and len(cleaned) < 10 else None


def counted(count: int, noun: str) -> str:
    """`1 problem`, `3 problems`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
