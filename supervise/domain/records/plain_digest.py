"""canonical.py's digests for values that are plain JSON already (dicts with text keys, lists,
text, whole numbers, true, false, null: no dates, tuples or floats), as the checks that digest
a whole store read them: the same bytes hashed, with one encoder made once and without
canonical.py's walk that copies a value into plain form. A value that is not plain (a float in
an integer column, a date) goes to canonical.py, which refuses or converts it as it always has."""

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from json.encoder import encode_basestring  # what json.dumps writes a text as (ensure_ascii off)
from typing import Any

from supervise.domain.records.canonical import (
    _SENTENCE_END,  # canonical.sentences' rule, applied here by one split
    SENTENCES,
    canonical_json,
    sha256_hex,
    version_of,
)

_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_SCALARS = (str, int, bool, type(None))


def is_plain(value: Any) -> bool:
    kind = type(value)
    if kind in _SCALARS:
        return True
    if kind is dict:
        return all(type(k) is str and is_plain(v) for k, v in value.items())
    if kind is list:
        return all(is_plain(v) for v in value)
    return False


def is_flat(values: Any) -> bool:
    """Whether each of `values` is a scalar canonical JSON takes as it is."""
    return all(type(value) in _FLAT for value in values)


def flat_digest(fields: dict[str, Any]) -> str:
    """digest(fields) for a dict of scalars (an audit event's), checked at one level only."""
    if is_flat(fields.values()):
        return _hashed(fields)
    return sha256_hex(canonical_json(fields))


_FLAT = frozenset(_SCALARS)


def plain_json(value: Any, plain: bool | None = None) -> bytes:
    """canonical_json(value), with canonical.py's walk skipped when `value` is plain (`plain`:
    whether it is, when the caller knows)."""
    if is_plain(value) if plain is None else plain:
        return _encode(value).encode("utf-8")
    return canonical_json(value)


def _hashed(value: Any) -> str:
    return hashlib.sha256(_encode(value).encode("utf-8")).hexdigest()


def _text(sentence: str) -> str:
    return hashlib.sha256(encode_basestring(sentence).encode("utf-8")).hexdigest()


def _piece(version: int, key: bytes | None) -> Callable[[str], str]:
    """canonical.piece_digester's rule: a sentence's digest (of its canonical JSON, written
    here without the encoder's machinery), salted from version 3."""
    if version < 3:
        return _text
    if key is None:
        raise ValueError("a version 3 record's sentences need the store's secret to digest")

    def salted(sentence: str) -> str:
        salt = hmac.digest(key, sentence.encode("utf-8"), "sha256").hex()[:32]
        return hashlib.sha256(f'["sentence","{salt}",{encode_basestring(sentence)}]'
                              .encode()).hexdigest()
    return salted


_split = re.compile(f"({_SENTENCE_END.pattern})").split


def sentences(text: str) -> list[str]:
    """canonical.sentences(text): each sentence with the end that follows it (the split keeps
    the ends, between the texts they end)."""
    cut = _split(text)
    pieces = [body + end for body, end in zip(cut[0::2], cut[1::2], strict=False)]
    if cut[-1]:
        pieces.append(cut[-1])
    return pieces


def _sealed(value: Any, piece: Callable[[str], str]) -> Any:
    kind = type(value)
    if kind is str:
        return [SENTENCES, *map(piece, sentences(value))]
    if kind is dict:
        return {k: _sealed(v, piece) for k, v in value.items()}
    if kind is list:
        return [_sealed(v, piece) for v in value]
    return value


def plain_record_digest(header: dict[str, Any], parts: list[Any],
                        key: bytes | None = None) -> str:
    """canonical.record_digest(header, parts, key). Each part must be plain (is_plain): the
    caller built them so, and this does not look again."""
    version = version_of(header)
    if version >= 2:
        piece = _piece(version, key)
        digests = [_hashed(_sealed(part, piece)) for part in parts]
    else:
        digests = [_hashed(part) for part in parts]
    whole = {"header": header, "parts": digests}
    return _hashed(whole) if is_plain(header) else sha256_hex(canonical_json(whole))
