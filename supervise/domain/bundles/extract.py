"""Extracts (SPEC §6, §7): a record with some parts left out, which still verifies.

An export about one child leaves out other children's discussions, and the personal-support
sections unless asked for. Each part left out travels as its digest with the reason, so anyone
can recompute the record's digest from what is included plus those digests, and check the
signatures against it. A part that names a child outside the export is left out too.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from supervise.domain.records.canonical import (
    PieceDigest,
    Shown,
    digest,
    part_digest,
    plain,
    salt_of,
    salted_digest,
    sealed,
    sentences,
    version_of,
)
from supervise.domain.records.signing import Content

ANOTHER_CHILD = "it is about a child outside this export"
NAMES_ANOTHER_CHILD = "it names a child outside this export"
PERSONAL_SUPPORT = "personal support (included only with --full)"
CHILDREN_DETAILS = "it holds details of children (not the staff member's own data)"
NAMED_STAND_IN = "(left out: it names a child outside this export)"
LEFT_OUT_SENTENCE = "[a sentence left out: it names a child outside this export]"
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


@dataclass(frozen=True)
class Trim:
    """A part kept with the sentences that name a child outside the export left out: as the
    manifest carries it (`carried`: at each of `paths`, the text as its sentences, each kept or
    `{"digest": ...}`), and as a printout shows it (a stand-in for each sentence left out)."""

    carried: Any
    shown: Any
    paths: tuple[tuple, ...]
    left_out: int


def trimmed(part: Any, names: list[str], piece: PieceDigest = digest) -> Trim | None:
    """The part with each sentence naming one of `names` left out (as its digest, made by
    `piece`); None when that does not take every name out (a name across two sentences)."""
    paths: list[tuple] = []
    left = 0

    def walk(value: Any, path: tuple) -> tuple[Any, Any]:
        nonlocal left
        if isinstance(value, str):
            if not mentioned(value, names):
                return value, value
            pieces = sentences(value)
            carried = [{"digest": piece(p)} if mentioned(p, names) else p for p in pieces]
            left += sum(1 for p in carried if isinstance(p, dict))
            paths.append(path)
            return carried, "".join(
                p if isinstance(p, str) else LEFT_OUT_SENTENCE + piece[len(piece.rstrip()):]
                for p, piece in zip(carried, pieces, strict=True))
        if isinstance(value, dict):
            walked = {k: walk(v, (*path, k)) for k, v in value.items()}
            return {k: w[0] for k, w in walked.items()}, {k: w[1] for k, w in walked.items()}
        if isinstance(value, (list, tuple)):
            items = [walk(v, (*path, i)) for i, v in enumerate(value)]
            return [w[0] for w in items], [w[1] for w in items]
        return value, value

    carried, shown = walk(part, ())
    if not paths or mentioned(shown, names):
        return None
    return Trim(plain(carried), shown, tuple(paths), left)


def shown_content(content: Content, trims: dict[int, Trim]) -> Content:
    """A record as its printout shows it: in a version 2 record each part carries the digest
    it was signed with, so a part shown with sentences left out still gives the record's."""
    version = version_of(content.header)
    if version < 2:
        return content
    return Content(content.header, [
        Shown(trims[i].shown if i in trims else part,
              part_digest(part, version, content.salt_key))
        for i, part in enumerate(content.parts)])


def entry_parts(content: Content, omitted: dict[int, str], labels: list[str],
                trims: dict[int, Trim] | None = None,
                digests: list[str] | None = None) -> list[dict[str, Any]]:
    """Each part as the manifest lists it: its digest (`digests`, when the caller has them
    already), and either its content (with any sentences left out, and why) or why it was
    left out."""
    version, key = version_of(content.header), content.salt_key
    if digests is None:
        digests = [part_digest(part, version, key) for part in content.parts]
    parts = []
    for index, (part, label, made) in enumerate(zip(content.parts, labels, digests,
                                                     strict=True)):
        entry: dict[str, Any] = {"index": index, "part": label, "digest": made}
        trim = (trims or {}).get(index)
        if index in omitted:
            entry.update(included=False, reason=omitted[index])
        elif trim is not None:
            entry.update(included=True, content=trim.carried,
                         trimmed=[list(path) for path in trim.paths],
                         sentences_left_out=trim.left_out, reason=NAMES_ANOTHER_CHILD)
        else:
            entry.update(included=True, content=part)
        if entry["included"] and version >= 3 and key is not None:
            entry["salts"] = _salts(plain(entry["content"]), key,
                                    set(trim.paths) if trim is not None else set())
        parts.append(entry)
    return parts


def _salts(content: Any, key: bytes, trimmed: set[tuple],
           path: tuple = ()) -> list[list[Any]]:
    """[path, [salt of each sentence shown there, or None for one left out]] for every text
    of a version 3 part (`trimmed`: the paths of texts carried as their sentences): what a
    reader needs to digest the sentences they are shown, and nothing about the others."""
    if path in trimmed:
        return [[list(path), [salt_of(key, p) if isinstance(p, str) else None
                              for p in content]]]
    if isinstance(content, str):
        return [[list(path), [salt_of(key, p) for p in sentences(content)]]]
    if isinstance(content, dict):
        return [s for k, v in content.items() for s in _salts(v, key, trimmed, (*path, k))]
    if isinstance(content, list):
        return [s for i, v in enumerate(content) for s in _salts(v, key, trimmed, (*path, i))]
    return []


def _at(value: Any, path: list) -> Any:
    for step in path:
        value = value[step]
    return value


def _included_digest(entry: dict[str, Any], version: int) -> str:
    content = entry.get("content")
    if version < 2:
        return digest(content)
    if version >= 3:  # every text's sentences digested with the salts the entry carries
        known = {}
        for path, salts in entry.get("salts") or []:
            value = _at(content, path)
            pieces = sentences(value) if isinstance(value, str) else value
            known[tuple(path)] = [salted_digest(p, str(s)) if isinstance(p, str)
                                  else str(p["digest"])
                                  for p, s in zip(pieces, salts, strict=True)]
        return digest(sealed(content, known, piece=lambda _: "no salt given"))
    known = {tuple(path): [digest(piece) if isinstance(piece, str) else str(piece["digest"])
                           for piece in _at(content, path)]
             for path in entry.get("trimmed") or []}
    return digest(sealed(content, known))


def recompute(header: dict[str, Any], parts: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """A record's digest from its header, its included parts (a version 2 part perhaps with
    sentences left out, as their digests) and the digests of the parts left out; and every
    included part whose content no longer matches its digest."""
    version = version_of(header)
    problems: list[str] = []
    digests: list[str | None] = []
    for entry in parts:
        given = entry.get("digest")
        if entry.get("included"):
            actual = _included_digest(entry, version)
            if actual != given:
                problems.append(f"part {entry.get('index')} ({entry.get('part')}) does not "
                                f"match its digest")
            digests.append(actual)
        else:
            digests.append(given)
    return digest({"header": header, "parts": digests}), problems
