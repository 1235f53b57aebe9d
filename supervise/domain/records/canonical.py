"""Canonical JSON (RFC 8785 style) and SHA-256: the basis of record digests and the audit chain.

Sorted keys, no insignificant whitespace, UTF-8, no floats: the same value gives the same bytes in
every process, time zone and hash seed.
"""

import hashlib
import json
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


@dataclass(frozen=True)
class Omitted:
    """A part left out of an extract (another child's discussion): only its digest travels."""

    digest: str


def part_digest(part: Any) -> str:
    return part.digest if isinstance(part, Omitted) else digest(part)


def record_digest(header: dict[str, Any], parts: list[Any]) -> str:
    """SPEC §6: SHA-256 over the canonical JSON of a record's header and the digests of its
    parts, so an extract that leaves parts out (each an `Omitted`) still verifies against the
    signatures."""
    return digest({"header": header, "parts": [part_digest(part) for part in parts]})
