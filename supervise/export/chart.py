"""A `Chart` block drawn as a native Word column chart: a DrawingML chart part (/word/charts/
chartN.xml) related from the document, and an inline drawing that points to it.

The values travel in the chart's own caches (`c:strCache`, `c:numCache`); there is no embedded
workbook, so Word and LibreOffice draw the chart as stored, and the figures cannot drift from the
record's. Every text goes through `docx_text`, then is escaped."""

import math
from xml.sax.saxutils import escape

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.shared import Cm

from supervise.domain.document import Chart
from supervise.export.docx_styles import COMPLEX_FONT, FONT
from supervise.export.xml_text import docx_text

_NS = (
    'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
_WP = 'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
# Office's own palette, then hues spread by the golden angle so that any number stays distinct.
_PALETTE = ("4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47", "264478", "9E480E")
_CAT_AXIS, _VAL_AXIS = 500000001, 500000002
# The document's own (LibreOffice falls back to a serif without it), and its other scripts'.
_FONT = (f'<a:latin typeface="{FONT}"/><a:ea typeface="{FONT}"/>'
         f'<a:cs typeface="{COMPLEX_FONT}"/>')


def add_chart(word_document, chart: Chart, width_cm: float = 16, height_cm: float = 8) -> None:
    """Append a paragraph holding `chart` as an inline column chart to a python-docx Document."""
    _check(chart)
    document_part = word_document.part
    package = document_part.package
    partname = package.next_partname("/word/charts/chart%d.xml")
    part = Part(partname, CT.DML_CHART, _chart_xml(chart).encode("utf-8"), package)
    # Related at once: next_partname only sees parts reachable through relationships.
    rid = document_part.relate_to(part, RT.CHART)
    shape_id = document_part.next_id
    inline = parse_xml(_inline_xml(chart, rid, shape_id, Cm(width_cm), Cm(height_cm)))
    word_document.add_paragraph().add_run()._r.add_drawing(inline)


def _check(chart: Chart) -> None:
    for name, values in chart.series:
        if len(values) != len(chart.categories):
            raise ValueError(
                f"Chart {chart.title!r}: series {name!r} has {len(values)} values "
                f"for {len(chart.categories)} categories."
            )
        if not all(math.isfinite(v) for v in values):
            raise ValueError(f"Chart {chart.title!r}: series {name!r} holds a value not finite.")


def _text(text: str) -> str:
    return escape(docx_text(text), {'"': "&quot;"})


def _colour(index: int) -> str:
    if index < len(_PALETTE):
        return _PALETTE[index]
    hue = (index * 137.508) % 360 / 60
    x = 1 - abs(hue % 2 - 1)
    r, g, b = [(1, x, 0), (x, 1, 0), (0, 1, x), (0, x, 1), (x, 0, 1), (1, 0, x)][int(hue)]
    return "".join(f"{round(40 + 160 * v):02X}" for v in (r, g, b))


def _column(index: int) -> str:
    """A spreadsheet column letter (0: A, 26: AA), for the nominal cell references."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _number(value: float) -> str:
    return f"{value:.15g}"


def _rich(text: str, size: int, bold: bool) -> str:
    b = ' b="1"' if bold else ' b="0"'
    return (
        f'<c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}"{b}>{_FONT}'
        f'</a:defRPr></a:pPr><a:r><a:rPr lang="en-GB" sz="{size}"{b}>{_FONT}</a:rPr>'
        f"<a:t>{_text(text)}</a:t></a:r></a:p>"
        "</c:rich></c:tx>"
    )


def _title(text: str, size: int, bold: bool = True) -> str:
    return f'<c:title>{_rich(text, size, bold)}<c:overlay val="0"/></c:title>'


def _str_cache(ref: str, texts) -> str:
    points = "".join(f'<c:pt idx="{i}"><c:v>{_text(t)}</c:v></c:pt>' for i, t in enumerate(texts))
    return (
        f"<c:strRef><c:f>{ref}</c:f><c:strCache><c:ptCount val=\"{len(texts)}\"/>{points}"
        "</c:strCache></c:strRef>"
    )


def _series(index: int, name: str, values, categories) -> str:
    col, last = _column(index + 1), len(categories) + 1
    points = "".join(
        f'<c:pt idx="{i}"><c:v>{_number(v)}</c:v></c:pt>' for i, v in enumerate(values)
    )
    return (
        f'<c:ser><c:idx val="{index}"/><c:order val="{index}"/>'
        f"<c:tx>{_str_cache(f'Sheet1!${col}$1', (name,))}</c:tx>"
        f'<c:spPr><a:solidFill><a:srgbClr val="{_colour(index)}"/></a:solidFill></c:spPr>'
        '<c:invertIfNegative val="0"/>'
        f"<c:cat>{_str_cache(f'Sheet1!$A$2:$A${last}', categories)}</c:cat>"
        f"<c:val><c:numRef><c:f>Sheet1!${col}$2:${col}${last}</c:f><c:numCache>"
        f'<c:formatCode>General</c:formatCode><c:ptCount val="{len(values)}"/>{points}'
        "</c:numCache></c:numRef></c:val></c:ser>"
    )


def _chart_xml(chart: Chart) -> str:
    series = "".join(
        _series(i, name, values, chart.categories) for i, (name, values) in enumerate(chart.series)
    )
    y_title = _title(chart.y_title, 900, bold=False) if chart.y_title else ""
    ticks = '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace {_NS}><c:date1904 val="0"/><c:lang val="en-GB"/>'
        '<c:roundedCorners val="0"/><c:chart>'
        f'{_title(chart.title, 1200)}<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>'
        '<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>'
        f'{series}<c:gapWidth val="150"/>'
        f'<c:axId val="{_CAT_AXIS}"/><c:axId val="{_VAL_AXIS}"/></c:barChart>'
        f'<c:catAx><c:axId val="{_CAT_AXIS}"/><c:scaling><c:orientation val="minMax"/>'
        '</c:scaling><c:delete val="0"/><c:axPos val="b"/>'
        f'<c:numFmt formatCode="General" sourceLinked="0"/>{ticks}'
        f'<c:crossAx val="{_VAL_AXIS}"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        f'<c:valAx><c:axId val="{_VAL_AXIS}"/><c:scaling><c:orientation val="minMax"/>'
        f'</c:scaling><c:delete val="0"/><c:axPos val="l"/><c:majorGridlines/>{y_title}'
        f'<c:numFmt formatCode="General" sourceLinked="0"/>{ticks}'
        f'<c:crossAx val="{_CAT_AXIS}"/><c:crosses val="autoZero"/>'
        '<c:crossBetween val="between"/></c:valAx></c:plotArea>'
        '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        f'<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="900">{_FONT}</a:defRPr></a:pPr>'
        '<a:endParaRPr lang="en-GB"/></a:p></c:txPr></c:chartSpace>'
    )


def _inline_xml(chart: Chart, rid: str, shape_id: int, cx: int, cy: int) -> str:
    return (
        f'<wp:inline distT="0" distB="0" distL="0" distR="0" {_WP} {_NS}>'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{shape_id}" name="Chart {shape_id}" descr="{_text(chart.title)}"/>'
        "<wp:cNvGraphicFramePr/><a:graphic>"
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        f'<c:chart r:id="{rid}"/></a:graphicData></a:graphic></wp:inline>'
    )
