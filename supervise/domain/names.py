"""People's names: how they are cleaned, compared and suggested.

Names are matched case-insensitively after collapsing whitespace, and only exactly: in a
safeguarding record a near miss must be refused with suggestions, never guessed.
"""

import difflib
import unicodedata

from supervise.domain.text import clean_line
from supervise.errors import Hint, NotFoundError


def clean_name(raw: str) -> str:
    return clean_line(raw, "name")


def name_key(name: str) -> str:
    """The form two names are compared in: NFC, whitespace collapsed, case-folded."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def closest(query: str, names: list[str], limit: int = 3) -> list[str]:
    by_key = {name_key(n): n for n in names}
    key = name_key(query)
    partial = [n for k, n in by_key.items() if key and key in k]
    fuzzy = [by_key[k] for k in difflib.get_close_matches(key, list(by_key), n=limit, cutoff=0.6)]
    seen: dict[str, None] = dict.fromkeys(partial + fuzzy)
    return list(seen)[:limit]


def unknown_name(query: str, names: list[str], kind: str = "person") -> NotFoundError:
    suggestions = closest(query, names)
    if suggestions:
        return NotFoundError(f"No {kind} named {query!r}. Did you mean: {', '.join(suggestions)}?")
    return NotFoundError(f"No {kind} named {query!r}.", Hint.of("see_list", kind=kind))
