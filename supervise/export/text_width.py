"""How wide text prints in the documents' typeface, near enough to size a table column so that
no word is broken inside it ("supervise/e", "Outco/me").

Widths are Arial Bold's advances (the metrics Helvetica, Arial and Liberation Sans share), in
thousandths of an em: bold is the wider weight, so a column sized by it holds either."""

import math
import unicodedata
from functools import lru_cache

# U+0020 to U+007E.
_ASCII = (
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556,
    333, 333, 584, 584, 584, 611, 975,
    722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722,
    667, 611, 722, 667, 944, 667, 667, 611,
    333, 278, 333, 584, 556, 333,
    556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389,
    556, 333, 611, 556, 778, 556, 556, 500,
    389, 280, 389, 584,
)
_OTHER = 667  # a letter outside ASCII: as wide as a capital, more than most accented letters
_WIDE = 1000  # CJK, emoji


def _char(ch: str) -> int:
    code = ord(ch)
    if 0x20 <= code <= 0x7E:
        return _ASCII[code - 0x20]
    if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    if code >= 0x1F000 or unicodedata.east_asian_width(ch) in ("W", "F"):
        return _WIDE
    return _OTHER


_ASCII_WIDTHS = {chr(code): _char(chr(code)) for code in range(128)}


def em_width(text: str) -> int:
    """Thousandths of an em."""
    if text.isascii():  # most text: looked up without a call per character
        return sum(map(_ASCII_WIDTHS.__getitem__, text))
    return sum(_char(ch) for ch in text)


def words(text: str) -> list[str]:
    """The pieces a line may not be broken inside: split at spaces, and after a hyphen that a
    letter follows ("child-/protection"; dates such as 2025-12-17 stay whole)."""
    pieces: list[str] = []
    for word in text.split():
        start = 0
        for i, ch in enumerate(word[:-1]):
            if ch == "-" and word[i + 1].isalpha() and i + 1 > start + 1:
                pieces.append(word[start:i + 1])
                start = i + 1
        pieces.append(word[start:])
    return pieces


def twips(thousandths: int, size_pt: float) -> int:
    """A width in thousandths of an em, at `size_pt`, in twips (1/20 pt)."""
    return math.ceil(thousandths * size_pt * 20 / 1000)


# A bundle measures the same labels, names and dates in table after table: each once.
@lru_cache(maxsize=16384)
def longest_word(text: str, size_pt: float) -> int:
    """Twips."""
    return max((twips(em_width(w), size_pt) for w in words(text)), default=0)


@lru_cache(maxsize=16384)
def longest_line(text: str, size_pt: float) -> int:
    """Twips: the widest line of `text` unbroken."""
    return max((twips(em_width(line), size_pt) for line in text.splitlines()), default=0)


@lru_cache(maxsize=16384)
def lines(text: str, width: int, size_pt: float) -> int:
    """About how many lines `text` takes in `width` twips (a little over: wrapping wastes the
    end of each line)."""
    if width <= 0:
        return len(text.splitlines()) or 1
    total = 0
    for line in text.splitlines() or [""]:
        total += max(1, math.ceil(twips(em_width(line), size_pt) * 1.1 / width))
    return total
