"""A `Chart` block drawn as a native Word column chart: its own part, its values in the chart's
caches, text made visible and escaped, and a file that python-docx and LibreOffice both open."""

import io
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime

import pytest
from docx import Document as open_docx
from lxml import etree

from supervise.domain.document import Chart, Document, Heading
from supervise.export.docx_writer import render

NS = {
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CHART_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
MONTHS = tuple(f"2026-{m:02d}" for m in range(1, 13))
DUE = tuple(float(10 + m) for m in range(12))
HELD = tuple(float(8 + m) for m in range(12))
ON_TIME = tuple(6.5 + m for m in range(12))
MONTHLY = Chart(
    title="Supervisions by month",
    categories=MONTHS,
    series=(("Due", DUE), ("Held", HELD), ("On time", ON_TIME)),
    y_title="Sessions",
)


def document(*charts: Chart) -> Document:
    return Document(
        organisation="Northfield Children's Services",
        title="Compliance Report",
        reference="Report R1",
        digest="ab" * 32,
        author="Test Author",
        created=datetime(2026, 12, 31, 9, 0, tzinfo=UTC),
        blocks=[Heading("Monthly compliance"), *charts],
    )


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def chart_targets(files: dict[str, bytes]) -> dict[str, str]:
    """rId → part name of every chart the document relates to."""
    rels = etree.fromstring(files["word/_rels/document.xml.rels"])
    return {
        rel.get("Id"): "word/" + rel.get("Target").lstrip("/").removeprefix("word/")
        for rel in rels.findall("rel:Relationship", NS)
        if rel.get("Type") == CHART_REL
    }


def values(chart_xml, path: str) -> list[str]:
    return [v.text for v in chart_xml.xpath(path, namespaces=NS)]


def test_a_chart_is_its_own_part_holding_every_value_in_order():
    files = parts(render(document(MONTHLY)))

    types = etree.fromstring(files["[Content_Types].xml"])
    override = types.find("ct:Override[@PartName='/word/charts/chart1.xml']", NS)
    assert override is not None and override.get("ContentType") == CHART_TYPE
    targets = chart_targets(files)
    assert list(targets.values()) == ["word/charts/chart1.xml"]
    body = etree.fromstring(files["word/document.xml"])
    (ref,) = body.xpath("//wp:inline/a:graphic/a:graphicData/c:chart", namespaces=NS)
    assert ref.get(f"{{{NS['r']}}}id") in targets

    chart = etree.fromstring(files["word/charts/chart1.xml"])
    assert chart.xpath("//c:barChart/c:barDir/@val", namespaces=NS) == ["col"]
    assert chart.xpath("//c:barChart/c:grouping/@val", namespaces=NS) == ["clustered"]
    assert values(chart, "c:chart/c:title//a:t") == ["Supervisions by month"]
    assert values(chart, "//c:valAx/c:title//a:t") == ["Sessions"]
    assert chart.xpath("//c:legend/c:legendPos/@val", namespaces=NS) == ["b"]
    series = chart.xpath("//c:ser", namespaces=NS)
    assert [values(s, "c:tx//c:v")[0] for s in series] == ["Due", "Held", "On time"]
    for ser, expected in zip(series, (DUE, HELD, ON_TIME), strict=True):
        assert values(ser, "c:cat//c:strCache/c:pt/c:v") == list(MONTHS)
        assert [float(v) for v in values(ser, "c:val//c:numCache/c:pt/c:v")] == list(expected)
    colours = chart.xpath("//c:ser/c:spPr//a:srgbClr/@val", namespaces=NS)
    assert len(set(colours)) == 3


def test_two_charts_get_their_own_parts_and_drawing_ids():
    second = Chart("Late sessions", MONTHS[:3], (("Late", (1.0, 0.0, 2.0)),))
    data = render(document(MONTHLY, second))
    files = parts(data)

    assert sorted(chart_targets(files).values()) == [
        "word/charts/chart1.xml",
        "word/charts/chart2.xml",
    ]
    two = etree.fromstring(files["word/charts/chart2.xml"])
    assert values(two, "c:chart/c:title//a:t") == ["Late sessions"]
    assert values(two, "//c:ser/c:tx//c:v") == ["Late"]
    body = etree.fromstring(files["word/document.xml"])
    ids = body.xpath("//wp:docPr/@id", namespaces=NS)
    assert len(ids) == 2 and len(set(ids)) == 2
    refs = body.xpath("//c:chart/@r:id", namespaces=NS)
    assert len(set(refs)) == 2

    reopened = open_docx(io.BytesIO(data))
    assert any("Monthly compliance" in p.text for p in reopened.paragraphs)


def test_text_with_control_characters_and_markup_stays_visible_and_parses():
    name = "Held\x0b<&> \"late\""
    odd = Chart("Q1 <draft> & \x0bfinal", MONTHS[:2], ((name, (1.0, 2.5)),), y_title="a\x01b")
    data = render(document(odd))
    chart = etree.fromstring(parts(data)["word/charts/chart1.xml"])

    assert values(chart, "//c:ser/c:tx//c:v") == ['Held[U+000B]<&> "late"']
    assert values(chart, "c:chart/c:title//a:t") == ["Q1 <draft> & [U+000B]final"]
    assert values(chart, "//c:valAx/c:title//a:t") == ["a[U+0001]b"]
    body = etree.fromstring(parts(data)["word/document.xml"])
    assert body.xpath("//wp:docPr/@descr", namespaces=NS) == ["Q1 <draft> & [U+000B]final"]
    open_docx(io.BytesIO(data))


def test_a_series_must_have_one_value_per_category():
    short = Chart("Short", MONTHS, (("Due", (1.0,)),))
    with pytest.raises(ValueError, match="1 values for 12 categories"):
        render(document(short))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_converts_a_document_with_a_chart_to_pdf(tmp_path):
    source = tmp_path / "report.docx"
    source.write_bytes(render(document(MONTHLY)))
    profile = tmp_path / "profile"  # its own profile: no clash with another running soffice
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = tmp_path / "report.pdf"
    assert pdf.exists() and pdf.stat().st_size > 0
    assert pdf.read_bytes().startswith(b"%PDF")
