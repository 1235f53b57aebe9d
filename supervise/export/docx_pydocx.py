"""A `Document` drawn as DOCX through python-docx, like the pro-formas: organisation, record
type, "Private and Confidential", label/value tables, the agenda as question and answer, and a
footer with the record id, page x of y and the short digest (SPEC §7).

Text is shown exactly, except characters XML cannot hold, which are shown visibly as [U+000B]
(PITFALLS: evidence must not change silently). Tables are filled row by row through `row.cells`
(`table.cell(i, j)` walks the whole grid each call).

Documents with a chart are drawn here; the others by `docx_package`, which learns the package
from this and writes the same parts without python-docx (the tests hold the two together)."""

import io

from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

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
from supervise.export import docx_styles
from supervise.export.chart import add_chart
from supervise.export.docx_runs import add_text
from supervise.export.docx_tables import lay_out, table_texts
from supervise.export.xml_text import docx_text

GREY = RGBColor(0x55, 0x55, 0x55)
CONFIDENTIAL = "Private and Confidential"


def render_with_python_docx(doc: Document) -> bytes:
    """The DOCX file's bytes."""
    word = docx_styles.blank()
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
            add_text(styles.paragraph(), docx_text(block.text), italic=True, colour=GREY)
        elif isinstance(block, PageBreak):
            styles.paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(block, Chart):
            add_chart(word, block)
    for section in word.sections:  # a section a block may have started, too
        docx_styles.a4(section)
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
            add_text(paragraph, text)
        return paragraph

    def heading(self, text: str, level: int):
        heading = self.paragraph(text, f"Heading {max(1, min(level, 6))}")
        heading.paragraph_format.keep_with_next = True
        return heading

    def table(self, columns: int):
        table = self.word.add_table(rows=0, cols=columns)
        table._tbl.tblStyle_val = self.ids["Table Grid"]
        return table


def _page_setup(word, doc: Document) -> None:
    section = word.sections[0]
    header = section.header.paragraphs[0]
    add_text(header, docx_text(f"{CONFIDENTIAL} · {doc.organisation}"))
    if doc.extract:  # every page of an extract says so
        section.header.add_paragraph().add_run(docx_text(doc.extract)).bold = True
    footer = section.footer.paragraphs[0]
    add_text(footer, docx_text(f"{doc.reference} · Page "))
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    add_text(footer, docx_text(f" · {doc.digest_label} {short_digest(doc.digest)}"))


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
    org.paragraph_format.keep_with_next = True
    for run in add_text(org, docx_text(doc.organisation), bold=True):
        run.font.size = Pt(14)
    add_text(word.add_paragraph(style=word.styles["Title"]), docx_text(doc.title))
    if doc.subtitle and doc.subtitle != doc.title:
        add_text(word.add_paragraph(style=word.styles["Subtitle"]), docx_text(doc.subtitle))
    add_text(word.add_paragraph(), CONFIDENTIAL, bold=True)


def _answer(word, block: Answer, styles: _Styles) -> None:
    if block.level:  # an agenda item: a heading, so the outline is the agenda
        styles.heading(docx_text(block.question), block.level)
    else:
        question = styles.paragraph()
        question.paragraph_format.space_after = Pt(2)
        question.paragraph_format.keep_with_next = True
        add_text(question, docx_text(block.question), bold=True)
    if block.answer is None:
        run = styles.paragraph().add_run("Not answered")
        run.italic = True
        run.font.color.rgb = GREY
    else:
        styles.paragraph(docx_text(block.answer))


def _grid(word, block: Grid, styles: _Styles) -> None:
    texts, widths, labelled = table_texts(block)
    table = styles.table(len(widths))
    if block.header:
        cells = table.add_row().cells
        for cell, text in zip(cells, texts[0], strict=True):
            add_text(cell.paragraphs[0], text, bold=True)
    for index, row in enumerate(texts[1:] if block.header else texts):
        cells = table.add_row().cells
        for number, (cell, text) in enumerate(zip(cells, row, strict=True)):
            add_text(cell.paragraphs[0], text, bold=labelled and number == 0,
                     italic=index in block.marked)
    lay_out(table, widths, texts, header_rows=1 if block.header else 0)
    styles.paragraph()


def _properties(word, doc: Document) -> None:
    set_properties(word.core_properties, doc)


def set_properties(props, doc: Document) -> None:
    """Core properties set explicitly: no child's name in them, the export's own moment."""
    props.author = props.last_modified_by = docx_text(doc.author)
    props.title = docx_text(f"{doc.title}: {doc.reference}")
    props.subject = CONFIDENTIAL
    props.comments = f"{doc.digest_label} {doc.digest}"
    props.created = props.modified = doc.created.replace(tzinfo=None)
    props.revision = 1
    props.language = docx_styles.LANGUAGE
