"""The pages of every DOCX export (issue 19): A4, British English, one typeface family with
fallbacks for Arabic script and emoji, right-to-left runs for Urdu, tables that print (header
rows repeated, rows and headings kept together, columns wide enough for their words), and no
claim to be Microsoft Word. Read back from real exports, with python-docx and from the XML."""

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from supervise import __version__
from supervise.export.docx_styles import COMPLEX_FONT, EMOJI_FONT, FONT
from tests.signed_records import record_session

A4 = (11906, 16838)  # twips, as Word writes 210 x 297 mm
TWO_CM = 1134
URDU = "میں اسکول میں خوش ہوں، لیکن گھر پر ڈر لگتا ہے۔"
SAID = f"{URDU} She said it twice 🙂 and smiled."


@pytest.fixture
def exports(cli, signed, bundle, tmp_path) -> dict[str, Path]:
    """The signed session and its decision exported, and every DOCX of the child's review."""
    made = {}
    for kind, number in (("session", signed), ("decision", "1")):
        target = tmp_path / f"{kind}.docx"
        result = cli(kind, "export", number, "--out", str(target))
        assert result.code == 0, result.err
        made[kind] = target
    for path in sorted(bundle.glob("*.docx")):
        made[f"review/{path.name}"] = path
    assert "review/00-index.docx" in made and len(made) >= 4
    return made


@pytest.fixture
def urdu_session(cli, team, tmp_path) -> Path:
    """A completed session whose personal-support answer is Urdu with an emoji, exported."""
    number = record_session(cli, tmp_path, answers=f'personal_development = "{SAID}"')
    target = tmp_path / "urdu.docx"
    result = cli("session", "export", number, "--out", str(target))
    assert result.code == 0, result.err
    return target


def part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


def test_every_section_of_every_export_is_a4_with_2_cm_margins(exports):
    for name, path in exports.items():
        sections = Document(str(path)).sections
        assert len(sections) >= 1
        for section in sections:
            assert (section.page_width.twips, section.page_height.twips) == A4, name
            margins = (section.left_margin, section.right_margin, section.top_margin,
                       section.bottom_margin)
            assert [m.twips for m in margins] == [TWO_CM] * 4, name
        assert 'w:w="12240"' not in part(path, "word/document.xml"), name  # US Letter


def test_the_language_is_british_english_everywhere(exports):
    for name, path in exports.items():
        doc = Document(str(path))
        assert doc.core_properties.language == "en-GB", name
        defaults = doc.styles.element.find(qn("w:docDefaults"))
        lang = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
        assert (lang.get(qn("w:val")), lang.get(qn("w:eastAsia"))) == ("en-GB", "en-GB"), name
        assert lang.get(qn("w:bidi")) == "ar-SA"  # right-to-left runs: Word's own default
        for xml in ("word/styles.xml", "word/settings.xml", "word/document.xml"):
            assert "en-US" not in part(path, xml), (name, xml)


def test_one_typeface_family_in_every_style_and_the_theme(exports):
    for name, path in exports.items():
        doc = Document(str(path))
        fonts = list(doc.styles.element.iter(qn("w:rFonts")))
        assert len(fonts) > 70, name  # the headings', the title's, the table styles' included
        for element in fonts:
            assert not [a for a in element.attrib if a.endswith("heme")], name
            assert [element.get(qn(f"w:{s}")) for s in ("ascii", "hAnsi", "eastAsia", "cs")] \
                == [FONT, FONT, FONT, COMPLEX_FONT], name
        for style in doc.styles:
            if hasattr(style, "font"):
                assert style.font.name in (None, FONT), (name, style.name)
        assert doc.styles["Heading 1"].font.name == doc.styles["Title"].font.name == FONT
        defaults = doc.styles.element.find(qn("w:docDefaults"))  # what Normal inherits
        assert defaults.find(f".//{qn('w:rFonts')}").get(qn("w:ascii")) == FONT
        theme = part(path, "word/theme/theme1.xml")
        assert set(re.findall(r'<a:latin typeface="([^"]*)"', theme)) == {FONT}, name
        assert "Calibri" not in theme and "Cambria" not in theme
        with zipfile.ZipFile(path) as archive:
            assert "word/stylesWithEffects.xml" not in archive.namelist(), name
        used = set(re.findall(r'w:ascii="([^"]*)"', part(path, "word/document.xml")))
        assert used <= {FONT, EMOJI_FONT}, name


def test_arabic_script_and_emoji_have_fonts_that_hold_them(exports):
    path = exports["session"]
    defaults = Document(str(path)).styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    assert fonts.get(qn("w:cs")) == COMPLEX_FONT == "Noto Sans Arabic"
    table = part(path, "word/fontTable.xml")
    # Without the font, Word is pointed at one it ships: Arial (Arabic), Segoe UI Emoji.
    assert re.search(f'w:name="{COMPLEX_FONT}"><w:altName w:val="Arial"/><w:charset w:val="B2"',
                     table)
    assert f'w:name="{EMOJI_FONT}"><w:altName w:val="Segoe UI Emoji"/>' in table


