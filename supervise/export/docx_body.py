"""A `Document` without charts written straight as WordprocessingML text: the same elements, in
the same order, as `docx_writer` builds through python-docx (tests hold the two to the same
bytes), without python-docx's per-element bookkeeping, which was most of an export's time.

`docx_package` puts the text into the package; nothing here reads the template."""

from collections.abc import Iterable

from supervise.domain.document import Answer, Document, Grid, Heading, PageBreak, Remark
from supervise.domain.document import short_digest as _short
from supervise.export.docx_runs import EMOJI, RIGHT, pieces, starts_right_to_left
from supervise.export.docx_styles import EMOJI_FONT
from supervise.export.docx_tables import row_plan, table_texts
from supervise.export.xml_text import docx_text

CONFIDENTIAL = "Private and Confidential"
GREY = "555555"
_FONTS = (f'<w:rFonts w:ascii="{EMOJI_FONT}" w:hAnsi="{EMOJI_FONT}" '
          f'w:eastAsia="{EMOJI_FONT}" w:cs="{EMOJI_FONT}"/>')
_NOT_ANSWERED = ('<w:p><w:r><w:rPr><w:i/><w:color w:val="555555"/></w:rPr>'
                 "<w:t>Not answered</w:t></w:r></w:p>")
_PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def _escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _t(text: str) -> str:
    space = ' xml:space="preserve"' if len(text.strip()) < len(text) else ""
    return f"<w:t{space}>{_escape(text)}</w:t>"


def content(text: str) -> str:
    """A run's text as python-docx writes it: tabs as w:tab, line ends as w:br."""
    if "\t" not in text and "\n" not in text and "\r" not in text:
        return _t(text) if text else ""
    out: list[str] = []
    buffer: list[str] = []
    for ch in text:
        if ch == "\t" or ch in "\r\n":
            if buffer:
                out.append(_t("".join(buffer)))
                buffer.clear()
            out.append("<w:tab/>" if ch == "\t" else "<w:br/>")
        else:
            buffer.append(ch)
    if buffer:
        out.append(_t("".join(buffer)))
    return "".join(out)


def runs(text: str, bold: bool = False, italic: bool = False, colour: str | None = None,
         size: int | None = None) -> str:
    """`docx_runs.add_text`'s runs: right-to-left and emoji pieces in runs of their own."""
    out = []
    for kind, part in pieces(text) if text else [("", "")]:
        right = kind == RIGHT
        props = "".join((
            _FONTS if kind == EMOJI else "",
            "<w:b/>" if bold else "", "<w:bCs/>" if bold and right else "",
            "<w:i/>" if italic else "", "<w:iCs/>" if italic and right else "",
            f'<w:color w:val="{colour}"/>' if colour else "",
            f'<w:sz w:val="{size}"/>' if size else "", "<w:rtl/>" if right else ""))
        out.append(f"<w:r><w:rPr>{props}</w:rPr>{content(part)}</w:r>" if props
                   else f"<w:r><w:rPr/>{content(part)}</w:r>")
    return "".join(out)


def paragraph(inner: str = "", *, style: str | None = None, keep: bool = False,
              after: int | None = None, bidi: bool = False) -> str:
    props = "".join((f'<w:pStyle w:val="{style}"/>' if style else "",
                     "<w:keepNext/>" if keep else "", "<w:bidi/>" if bidi else "",
                     f'<w:spacing w:after="{after}"/>' if after is not None else ""))
    if props:
        return f"<w:p><w:pPr>{props}</w:pPr>{inner}</w:p>"
    return f"<w:p>{inner}</w:p>" if inner else "<w:p/>"


def text_paragraph(text: str, *, bold: bool = False, italic: bool = False,
                   colour: str | None = None, size: int | None = None,
                   style: str | None = None, keep: bool = False,
                   after: int | None = None, empty_run: bool = True) -> str:
    """A paragraph holding `text` as `add_text` adds it (marked right to left if it starts so);
    no run at all for no text unless `empty_run` (python-docx's `add_paragraph(text)`)."""
    inner = runs(text, bold, italic, colour, size) if text or empty_run else ""
    return paragraph(inner, style=style, keep=keep,
                     after=after, bidi=starts_right_to_left(text))


