"""Canonical JSON (RFC 8785 style) and SHA-256: the basis of record digests and the audit chain.

Sorted keys, no insignificant whitespace, UTF-8, no floats: the same value gives the same bytes in
every process, time zone and hash seed.
"""

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any


def _plain(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        raise TypeError("floats are not allowed in canonical JSON; use integers or strings")
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    raise TypeError(f"cannot put {type(value).__name__} in canonical JSON")


def plain(value: Any) -> Any:
    """A value as canonical JSON carries it (dates as ISO text, tuples as lists)."""
    return _plain(value)


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        _plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(value: Any) -> str:
    return sha256_hex(canonical_json(value))


def iso_utc(moment: datetime) -> str:
    """A moment as UTC ISO 8601 with microseconds, e.g. 2026-11-22T14:59:06.123456Z."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware one")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# Version 1: a part's digest is over the whole part. Version 2 (records made since migration 10):
# over the part with each text replaced by the digests of its sentences, so an extract can leave
# out one sentence (another child's name) and the record still verifies. Version 3 (since
# migration 13): each sentence's digest is salted, over ["sentence", salt, sentence], the salt
# keyed from the store's secret; an extract carries the salts of the sentences it shows, so a
# sentence left out cannot be confirmed by guessing it (a name, "Arun Patel is settled.").
CANONICAL_VERSION = 3
SENTENCES = "sentences"  # a text in a version 2 part, sealed: [SENTENCES, digest, ...]
_SENTENCE_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*\s+|\n+")


@dataclass(frozen=True)
class Omitted:
    """A part left out of an extract (another child's discussion): only its digest travels."""

    digest: str


class Shown(dict):
    """A part as an extract shows it (sentences left out, perhaps), with the digest of the part
    as it was signed."""

    def __init__(self, shown: dict[str, Any], digest: str) -> None:
        super().__init__(shown)
        self.digest = digest


def version_of(header: dict[str, Any]) -> int:
    return header.get("canonical", 1) if isinstance(header, dict) else 1


def sentences(text: str) -> list[str]:
    """A text cut after each sentence's end (with the spaces after it) and each line break:
    the pieces joined give the text back exactly."""
    pieces, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        pieces.append(text[start:end.end()])
        start = end.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def salt_of(key: bytes, sentence: str) -> str:
    """A version 3 sentence's salt: keyed by the store's secret, so only the store can make it;
    the same sentence always has the same salt (an extract need not store it)."""
    return hmac.new(key, sentence.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def salted_digest(sentence: str, salt: str) -> str:
    return digest(["sentence", salt, sentence])


PieceDigest = Callable[[str], str]


def piece_digester(version: int, key: bytes | None) -> PieceDigest:
    """How a sentence of a record of `version` is digested: salted from version 3 (which
    needs the store's secret)."""
    if version < 3:
        return digest
    if key is None:
        raise ValueError("a version 3 record's sentences need the store's secret to digest")
    return lambda piece: salted_digest(piece, salt_of(key, piece))


def sealed(value: Any, given: dict[tuple, list[str]] | None = None,
           path: tuple = (), piece: PieceDigest = digest) -> Any:
    """A version 2 or 3 part as its digest is taken: every text replaced by [SENTENCES,
    digest of each sentence, ...] (`piece` digests one). `given`: the sentence digests already
    known at some paths (an extract's texts, perhaps with sentences left out)."""
    if given and path in given:
        return [SENTENCES, *given[path]]
    if isinstance(value, str):
        return [SENTENCES, *(piece(p) for p in sentences(value))]
    if isinstance(value, dict):
        return {k: sealed(v, given, (*path, k), piece) for k, v in value.items()}
    if isinstance(value, list):
        return [sealed(v, given, (*path, i), piece) for i, v in enumerate(value)]
    return value


def part_digest(part: Any, version: int = 1, key: bytes | None = None) -> str:
    if isinstance(part, (Omitted, Shown)):
        return part.digest
    if version >= 2:
        return digest(sealed(_plain(part), piece=piece_digester(version, key)))
    return digest(part)


def record_digest(header: dict[str, Any], parts: list[Any], key: bytes | None = None) -> str:
    """SPEC §6: SHA-256 over the canonical JSON of a record's header and the digests of its
    parts, so an extract that leaves parts out (each an `Omitted`) still verifies against the
    signatures. The header says which version its parts' digests are (none: version 1);
    version 3 needs the store's secret `key` for its sentences' salts."""
    version = version_of(header)
    return digest({"header": header,
                   "parts": [part_digest(part, version, key) for part in parts]})