def test_urdu_is_a_right_to_left_run_and_its_paragraph_is_right_to_left(urdu_session):
    doc = Document(str(urdu_session))
    paragraph = next(p for p in doc.paragraphs if URDU in p.text)
    assert paragraph.text == SAID  # shown exactly: the runs join to what was typed
    runs = {run.text: run for run in paragraph.runs}
    assert runs[URDU].font.rtl is True
    assert runs[" She said it twice "].font.rtl is None
    assert paragraph._p.pPr.find(qn("w:bidi")) is not None  # it starts right to left
    emoji = runs["🙂"]._r.rPr.find(qn("w:rFonts"))
    assert emoji.get(qn("w:ascii")) == emoji.get(qn("w:hAnsi")) == EMOJI_FONT
    english = next(p for p in doc.paragraphs if p.text == "Private and Confidential")
    assert english._p.pPr is None or english._p.pPr.find(qn("w:bidi")) is None


def header_row(table) -> list[str]:
    return [cell.text for cell in table.rows[0].cells]


def has_header(table) -> bool:
    """Its first row all bold, as a header is drawn (a label/value table's values are not)."""
    runs = [r for cell in table.rows[0].cells for p in cell.paragraphs for r in p.runs]
    return bool(runs) and all(cell.text for cell in table.rows[0].cells) and \
        all(r.bold for r in runs if r.text)


def test_header_rows_repeat_rows_hold_together_and_widths_agree(exports):
    kinds = set()
    for name, path in exports.items():
        tables = Document(str(path)).tables
        assert tables, name
        for table in tables:
            kinds.add(has_header(table))
            rows = table.rows
            repeated = [row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader"))
                        is not None for row in rows]
            assert repeated == [has_header(table)] + [False] * (len(rows) - 1), \
                (name, header_row(table))
            assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in rows), name
            grid = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.iter(qn("w:gridCol"))]
            assert sum(grid) == A4[0] - 2 * TWO_CM, name
            assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
            for row in rows:
                assert [cell.width.twips for cell in row.cells] == grid, name
    assert kinds == {True, False}  # tables under a header, and label/value tables


def test_the_signatures_stay_with_their_heading_and_together(exports):
    doc = Document(str(exports["session"]))
    body = doc.element.body
    signatures = next(t for t in doc.tables if header_row(t)[:2] == ["Name", "Signed as"])
    heading = signatures._tbl.getprevious()
    assert "Signatures" in "".join(heading.itertext())
    assert heading.pPr.find(qn("w:keepNext")) is not None
    for row in signatures.rows[:-1]:  # each row kept with the next: the table moves whole
        assert all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs)
    assert body.index(heading) + 1 == body.index(signatures._tbl)


def test_every_heading_is_kept_with_what_follows(exports):
    for name, path in exports.items():
        doc = Document(str(path))
        headings = [p for p in doc.paragraphs
                    if p.style.name.startswith("Heading") or p.style.name == "Title"]
        assert len(headings) >= 2, name
        for paragraph in headings:
            assert paragraph.paragraph_format.keep_with_next or \
                paragraph.style.paragraph_format.keep_with_next, (name, paragraph.text)
        assert all(p.paragraph_format.keep_with_next for p in headings
                   if p.style.name.startswith("Heading")), name


def test_a_label_column_is_as_wide_as_its_longest_word(exports):
    """"supervisee" at 10.5 pt Arial Bold is 1.98 cm, with the cell's margins 2.36 cm: the old
    2.3 cm column broke it as "supervise/e"."""
    doc = Document(str(exports["session"]))
    signatures = next(t for t in doc.tables if header_row(t)[:2] == ["Name", "Signed as"])
    column = next(i for i, row in enumerate(zip(*[[c.text for c in r.cells]
                                                   for r in signatures.rows], strict=True))
                  if any(text.lower() == "supervisee" for text in row))
    assert signatures.columns[column].width.twips >= 1340


def test_app_properties_name_supervise_not_word(exports):
    for name, path in exports.items():
        app = part(path, "docProps/app.xml")
        assert "Microsoft" not in app and "Macintosh" not in app, name
        assert f"<Application>supervise {__version__}</Application>" in app, name


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="needs LibreOffice and poppler-utils")
def test_libreoffice_prints_a4_pages_with_no_word_broken(exports, urdu_session, tmp_path):
    files = [exports["session"], exports["decision"], exports["review/00-index.docx"],
             urdu_session]
    out = tmp_path / "pdf"
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out),
                    *map(str, files)], check=True, capture_output=True, timeout=240)
    for source in files:
        pdf = out / f"{source.stem}.pdf"
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert "(A4)" in info, source.name
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                              text=True).stdout
        for word in ("Supervisee", "Supervisor", "Outcome", "Signed as"):
            for piece in (word[:n] for n in range(3, len(word))):
                assert not re.search(rf"\b{piece}\n{word[len(piece):]}\b", text), \
                    (source.name, word)
    fonts = subprocess.run(["pdffonts", str(out / "urdu.pdf")], capture_output=True,
                           text=True).stdout
    if "NotoSansArabic" not in fonts or "Symbola" not in fonts:
        installed = subprocess.run(["fc-list", ":", "family"], capture_output=True,
                                   text=True).stdout
        if COMPLEX_FONT in installed and EMOJI_FONT in installed:
            pytest.fail(f"the Urdu and emoji fonts are installed but not used:\n{fonts}")
        pytest.skip("fonts-noto-core and fonts-symbola are not installed")
