"""A chart-free `Document` as a DOCX package without python-docx at each export: the package is
learnt once per process from one python-docx rendering (`_Prototype`), its fixed parts kept
compressed; each record then brings only its own document, header, footer and core properties.

The ZIP is laid out as python-docx's `zipfile` writes it (the same entries in the same order,
deflated alike); its entries are dated with the document's own moment (python-docx dates them
when written)."""

import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from io import BytesIO
from zipfile import ZipFile

from supervise.domain.document import Document
from supervise.export import docx_body

_DOCUMENT, _HEADER, _FOOTER, _CORE = ("word/document.xml", "word/header1.xml",
                                      "word/footer1.xml", "docProps/core.xml")


@dataclass(frozen=True)
class _Entry:
    name: bytes
    crc: int
    data: bytes  # deflated
    size: int


def _entry(name: str, blob: bytes) -> _Entry:
    # zipfile's ZIP_DEFLATED: zlib's default level, raw deflate
    packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return _Entry(name.encode("ascii"), zlib.crc32(blob), packer.compress(blob) + packer.flush(),
                  len(blob))


def _split(xml: bytes, start: bytes, end: bytes) -> tuple[bytes, bytes]:
    """The text before `start` (kept) and from `end` on: what a record's own part goes between."""
    head = xml.index(start)
    tail = xml.rindex(end)
    return xml[:head], xml[tail:]


class _Prototype:
    """The parts every chart-free export shares, from one python-docx rendering."""

    def __init__(self) -> None:
        from supervise.export.docx_pydocx import render_with_python_docx

        sample = Document(organisation="o", title="t", reference="r", digest="0" * 64,
                          author="a", created=datetime(2000, 1, 1, tzinfo=UTC))
        with ZipFile(BytesIO(render_with_python_docx(sample))) as package:
            self.order = [info.filename for info in package.infolist()]
            blobs = {name: package.read(name) for name in self.order}
        self.document = _split(blobs[_DOCUMENT], b"<w:body>", b"<w:sectPr")
        self.document = (self.document[0] + b"<w:body>", self.document[1])
        self.header = _split(blobs[_HEADER], b"<w:p>", b"</w:hdr>")
        self.footer = _split(blobs[_FOOTER], b"<w:p>", b"</w:ftr>")
        self.core = blobs[_CORE]
        self.fixed = {name: _entry(name, blob) for name, blob in blobs.items()
                      if name not in (_DOCUMENT, _HEADER, _FOOTER, _CORE)}
        self.style_ids = _style_ids()


def _style_ids() -> dict[str, str]:
    from supervise.export import docx_styles

    word = docx_styles.blank()
    return {style.name: style.style_id for style in word.styles}


@lru_cache(maxsize=1)
def _prototype() -> _Prototype:
    return _Prototype()


def _core(prototype: _Prototype, doc: Document) -> bytes:
    """docProps/core.xml as `docx_pydocx.set_properties` sets it."""
    from docx.opc.coreprops import CoreProperties
    from docx.opc.oxml import serialize_part_xml
    from docx.oxml.parser import parse_xml

    from supervise.export.docx_pydocx import set_properties

    element = parse_xml(prototype.core)
    set_properties(CoreProperties(element), doc)
    return serialize_part_xml(element)


def render_package(doc: Document) -> bytes:
    """The DOCX file's bytes."""
    prototype = _prototype()
    own = {
        _DOCUMENT: prototype.document[0] + docx_body.body(doc, prototype.style_ids).encode()
        + prototype.document[1],
        _HEADER: prototype.header[0] + docx_body.header(doc).encode() + prototype.header[1],
        _FOOTER: prototype.footer[0] + docx_body.footer(doc).encode() + prototype.footer[1],
        _CORE: _core(prototype, doc),
    }
    entries = [prototype.fixed.get(name) or _entry(name, own[name]) for name in prototype.order]
    return _zip(entries, doc.created.astimezone())


def _zip(entries: list[_Entry], moment: datetime) -> bytes:
    """A ZIP as `zipfile` writes one to a seekable file: no data descriptors, Unix 0600. Its
    entries are dated `moment` (local time, as zipfile dates them; a ZIP has no earlier
    year than 1980)."""
    moment = max(moment.replace(tzinfo=None), datetime(1980, 1, 1))
    dos_time = moment.hour << 11 | moment.minute << 5 | moment.second // 2
    dos_date = (moment.year - 1980) << 9 | moment.month << 5 | moment.day
    out, directory = BytesIO(), []
    for entry in entries:
        offset = out.tell()
        fields = (20, 0, 8, dos_time, dos_date, entry.crc, len(entry.data), entry.size,
                  len(entry.name), 0)
        out.write(struct.pack("<4s5HL2L2H", b"PK\x03\x04", *fields))
        out.write(entry.name)
        out.write(entry.data)
        directory.append(struct.pack("<4s4B4HL2L5HLL", b"PK\x01\x02", 20, 3, 20, 0, 0, 8,
                                     dos_time, dos_date, entry.crc, len(entry.data),
                                     entry.size, len(entry.name), 0, 0, 0, 0, 0o600 << 16,
                                     offset) + entry.name)
    start = out.tell()
    central = b"".join(directory)
    out.write(central)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                          len(central), start, 0))
    return out.getvalue()