def body(doc: Document, style_ids: dict[str, str]) -> str:
    """The w:body's content before its w:sectPr."""
    out = [text_paragraph(docx_text(doc.organisation), bold=True, size=28, keep=True),
           text_paragraph(docx_text(doc.title), style=style_ids["Title"])]
    if doc.subtitle and doc.subtitle != doc.title:
        out.append(text_paragraph(docx_text(doc.subtitle), style=style_ids["Subtitle"]))
    out.append(text_paragraph(CONFIDENTIAL, bold=True))
    for block in doc.blocks:
        out.extend(_block(block, style_ids))
    return "".join(out)


def _heading(text: str, level: int, style_ids: dict[str, str]) -> str:
    return text_paragraph(text, style=style_ids[f"Heading {max(1, min(level, 6))}"], keep=True,
                          empty_run=False)


def _block(block, style_ids: dict[str, str]) -> Iterable[str]:
    if isinstance(block, Heading):
        yield _heading(docx_text(block.text), block.level, style_ids)
    elif isinstance(block, Answer):
        if block.level:
            yield _heading(docx_text(block.question), block.level, style_ids)
        else:
            yield text_paragraph(docx_text(block.question), bold=True, keep=True, after=40)
        yield _NOT_ANSWERED if block.answer is None else \
            text_paragraph(docx_text(block.answer), empty_run=False)
    elif isinstance(block, Grid):
        yield _grid(block, style_ids["Table Grid"])
        yield "<w:p/>"
    elif isinstance(block, Remark):
        yield text_paragraph(docx_text(block.text), italic=True, colour=GREY)
    elif isinstance(block, PageBreak):
        yield _PAGE_BREAK
    else:
        raise TypeError(f"no direct writer for {type(block).__name__}")


def _grid(block: Grid, style_id: str) -> str:
    texts, widths, labelled = table_texts(block)
    header_rows = 1 if block.header else 0
    out = [f'<w:tbl><w:tblPr><w:tblStyle w:val="{style_id}"/>'
           f'<w:tblW w:type="dxa" w:w="{sum(widths)}"/><w:tblLayout w:type="fixed"/>'
           '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" '
           'w:noHBand="0" w:noVBand="1" w:val="04A0"/></w:tblPr><w:tblGrid>']
    out += [f'<w:gridCol w:w="{w}"/>' for w in widths]
    out.append("</w:tblGrid>")
    for number, (row, (whole, keep)) in enumerate(zip(texts, row_plan(texts, widths,
                                                                      header_rows),
                                                      strict=True)):
        header = number < header_rows
        marks = ("<w:cantSplit/>" if whole else "") + ("<w:tblHeader/>" if header else "")
        out.append(f"<w:tr><w:trPr>{marks}</w:trPr>" if marks else "<w:tr><w:trPr/>")
        italic = not header and number - header_rows in block.marked
        for column, (text, width) in enumerate(zip(row, widths, strict=True)):
            bold = header or (labelled and column == 0)
            out.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr>'
                       f"{text_paragraph(text, bold=bold, italic=italic, keep=keep)}</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def header(doc: Document) -> str:
    """The page header's paragraphs (the template's Header paragraph, filled)."""
    text = docx_text(f"{CONFIDENTIAL} · {doc.organisation}")
    out = text_paragraph(text, style="Header")
    if doc.extract:
        out += paragraph(f"<w:r><w:rPr><w:b/></w:rPr>{content(docx_text(doc.extract))}</w:r>")
    return out


def _field(instruction: str) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def footer(doc: Document) -> str:
    first = docx_text(f"{doc.reference} · Page ")
    last = docx_text(f" · {doc.digest_label} {_short(doc.digest)}")
    inner = (runs(first) + _field("PAGE") + "<w:r>" + content(" of ") + "</w:r>"
             + _field("NUMPAGES") + runs(last))
    return paragraph(inner, style="Footer",
                     bidi=starts_right_to_left(first) or starts_right_to_left(last))
