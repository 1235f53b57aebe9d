"""The recovery key's written form: the database key as 64 hex digits, eight groups of eight."""

import re

from supervise.errors import Hint, UsageError

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def format_recovery_key(key: bytes) -> str:
    text = key.hex()
    return "-".join(text[i : i + 8] for i in range(0, 64, 8))


def parse_recovery_key(text: str) -> bytes:
    compact = re.sub(r"[\s\-]", "", text).lower()
    if not _HEX64.match(compact):
        raise UsageError(
            "That is not a recovery key: it is 64 hexadecimal digits (0-9, a-f) in eight groups "
            "of eight joined by '-',", Hint.of("recovery_key_as_printed")
        )
    return bytes.fromhex(compact)
