"""Text as a DOCX part can hold it: shown exactly, except characters XML cannot carry, which are
shown visibly as [U+FFFE] (PITFALLS: evidence must not change silently)."""

import re

from supervise.domain.text import visible

# What XML 1.0 cannot carry, beyond the controls `visible` already marks: U+FFFE, U+FFFF and
# lone surrogates.
_NOT_XML = re.compile("[\ufffe\uffff\ud800-\udfff]")


def docx_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"[U+{ord(m.group()):04X}]", visible(text))
