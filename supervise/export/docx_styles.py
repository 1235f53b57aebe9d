"""The blank document every export starts from: python-docx's template made British and A4, with
one typeface family in every style (its Calibri and Cambria theme fonts, Courier and the table
styles included) and fallbacks for other scripts, and no claim to be Microsoft Word.

Made once per process, then each export loads a copy (python-docx loads its own template the
same way)."""

import io
from functools import lru_cache

from docx import Document as new_docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, Twips

from supervise import __version__

FONT = "Arial"  # Word ships it; LibreOffice draws it with the metric-compatible Liberation Sans
# Arabic script, Urdu's letters included: LibreOffice on Debian brings it (fonts-noto-core);
# Word, without it, is pointed at Arial (which has Arabic on Windows) by the font table.
COMPLEX_FONT = "Noto Sans Arabic"
# Emoji: a monochrome font, which LibreOffice can put in a PDF (it leaves a colour one's out);
# Debian's fonts-symbola. Word, without it, is pointed at Windows' own by the font table.
EMOJI_FONT = "Symbola"
LANGUAGE = "en-GB"
# Text in a right-to-left run is proofed as this language: Word's own default for it.
BIDI_LANGUAGE = "ar-SA"
BODY_SIZE = Pt(10.5)
A4 = (Twips(11906), Twips(16838))  # 210 x 297 mm, as Word writes it
MARGIN = Twips(1134)  # 2 cm
TEXT_WIDTH = 11906 - 2 * 1134  # twips
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
_HEADINGS = ("Title", "Subtitle", *(f"Heading {n}" for n in range(1, 10)))
_APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"><Application>supervise {version}</Application>'
    "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
    "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
)
_FONT_ENTRIES = (  # name, the font to use without it, charset (B2: Arabic), family
    (COMPLEX_FONT, FONT, "B2", "swiss"),
    (EMOJI_FONT, "Segoe UI Emoji", "00", "auto"),
)


def blank():
    """A new python-docx Document, typeset."""
    return new_docx(io.BytesIO(_template()))


def a4(section) -> None:
    section.page_width, section.page_height = A4
    section.left_margin = section.right_margin = MARGIN
    section.top_margin = section.bottom_margin = MARGIN


@lru_cache(maxsize=1)
def _template() -> bytes:
    word = new_docx()
    package = word.part.package
    _styles(word.styles.element)
    for rel in list(word.part.rels.values()):
        if rel.reltype == RT.THEME:
            _theme(rel.target_part)
        elif rel.reltype == _STYLES_WITH_EFFECTS:
            word.part.drop_rel(rel.rId)  # Word 2010's second copy of the styles: not needed
        elif rel.reltype == RT.FONT_TABLE:
            _font_table(rel.target_part)
    _settings(word.settings.element)
    for part in package.iter_parts():
        if part.partname == "/docProps/app.xml":
            part._blob = _APP_XML.format(version=__version__).encode("utf-8")
    for section in word.sections:
        a4(section)
    word.core_properties.language = LANGUAGE
    for name in _HEADINGS:
        word.styles[name].paragraph_format.keep_with_next = True
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _styles(styles) -> None:
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for fonts in [*styles.iter(qn("w:rFonts"))]:
        _one_family(fonts)
    if defaults.find(qn("w:rFonts")) is None:
        defaults.insert(0, _one_family(OxmlElement("w:rFonts")))
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:val"), LANGUAGE)
        lang.set(qn("w:eastAsia"), LANGUAGE)
        lang.set(qn("w:bidi"), BIDI_LANGUAGE)
    normal = next(s for s in styles.iter(qn("w:style")) if s.get(qn("w:styleId")) == "Normal")
    r_pr = normal.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = OxmlElement("w:rPr")
        normal.append(r_pr)
    for tag in ("w:sz", "w:szCs"):
        size = OxmlElement(tag)
        size.set(qn("w:val"), str(int(BODY_SIZE.pt * 2)))
        r_pr.append(size)
    # The header's and footer's centre and right tab stops, at A4's text width, not Letter's.
    for tab in styles.iter(qn("w:tab")):
        stop = {"center": TEXT_WIDTH // 2, "right": TEXT_WIDTH}.get(tab.get(qn("w:val")))
        if stop is not None:
            tab.set(qn("w:pos"), str(stop))


def _one_family(fonts):
    """A w:rFonts naming the one family, with no theme font that would bring Calibri back."""
    for attribute in list(fonts.attrib):
        if attribute.endswith("heme") or attribute == qn("w:hint"):
            del fonts.attrib[attribute]
    fonts.set(qn("w:ascii"), FONT)
    fonts.set(qn("w:hAnsi"), FONT)
    # The eastAsia slot is for CJK characters, not Arabic: our family, and each word processor's
    # own fallback for what it lacks.
    fonts.set(qn("w:eastAsia"), FONT)
    fonts.set(qn("w:cs"), COMPLEX_FONT)
    return fonts


def _theme(part) -> None:
    """The theme's heading and body fonts (Calibri, Cambria) made the one family too, for
    anything that names them."""
    theme = parse_xml(part.blob)
    drawing = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    for group in ("majorFont", "minorFont"):
        for element in theme.iter(f"{drawing}{group}"):
            element.find(f"{drawing}latin").set("typeface", FONT)
            element.find(f"{drawing}cs").set("typeface", COMPLEX_FONT)
    part._blob = serialize_part_xml(theme)


def _font_table(part) -> None:
    table = parse_xml(part.blob)
    for name, alternative, charset, family in _FONT_ENTRIES:
        table.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alternative}"/>'
            f'<w:charset w:val="{charset}"/><w:family w:val="{family}"/>'
            '<w:pitch w:val="variable"/></w:font>'))
    part._blob = serialize_part_xml(table)


def _settings(settings) -> None:
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), LANGUAGE)
        lang.set(qn("w:eastAsia"), LANGUAGE)
        lang.set(qn("w:bidi"), BIDI_LANGUAGE)
