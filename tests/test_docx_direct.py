"""The direct DOCX writer (`docx_package`) against python-docx's (`docx_pydocx`): every part of
the package the same, byte for byte, for documents holding every kind of block and awkward
text (right to left, emoji, controls pasted from Word, markup, tabs and line breaks)."""

import io
import random
import unicodedata
import zipfile
from datetime import UTC, datetime

import pytest

from supervise.domain.document import (
    Answer,
    Chart,
    Document,
    Grid,
    Heading,
    PageBreak,
    Remark,
)
from supervise.export import docx_runs
from supervise.export.docx_package import render_package
from supervise.export.docx_pydocx import render_with_python_docx
from supervise.export.docx_writer import render

AWKWARD = [
    "", " ", "plain", "  leading and trailing  ", "a & b < c > d \"q\" 'a'",
    "tab\there", "line\nbreak\r\nand\rreturn", "\t", "\n", "vertical\x0btab from Word",
    "nul\x00 and \x1f and \ufffe", "عربي", "Urdu: اردو میں لکھا ہوا 123 متن.",
    "mixed עברית and English, 12-3 (עוד).", "emoji 👍🏽 and 👨‍👩‍👧 family ❤️ done",
    "שלום 👍 עולם", "\u00a0non-breaking\u00a0", "ünïcødé — “quotes” … 中文字符",
    "x" * 400 + " " + "long-word-" * 30, "2025-12-17", "a\u200db\ufe0fc",
]
SHORT = [text for text in AWKWARD if len(text) < 60]  # core properties hold 255 characters


def _grid(rng: random.Random, header: bool) -> Grid:
    columns = rng.randint(2, 5) if header else rng.choice((2, 2, 3))
    rows = tuple(tuple(rng.choice(AWKWARD) for _ in range(rng.randint(1, columns)))
                 for _ in range(rng.randint(1, 30)))
    return Grid(rows=rows, header=tuple(rng.choice(AWKWARD) or "h" for _ in range(columns))
                if header else (), widths=tuple(rng.randint(1, 9) for _ in range(columns))
                if rng.random() < 0.5 else (),
                marked=frozenset(rng.sample(range(len(rows)), min(len(rows), 3))))


def _document(seed: int) -> Document:
    rng = random.Random(seed)
    blocks = []
    for _ in range(rng.randint(5, 25)):
        kind = rng.randrange(7)
        if kind == 0:
            blocks.append(Heading(rng.choice(AWKWARD), level=rng.randint(0, 8)))
        elif kind == 1:
            blocks.append(Answer(rng.choice(AWKWARD), rng.choice([None, *AWKWARD]),
                                 level=rng.choice((0, 0, 2, 3))))
        elif kind in (2, 3):
            blocks.append(_grid(rng, header=kind == 3))
        elif kind == 4:
            blocks.append(Remark(rng.choice(AWKWARD)))
        elif kind == 5:
            blocks.append(PageBreak())
        else:
            blocks.append(Answer(rng.choice(AWKWARD), rng.choice(AWKWARD)))
    return Document(organisation=rng.choice(AWKWARD), title=rng.choice(SHORT) or "Title",
                    reference=rng.choice(SHORT), digest=f"{rng.getrandbits(256):064x}",
                    author=rng.choice(SHORT),
                    created=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), blocks=blocks,
                    subtitle=rng.choice([None, "Subtitle", *AWKWARD]),
                    digest_label=rng.choice(("Digest", "Record digest")),
                    extract=rng.choice([None, "Extract: 2 parts left out", *AWKWARD]))


def _parts(data: bytes) -> list[tuple]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return [(i.filename, i.compress_type, i.external_attr, i.flag_bits,
                 package.read(i.filename)) for i in package.infolist()]


@pytest.mark.parametrize("seed", range(40))
def test_the_direct_writer_writes_what_python_docx_writes(seed):
    document = _document(seed)
    assert _parts(render_package(document)) == _parts(render_with_python_docx(document))


def test_a_document_with_a_chart_still_goes_through_python_docx():
    chart = Chart("Sessions", ("2026-01", "2026-02"), (("held", (1, 2)),))
    document = _document(1)
    document.blocks.append(chart)
    names = [name for name, *_ in _parts(render(document))]
    assert any(name.startswith("word/charts/") for name in names)


def _kinds_by_definition(text: str) -> list[str]:
    """The resolution `_kinds` makes in one pass each way, written as its rule reads."""
    kinds: list[str | None] = []
    for ch in text:
        if docx_runs._is_emoji(ch) or (ch in docx_runs._EMOJI_GLUE and kinds
                                       and kinds[-1] == docx_runs.EMOJI):
            kinds.append(docx_runs.EMOJI)
        elif unicodedata.bidirectional(ch) in ("R", "AL"):
            kinds.append(docx_runs.RIGHT)
        elif unicodedata.bidirectional(ch) == "L":
            kinds.append(docx_runs.PLAIN)
        else:
            kinds.append(None)
    strong = (None, docx_runs.EMOJI)
    out = []
    for i, kind in enumerate(kinds):
        if kind is None:
            before = next((k for k in reversed(kinds[:i]) if k not in strong), None)
            after = next((k for k in kinds[i + 1:] if k not in strong), None)
            kind = docx_runs.RIGHT if before == after == docx_runs.RIGHT else docx_runs.PLAIN
        out.append(kind)
    return out


def test_runs_split_text_as_the_rule_says():
    rng = random.Random(7)
    alphabet = "ab 1-.,()\u05d0\u05d1\u0627\u0644\U0001f44d\u200d\ufe0f\u00e9\t\n"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        pieces = docx_runs.pieces(text)
        assert "".join(part for _, part in pieces) == text
        assert [k for k, part in pieces for _ in part] == _kinds_by_definition(text)
