"""A `Document` drawn as DOCX, like the pro-formas: organisation, record type, "Private and
Confidential", label/value tables, the agenda as question and answer, and a footer with the
record id, page x of y and the short digest (SPEC §7).

A document with a chart goes through python-docx (`docx_pydocx`); the rest, a review export's
hundreds of records, are written directly (`docx_package`) to the same parts, several times
faster."""

from supervise.domain.document import Chart, Document
from supervise.export.docx_package import render_package
from supervise.export.docx_pydocx import render_with_python_docx


def render(doc: Document) -> bytes:
    """The DOCX file's bytes."""
    if any(isinstance(block, Chart) for block in doc.blocks):
        return render_with_python_docx(doc)
    return render_package(doc)
