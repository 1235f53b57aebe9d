"""Extracts (SPEC §6, §7): a record with some parts left out, which still verifies.

An export about one child leaves out other children's discussions, and the personal-support
sections unless asked for. Each part left out travels as its digest with the reason, so anyone
can recompute the record's digest from what is included plus those digests, and check the
signatures against it. A part that names a child outside the export is left out too.
"""

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from supervise.domain.records.canonical import digest, part_digest
from supervise.domain.records.signing import Content

ANOTHER_CHILD = "it is about a child outside this export"
NAMES_ANOTHER_CHILD = "it names a child outside this export"
PERSONAL_SUPPORT = "personal support (included only with --full)"
CHILDREN_DETAILS = "it holds details of children (not the staff member's own data)"
NAMED_STAND_IN = "(left out: it names a child outside this export)"
ONLY_REVIEWS = "this session is in the export only for its review of an action about them"


def names_to_hide(children: Iterable[tuple[str, str | None]],
                  keep: Iterable[tuple[str, str | None]]) -> frozenset[str]:
    """What a part must not mention, for children outside an export: each full name, its first
    name and the family name, except where a child in the export shares them."""
    kept_words = {_folded(w) for name, family in keep for w in (*name.split(), family or "")}
    hidden = set()
    for name, family in children:
        hidden.add(name)
        for word in (name.split()[0] if name.split() else "", family or ""):
            if len(word) >= 3 and _folded(word) not in kept_words:
                hidden.add(word)
    return frozenset(hidden)


def _folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def mentioned(value: Any, names: Iterable[str]) -> list[str]:
    """Which of `names` appear in `value` (any text inside it), as whole words, ignoring case
    and spacing."""
    wanted = frozenset(names)
    if not wanted:
        return []
    found = _finder(wanted).findall(_folded(" ".join(_strings(value))))
    folded = {_folded(name): name for name in wanted}
    return sorted({folded[hit] for hit in found if hit in folded})


@lru_cache(maxsize=32)
def _finder(names: frozenset[str]) -> re.Pattern:
    """One pattern for every name (a register may hold thousands), longest first."""
    words = sorted({_folded(n) for n in names if _folded(n)}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(map(re.escape, words)) + r")(?!\w)")


def shown_unless_named(text: str, names: list[str]) -> str:
    """Text read beside the signed parts (a chronology line, an earlier action's wording), or a
    stand-in when it names a child outside the export."""
    return NAMED_STAND_IN if names and mentioned(text, names) else text


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def entry_parts(content: Content, omitted: dict[int, str],
                labels: list[str]) -> list[dict[str, Any]]:
    """Each part as the manifest lists it: its digest, and either its content or why it was
    left out."""
    parts = []
    for index, (part, label) in enumerate(zip(content.parts, labels, strict=True)):
        entry: dict[str, Any] = {"index": index, "part": label, "digest": part_digest(part)}
        if index in omitted:
            entry.update(included=False, reason=omitted[index])
        else:
            entry.update(included=True, content=part)
        parts.append(entry)
    return parts


def recompute(header: dict[str, Any], parts: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """A record's digest from its header, its included parts and the digests of the parts left
    out; and every included part whose content no longer matches its digest."""
    problems: list[str] = []
    digests: list[str | None] = []
    for entry in parts:
        given = entry.get("digest")
        if entry.get("included"):
            actual = digest(entry.get("content"))
            if actual != given:
                problems.append(f"part {entry.get('index')} ({entry.get('part')}) does not "
                                f"match its digest")
            digests.append(actual)
        else:
            digests.append(given)
    return digest({"header": header, "parts": digests}), problems
