"""People's names: how they are cleaned, compared and suggested.

Names are matched case-insensitively after collapsing whitespace, and only exactly: in a
safeguarding record a near miss must be refused with suggestions, never guessed.
"""

import difflib
import unicodedata
from dataclasses import dataclass
from datetime import date

from supervise.domain.text import clean_line
from supervise.errors import Hint, NotFoundError, UsageError

# What str.splitlines() breaks a line at (newline, carriage return, form feed, the file, group
# and record separators, NEL, the Unicode line and paragraph separators), but the vertical tab:
# Word puts one in text it copies, and there it collapses to a space with tabs (clean_line).
LINE_BREAKS = frozenset("\n\r\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def one_line(raw: str, what: str) -> str:
    """`clean_line` for a name or a job title, which must have been typed on one line: a line
    break inside it (a paste of two lines, a name and an address) is refused rather than
    silently joined, since the record would then read differently from what was meant."""
    if any(ch in LINE_BREAKS for ch in raw.strip()):
        raise UsageError(f"The {what} runs over more than one line: write it on one line.")
    return clean_line(raw, what)


def clean_name(raw: str) -> str:
    return one_line(raw, "name")


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


def edit_distance(a: str, b: str, *, limit: int = 3) -> int:
    """Levenshtein distance between two strings (insertions, deletions, substitutions), or
    `limit` + 1 once it is known to be larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def near_edits(key: str) -> int:
    """How many edits still make a full name "the same child, misspelt": one, and one more
    for every six letters past the first six (so "Amy Smith" and "Ava Smith", siblings, are
    two names; "Zofia Nowak-Kowalska" and "Zofia Nowak Kowalsky" are one)."""
    return max(1, len(key) // 6)


def similar_names(a: str, b: str) -> bool:
    """Two names that may be one child's, one misspelt (case-insensitive): within near_edits
    of each other, or the same surname with a first name one edit away or a shortening of the
    other ("Lily" / "Lilly", "Sam" / "Samuel")."""
    ka, kb = name_key(a), name_key(b)
    limit = near_edits(min(ka, kb, key=len))
    if ka == kb or edit_distance(ka, kb, limit=limit) <= limit:
        return True
    pa, pb = ka.split(), kb.split()
    if len(pa) < 2 or len(pb) < 2 or pa[-1] != pb[-1]:
        return False
    fa, fb = pa[0], pb[0]
    return edit_distance(fa, fb, limit=1) <= 1 or (
        min(len(fa), len(fb)) >= 3 and (fa.startswith(fb) or fb.startswith(fa)))


@dataclass(frozen=True)
class Known:
    """A child on the register as a near-duplicate check sees them."""

    name: str
    dob: date | None
    family: str | None


def near_matches(name: str, dob: date | None, family: str | None,
                 register: list[Known]) -> list[Known]:
    """The register's children a newly named child may really be ("did you mean"): the same
    date of birth or the same family, and a similar name (similar_names); never an exact
    match of name and date of birth (that one is the child). Closest name first."""
    key = name_key(name)
    family_key = name_key(family) if family else None
    found = []
    for known in register:
        if name_key(known.name) == key and known.dob == dob:
            continue
        same_dob = dob is not None and known.dob == dob
        same_family = family_key is not None and known.family is not None and \
            name_key(known.family) == family_key
        if (same_dob or same_family) and similar_names(name, known.name):
            found.append(known)
    return sorted(found, key=lambda k: (edit_distance(name_key(k.name), key), name_key(k.name)))


def unknown_name(query: str, names: list[str], kind: str = "person") -> NotFoundError:
    suggestions = closest(query, names)
    if suggestions:
        return NotFoundError(f"No {kind} named {query!r}. Did you mean: {', '.join(suggestions)}?")
    return NotFoundError(f"No {kind} named {query!r}.", Hint.of("see_list", kind=kind))
