"""A `Document` drawn as DOCX, like the pro-formas: organisation, record type, "Private and
Confidential", label/value tables, the agenda as question and answer, and a footer with the
record id, page x of y and the short digest (SPEC §7).

Text is shown exactly, except characters XML cannot hold, which are shown visibly as [U+000B]
(PITFALLS: evidence must not change silently). Tables are filled row by row through `row.cells`
(`table.cell(i, j)` walks the whole grid each call)."""

import io

from docx import Document as new_docx
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from supervise.domain.document import (
    Answer,
    Chart,
    Document,
    Grid,
    Heading,
    PageBreak,
    Remark,
    short_digest,
)
from supervise.export.chart import add_chart
from supervise.export.xml_text import docx_text

GREY = RGBColor(0x55, 0x55, 0x55)
CONFIDENTIAL = "Private and Confidential"
TEXT_WIDTH_CM = 17  # A4 less 2 cm margins
LABEL_WIDTHS = (Cm(5.5), Cm(11.5))


def render(doc: Document) -> bytes:
    """The DOCX file's bytes."""
    word = new_docx()
    _page_setup(word, doc)
    _title(word, doc)
    styles = _Styles(word)
    for block in doc.blocks:
        if isinstance(block, Heading):
            styles.heading(docx_text(block.text), block.level)
        elif isinstance(block, Answer):
            _answer(word, block, styles)
        elif isinstance(block, Grid):
            _grid(word, block, styles)
        elif isinstance(block, Remark):
            run = styles.paragraph().add_run(docx_text(block.text))
            run.italic = True
            run.font.color.rgb = GREY
        elif isinstance(block, PageBreak):
            styles.paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(block, Chart):
            add_chart(word, block)
    _properties(word, doc)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


class _Styles:
    """Paragraphs and tables get their style by id, set in the XML: python-docx's own lookup
    scans every style of the document each time (most of an export's time)."""

    def __init__(self, word) -> None:
        self.word = word
        self.ids = {style.name: style.style_id for style in word.styles}

    def paragraph(self, text: str = "", style: str | None = None):
        paragraph = self.word.add_paragraph()
        if style is not None:
            paragraph._p.style = self.ids[style]
        if text:
            paragraph.add_run(text)
        return paragraph

    def heading(self, text: str, level: int):
        return self.paragraph(text, f"Heading {max(1, min(level, 6))}")

    def table(self, columns: int):
        table = self.word.add_table(rows=0, cols=columns)
        table._tbl.tblStyle_val = self.ids["Table Grid"]
        return table


def _page_setup(word, doc: Document) -> None:
    section = word.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    normal = word.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)
    header = section.header.paragraphs[0]
    header.text = docx_text(f"{CONFIDENTIAL} · {doc.organisation}")
    footer = section.footer.paragraphs[0]
    footer.add_run(docx_text(f"{doc.reference} · Page "))
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    footer.add_run(docx_text(f" · {doc.digest_label} {short_digest(doc.digest)}"))


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES): begin, instruction, separate, a placeholder, end."""
    def fld(kind: str):
        run = paragraph.add_run()
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)

    fld("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    fld("separate")
    paragraph.add_run("1")
    fld("end")


def _title(word, doc: Document) -> None:
    org = word.add_paragraph()
    run = org.add_run(docx_text(doc.organisation))
    run.bold = True
    run.font.size = Pt(14)
    word.add_paragraph(docx_text(doc.title), word.styles["Title"])
    if doc.subtitle and doc.subtitle != doc.title:
        word.add_paragraph(docx_text(doc.subtitle), word.styles["Subtitle"])
    note = word.add_paragraph().add_run(CONFIDENTIAL)
    note.bold = True


def _answer(word, block: Answer, styles: _Styles) -> None:
    question = styles.paragraph()
    question.paragraph_format.space_after = Pt(2)
    question.paragraph_format.keep_with_next = True
    question.add_run(docx_text(block.question)).bold = True
    if block.answer is None:
        run = styles.paragraph().add_run("Not answered")
        run.italic = True
        run.font.color.rgb = GREY
    else:
        styles.paragraph(docx_text(block.answer))


def _grid(word, block: Grid, styles: _Styles) -> None:
    columns = len(block.header) if block.header else max(len(r) for r in block.rows)
    table = styles.table(columns)
    labelled = not block.header and columns == 2
    widths = LABEL_WIDTHS if labelled else _widths(block.widths, columns)
    if widths:
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
    if block.header:
        cells = table.add_row().cells
        for cell, text in zip(cells, block.header, strict=True):
            cell.paragraphs[0].add_run(docx_text(text)).bold = True
    for index, row in enumerate(block.rows):
        cells = table.add_row().cells
        for number, (cell, text) in enumerate(zip(cells, row, strict=False)):
            if widths:
                cell.width = widths[number]
            run = cell.paragraphs[0].add_run(docx_text(str(text)))
            if labelled and number == 0:
                run.bold = True
            if index in block.marked:
                run.italic = True
    styles.paragraph()


def _widths(weights: tuple[int, ...], columns: int) -> tuple | None:
    if len(weights) != columns:
        return None
    total = sum(weights)
    return tuple(Cm(TEXT_WIDTH_CM * w / total) for w in weights)


def _properties(word, doc: Document) -> None:
    """Core properties set explicitly: no child's name in them, the export's own moment."""
    props = word.core_properties
    props.author = props.last_modified_by = docx_text(doc.author)
    props.title = docx_text(f"{doc.title}: {doc.reference}")
    props.subject = CONFIDENTIAL
    props.comments = f"{doc.digest_label} {doc.digest}"
    props.created = props.modified = doc.created.replace(tzinfo=None)
    props.revision = 1
