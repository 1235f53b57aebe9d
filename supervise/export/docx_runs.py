"""Text added to a paragraph as runs a word processor draws right: right-to-left text (Urdu,
Arabic, Hebrew) in runs marked w:rtl, so Word shapes it with the complex-script font and orders
it right to left; emoji in runs of an emoji font; a paragraph that starts right to left marked
w:bidi. The text is split, never changed: the runs join to exactly what was given."""

import unicodedata

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from supervise.export.docx_styles import EMOJI_FONT

_RTL = ("R", "AL")
_LTR = ("L",)
PLAIN, RIGHT, EMOJI = "plain", "rtl", "emoji"
# Inside an emoji sequence: zero width joiner, variation selector 16, skin tone modifiers.
_EMOJI_GLUE = {"\u200d", "\ufe0f"}


def _is_emoji(ch: str) -> bool:
    code = ord(ch)
    return (0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or 0x2B00 <= code <= 0x2BFF
            or 0xE0020 <= code <= 0xE007F)


def _kinds(text: str) -> list[str]:
    """Each character's run: right to left, emoji or plain. Neutral characters (spaces,
    punctuation, digits) between two right-to-left characters stay in their run."""
    kinds: list[str | None] = []
    for ch in text:
        if _is_emoji(ch):
            kinds.append(EMOJI)
        elif ch in _EMOJI_GLUE and kinds and kinds[-1] == EMOJI:
            kinds.append(EMOJI)
        elif unicodedata.bidirectional(ch) in _RTL:
            kinds.append(RIGHT)
        elif unicodedata.bidirectional(ch) in _LTR:
            kinds.append(PLAIN)
        else:
            kinds.append(None)
    # the strong kind nearest on each side of every character, found in one pass each way
    before: list[str | None] = []
    last: str | None = None
    for kind in kinds:
        before.append(last)
        if kind not in (None, EMOJI):
            last = kind
    resolved: list[str] = [PLAIN] * len(kinds)
    last = None
    for i in range(len(kinds) - 1, -1, -1):
        kind = kinds[i]
        if kind is None:
            resolved[i] = RIGHT if before[i] == last == RIGHT else PLAIN
        else:
            resolved[i] = kind
            if kind != EMOJI:
                last = kind
    return resolved


def pieces(text: str) -> list[tuple[str, str]]:
    """(kind, text) in order; the texts join to `text`."""
    if text.isascii():  # no right-to-left letter, no emoji: one plain piece
        return [(PLAIN, text)] if text else []
    out: list[tuple[str, str]] = []
    start = 0
    kinds = _kinds(text)
    for i in range(1, len(text) + 1):
        if i == len(text) or kinds[i] != kinds[start]:
            out.append((kinds[start], text[start:i]))
            start = i
    return out


def starts_right_to_left(text: str) -> bool:
    """The paragraph direction by the first strong character (the Unicode bidi algorithm's)."""
    for ch in text:
        direction = unicodedata.bidirectional(ch)
        if direction in _RTL:
            return True
        if direction in _LTR:
            return False
    return False


def add_text(paragraph, text: str, bold: bool = False, italic: bool = False, colour=None):
    """Append `text` to a python-docx paragraph; returns its runs."""
    runs = []
    if not text:
        runs.append(paragraph.add_run())
    for kind, part in pieces(text):
        run = paragraph.add_run(part)
        if kind == RIGHT:
            run.font.rtl = True
            run.font.cs_bold = bold or None
            run.font.cs_italic = italic or None
        elif kind == EMOJI:
            _emoji_font(run)
        runs.append(run)
    for run in runs:
        run.bold = bold or None
        run.italic = italic or None
        if colour is not None:
            run.font.color.rgb = colour
    if starts_right_to_left(text):
        right_to_left(paragraph)
    return runs


def right_to_left(paragraph) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    if p_pr.find(qn("w:bidi")) is None:
        p_pr.insert_element_before(OxmlElement("w:bidi"), *_AFTER_BIDI)


# What follows w:bidi in a w:pPr (the schema's order).
_AFTER_BIDI = ("w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
               "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
               "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
               "w:rPr", "w:sectPr", "w:pPrChange")


def _emoji_font(run) -> None:
    fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{slot}"), EMOJI_FONT)
